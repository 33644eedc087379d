"""The shipped theme files, the loading of user theme files, and the choice of an ANSI theme."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from planner.app.themes import (
    BUILTIN_ORDER,
    COLOUR_KEYS,
    DEFAULT_THEME,
    ThemeFileError,
    builtin_themes_folder,
    load_all_themes,
    load_theme_file,
    load_themes,
    theme_files,
    theme_from_document,
    theme_for_colors,
)

REPO = Path(__file__).resolve().parents[1]
REPO_THEMES = REPO / "themes"
SHIPPED = sorted(REPO_THEMES.glob("*.toml"))
ACCENTS = ("primary", "secondary", "accent", "warning", "error", "success")


def relative_luminance(value: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    colour = Color.parse(value)

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b)


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shipped(name: str) -> Theme:
    return load_theme_file(REPO_THEMES / f"{name}.toml")


# --- the shipped files -------------------------------------------------------------------------------


def test_the_builtin_themes_are_shipped() -> None:
    assert {path.stem for path in SHIPPED} >= set(BUILTIN_ORDER)
    assert DEFAULT_THEME in BUILTIN_ORDER


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_file_loads_into_a_theme_whose_colours_parse(path: Path) -> None:
    theme = load_theme_file(path)
    assert isinstance(theme, Theme)
    assert theme.name == path.stem  # the file is named after its theme
    for key in COLOUR_KEYS:
        value = getattr(theme, key)
        if value is not None:
            Color.parse(value)
    variables = theme.to_color_system().generate()
    assert variables["primary"] and variables["background"]


def test_the_installed_package_holds_the_same_files_as_the_repository() -> None:
    folder = builtin_themes_folder()
    assert folder is not None
    assert sorted(entry.name for entry in theme_files(folder)) == [path.name for path in SHIPPED]
    assert resources.files("planner_themes").joinpath("planner-dark.toml").read_text(encoding="utf-8") == \
        (REPO_THEMES / "planner-dark.toml").read_text(encoding="utf-8")


def test_the_wheel_gets_every_package_and_the_theme_files() -> None:
    """pyproject.toml lists its packages by hand (folders are renamed on install), so a new folder
    with an __init__.py, such as a new planner.app subpackage, must be added there too."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = set()
    for package, folder in setuptools["package-dir"].items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            on_disk.add(".".join((package, *parts)))
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert setuptools["package-dir"]["planner_themes"] == "themes"
    assert "*.toml" in setuptools["package-data"]["planner_themes"]


def test_high_contrast_is_pure_white_on_pure_black_with_aaa_contrast_everywhere() -> None:
    theme = shipped("planner-high-contrast")
    assert Color.parse(theme.background) == Color(0, 0, 0)
    assert Color.parse(theme.foreground) == Color(255, 255, 255)
    assert contrast(theme.foreground, theme.background) >= 7
    for key in ACCENTS:
        assert contrast(getattr(theme, key), theme.background) >= 7, key
    assert contrast(theme.foreground, theme.panel) >= 7
    assert contrast(theme.foreground, theme.surface) >= 7
    variables = theme.variables
    assert contrast(variables["block-cursor-foreground"], variables["block-cursor-background"]) >= 7
    assert contrast(variables["block-cursor-blurred-foreground"], variables["block-cursor-blurred-background"]) >= 7
    assert contrast(variables["input-selection-foreground"], variables["input-selection-background"]) >= 7


@pytest.mark.parametrize("name", ["planner-dark", "planner-light"])
def test_dark_and_light_text_reads_well(name: str) -> None:
    theme = shipped(name)
    assert contrast(theme.foreground, theme.background) >= 7
    assert contrast(theme.foreground, theme.panel) >= 7
    for key in ACCENTS:
        assert contrast(getattr(theme, key), theme.background) >= 4.5, key  # WCAG AA


def test_light_is_light_and_the_others_dark() -> None:
    assert shipped("planner-light").dark is False
    assert shipped("planner-dark").dark and shipped("planner-high-contrast").dark


def test_the_ansi_theme_uses_only_ansi_colour_names() -> None:
    theme = shipped("planner-ansi")
    assert theme.ansi is True
    for key in COLOUR_KEYS:
        value = getattr(theme, key)
        if value is not None:
            assert value.startswith("ansi_"), (key, value)
            assert Color.parse(value).ansi is not None
    for name, value in theme.variables.items():
        if "style" not in name:
            assert value.startswith("ansi_"), (name, value)


def test_the_readme_names_every_shipped_theme() -> None:
    readme = (REPO_THEMES / "README.md").read_text(encoding="utf-8")
    for path in SHIPPED:
        assert f"`{path.stem}`" in readme


# --- user theme files ---------------------------------------------------------------------------------

GOOD = 'name = "mine"\nprimary = "#112233"\nbackground = "#000000"\n[variables]\nfooter-key-foreground = "#ff0000 50%"\n'


@pytest.mark.parametrize(("text", "complaint"), [
    ('name = "x"\nprimary = "#fff', "not valid TOML"),
    ('name = "x"\nbackground = "#000000"\n', "primary is required"),
    ('primary = "#12345g"\n', "'#12345g' is not a colour"),
    ('primary = 7\n', "primary must be a colour"),
    ('primary = "red"\nbackgroud = "#000"\n', "unknown key backgroud"),
    ('primary = "red"\ndark = "yes"\n', "dark must be true or false"),
    ('primary = "red"\ntext_alpha = 3\n', "text_alpha must be a number between 0 and 1"),
    ('name = "two words"\nprimary = "red"\n', "name must be letters"),
    ('primary = "red"\nvariables = 3\n', "[variables] must be a table"),
    ('primary = "red"\n[variables]\nfooter-key-foreground = "bold"\n', "footer-key-foreground = 'bold'"),
    ('primary = "red"\n[variables]\nlink-style = "#fff"\n', "not a text-style value"),
    ('primary = "red"\n[variables]\nborder = "red; } Screen { color: blue"\n', "border"),
])
def test_a_broken_user_theme_is_a_problem_naming_the_file_and_is_skipped(
        tmp_path: Path, text: str, complaint: str) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "broken.toml").write_text(text, encoding="utf-8")
    (folder / "good.toml").write_text(GOOD, encoding="utf-8")
    themes, problems = load_all_themes(tmp_path)
    assert "mine" in themes and "x" not in themes and "broken" not in themes
    assert set(BUILTIN_ORDER) <= set(themes)
    [problem] = problems
    assert problem.path == str(folder / "broken.toml")
    assert str(folder / "broken.toml") in str(problem)
    assert complaint in problem.message


def test_a_theme_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    (tmp_path / "sunset.toml").write_text('primary = "#ff8800"\ndark = false\n', encoding="utf-8")
    theme = load_theme_file(tmp_path / "sunset.toml")
    assert theme.name == "sunset" and theme.dark is False


def test_a_user_theme_replaces_the_builtin_of_the_same_name_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "mine.toml").write_text('name = "planner-light"\nprimary = "#ff0000"\n', encoding="utf-8")
    themes, problems = load_all_themes(tmp_path)
    assert problems == []
    assert themes["planner-light"].primary == "#ff0000"
    assert list(themes)[:len(BUILTIN_ORDER)] == list(BUILTIN_ORDER)


def test_two_files_with_one_name_keep_the_first(tmp_path: Path) -> None:
    for file in ("a.toml", "b.toml"):
        (tmp_path / file).write_text('name = "same"\nprimary = "#ff0000"\n', encoding="utf-8")
    themes, problems = load_themes(theme_files(tmp_path))
    assert list(themes) == ["same"]
    [problem] = problems
    assert problem.path.endswith("b.toml") and "a.toml" in problem.message


def test_no_user_folder_means_only_the_builtin_themes(tmp_path: Path) -> None:
    themes, problems = load_all_themes(tmp_path / "missing")
    assert list(themes) == list(BUILTIN_ORDER) and problems == []


def test_a_theme_document_is_validated_before_textual_sees_it() -> None:
    with pytest.raises(ThemeFileError, match="unknown key"):
        theme_from_document({"primary": "red", "colour": "blue"}, "x")
    theme = theme_from_document({"primary": "ansi_red", "ansi": True}, "x")
    assert theme.ansi and theme.name == "x"


# --- colour depth -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("colors", "chosen", "expected"), [
    ("truecolor", "planner-light", "planner-light"),
    ("256", "planner-light", "planner-light"),  # drawn as the nearest of the 256, not as 16
    ("16", "planner-light", "planner-ansi"),
    ("16", "ansi-light", "ansi-light"),  # the user's own ANSI theme is kept
    ("none", "planner-light", "planner-no-color"),
])
def test_the_theme_drawn_in_each_colour_mode(colors: str, chosen: str, expected: str) -> None:
    available = {**BUILTIN_THEMES, **load_all_themes(Path("/nonexistent"))[0]}
    assert theme_for_colors(colors, chosen, available) == expected


def test_the_no_colour_theme_is_all_the_terminals_default() -> None:
    theme = shipped("planner-no-color")
    assert theme.ansi is True
    for key in COLOUR_KEYS:
        assert getattr(theme, key) == "ansi_default", key
    assert "reverse" in theme.variables["block-cursor-text-style"]
