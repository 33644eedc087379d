"""Themes: TOML files turned into Textual themes, and the user's choice kept in config.toml.

A theme file holds one theme (see also themes/README.md):

    name = "planner-dark"      # letters, digits, - and _; defaults to the file name without .toml
    dark = true                # optional (default true): Textual derives shades and text colours from it
    ansi = false               # optional: true when the colours are ANSI names (ansi_blue, ansi_default ...)
                               #   that the terminal's own palette draws: for 16-colour terminals
    primary = "#3FB4A6"        # required
    secondary = "#6E9CF0"      # optional colours: secondary accent foreground background surface panel
                               #   boost warning error success; "#rrggbb", "rgb(r,g,b)", a colour name or
                               #   an ANSI name
    luminosity_spread = 0.15   # optional numbers between 0 and 1, as textual.theme.Theme has them
    text_alpha = 0.95

    [variables]                # optional Textual design variables, e.g.
    footer-key-foreground = "#3FB4A6"
    input-selection-background = "#3FB4A6 35%"   # colours, percentages and text styles (bold, reverse ...)

Where themes come from: the built-in files (the repository's themes/ folder, installed as the data-only
package `planner_themes`), then `<config folder>/themes/*.toml`, whose themes may replace a built-in one
of the same name. A file that cannot be used (bad TOML, no primary, a colour Textual cannot parse, an
unknown key) is left out and named in a notice; when it was the saved choice the app falls back to
planner-dark.

The choice persists: every change of `app.theme` (ctrl+t, or Textual's theme picker in the command
palette) is written to config.toml as `theme = "<name>"`. A 16-colour terminal starts with planner-ansi
instead, and one without colour with planner-no-color, without touching the saved choice (the colour
mode is decided in planner.terminal; the help screen says which and why).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from textual.color import Color, ColorParseError
from textual.css.stylesheet import Stylesheet
from textual.theme import Theme

if TYPE_CHECKING:
    from planner.app.app import PlannerApp

DEFAULT_THEME = "planner-dark"
ANSI_THEME = "planner-ansi"
NO_COLOR_THEME = "planner-no-color"
#: What the app uses when even the built-in theme files are missing (a broken install).
LAST_RESORT_THEME = "textual-dark"
#: The data-only package that holds the built-in theme files.
BUILTIN_THEMES_PACKAGE = "planner_themes"
#: Built-in themes in the order ctrl+t visits them; any other built-in file follows, by name.
BUILTIN_ORDER = ("planner-dark", "planner-light", "planner-high-contrast", "planner-ansi", "planner-no-color")

COLOUR_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
               "warning", "error", "success")
NUMBER_KEYS = ("luminosity_spread", "text_alpha")
FLAG_KEYS = ("dark", "ansi")
KNOWN_KEYS = frozenset(("name", "variables", *COLOUR_KEYS, *NUMBER_KEYS, *FLAG_KEYS))

# Textual adds the class `-theme-<name>` to the app, so a name must be usable in a class name.
THEME_NAME = re.compile(r"[A-Za-z0-9_-]+")
VARIABLE_NAME = re.compile(r"[a-z0-9-]+")
# What a design variable's value may be made of (colours, percentages, style words): no ; { } that
# would reach past the one declaration it is checked in.
VARIABLE_VALUE = re.compile(r"[#A-Za-z0-9_.%(), -]+")
VARIABLE_EXAMPLES = {"color": '"#3FB4A6", "#3FB4A6 35%" or "auto 87%"', "background": '"#3FB4A6 35%"',
                     "text-style": '"bold" or "b reverse"'}


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message says why (not where: ThemeProblem adds that)."""


@dataclass(frozen=True)
class ThemeProblem:
    """A theme file that was left out, and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --- reading theme files ---------------------------------------------------------------------------


def theme_from_document(document: Mapping[str, Any], default_name: str, *, thorough: bool = True) -> Theme:
    """The Theme a parsed theme file describes; ThemeFileError when any value is unusable.

    `thorough` also has Textual build the theme and parse each variable, as the screen will: a user's
    file must not break the app. The shipped files skip it at start-up (tests check them so)."""
    unknown = sorted(set(document) - KNOWN_KEYS)
    if unknown:
        raise ThemeFileError(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                             f"(known: name, dark, ansi, {', '.join(COLOUR_KEYS)}, {', '.join(NUMBER_KEYS)}, "
                             "[variables])")
    name = document.get("name", default_name)
    if not isinstance(name, str) or not THEME_NAME.fullmatch(name):
        raise ThemeFileError(f"name must be letters, digits, - and _ (got {name!r})")
    if "primary" not in document:
        raise ThemeFileError("primary is required (a colour such as \"#3FB4A6\")")
    fields: dict[str, Any] = {}
    for key in COLOUR_KEYS:
        if key in document:
            fields[key] = _colour(key, document[key])
    for key in FLAG_KEYS:
        if key in document:
            if not isinstance(document[key], bool):
                raise ThemeFileError(f"{key} must be true or false (got {document[key]!r})")
            fields[key] = document[key]
    for key in NUMBER_KEYS:
        if key in document:
            value = document[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ThemeFileError(f"{key} must be a number between 0 and 1 (got {value!r})")
            fields[key] = float(value)
    theme = Theme(name=name, variables=_variables(document.get("variables", {}), thorough=thorough), **fields)
    if not thorough:
        return theme
    try:
        # Textual derives every shade when the theme is applied; a failure there would break the screen.
        theme.to_color_system().generate()
    except Exception as error:  # noqa: BLE001 - any failure means the theme cannot be drawn
        raise ThemeFileError(f"Textual cannot build the theme: {error}") from None
    return theme


def _colour(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{key} must be a colour in quotes (got {value!r})")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{key} = {value!r} is not a colour (use \"#rrggbb\", a colour name or "
                             "an ANSI name such as ansi_blue)") from None
    return value


def _variables(table: Any, *, thorough: bool = True) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ThemeFileError("[variables] must be a table of name = \"value\"")
    variables: dict[str, str] = {}
    for name, value in table.items():
        if not VARIABLE_NAME.fullmatch(name):
            raise ThemeFileError(f"variables: {name!r} is not a design variable name (e.g. footer-key-foreground)")
        if not isinstance(value, str) or (thorough and not _is_variable_value(name, value)):
            prop = _variable_property(name)
            raise ThemeFileError(f"variables.{name} = {value!r} is not a {prop} value Textual accepts "
                                 f"(e.g. {VARIABLE_EXAMPLES[prop]})")
        variables[name] = value
    return variables


def _variable_property(name: str) -> str:
    """The CSS property a design variable feeds, going by Textual's naming: *-style variables are text
    styles, *background* ones backgrounds (where `auto` is not allowed), the rest colours."""
    if "style" in name:
        return "text-style"
    return "background" if "background" in name else "color"


def _is_variable_value(name: str, value: str) -> bool:
    """Whether Textual's CSS parser takes `value` where the variable is used: a value it rejects would
    stop every stylesheet from parsing, and the app with it."""
    if not VARIABLE_VALUE.fullmatch(value.strip()):
        return False
    stylesheet = Stylesheet()
    stylesheet.add_source(f"ThemeCheck {{ {_variable_property(name)}: {value}; }}")
    try:
        stylesheet.parse()
    except Exception:  # noqa: BLE001 - the parser raises several kinds; all mean "not usable"
        return False
    return True


def load_theme_file(path: Path | Traversable, *, thorough: bool = True) -> Theme:
    """The theme in one file; ThemeFileError when the file cannot be read or used."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeFileError(f"cannot be read: {error}") from None
    return theme_from_document(document, default_name=path.name.removesuffix(".toml"), thorough=thorough)


def theme_files(folder: Path | Traversable) -> list[Path | Traversable]:
    """The *.toml files directly in `folder`, by name; none when the folder does not exist."""
    try:
        if not folder.is_dir():
            return []
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted((entry for entry in entries if entry.name.endswith(".toml") and entry.is_file()),
                  key=lambda entry: entry.name)


def builtin_themes_folder() -> Traversable | None:
    """Where the built-in theme files are installed; None when the package is missing."""
    try:
        return resources.files(BUILTIN_THEMES_PACKAGE)
    except ModuleNotFoundError:
        return None


def user_themes_folder(config_folder: Path) -> Path:
    return config_folder / "themes"


def load_themes(files: Iterable[Path | Traversable], *, label: str = "",
                thorough: bool = True) -> tuple[dict[str, Theme], list[ThemeProblem]]:
    """The usable themes of `files` by name, and a problem for each file left out.

    Problems name the file as `label/<file name>` when a label is given (shipped files live somewhere
    in site-packages that would only confuse), else by its full path.
    """
    themes: dict[str, Theme] = {}
    origins: dict[str, str] = {}
    problems: list[ThemeProblem] = []
    for file in files:
        where = f"{label}/{file.name}" if label else str(file)
        try:
            theme = load_theme_file(file, thorough=thorough)
        except ThemeFileError as error:
            problems.append(ThemeProblem(where, str(error)))
            continue
        if theme.name in themes:
            problems.append(ThemeProblem(where, f"the name {theme.name!r} is taken by {origins[theme.name]}"))
            continue
        themes[theme.name] = theme
        origins[theme.name] = where
    return themes, problems


def load_all_themes(config_folder: Path) -> tuple[dict[str, Theme], list[ThemeProblem]]:
    """Built-in themes (in BUILTIN_ORDER), then the user's, which replace a built-in of the same name."""
    folder = builtin_themes_folder()
    problems: list[ThemeProblem] = []
    if folder is None:
        problems.append(ThemeProblem(BUILTIN_THEMES_PACKAGE, "the built-in themes are not installed; "
                                                             "reinstall value-planner"))
        builtin: dict[str, Theme] = {}
    else:
        builtin, builtin_problems = load_themes(theme_files(folder), label="built-in themes", thorough=False)
        problems += builtin_problems
    rank = {name: index for index, name in enumerate(BUILTIN_ORDER)}
    themes = dict(sorted(builtin.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))
    user, user_problems = load_themes(theme_files(user_themes_folder(config_folder)))
    themes.update(user)
    return themes, problems + user_problems


# --- colour depth ----------------------------------------------------------------------------------


def theme_for_colors(colors: str, chosen: str, available: Mapping[str, Theme]) -> str:
    """The theme to draw with in a colour mode (planner.terminal): the user's choice in true colour
    and in 256 colours (drawn as the nearest of the 256); in 16 colours an ANSI theme, the user's
    own when it is one, else planner-ansi; with no colour, planner-no-color (the app sends no colour
    code whatever the theme: that one shows focus and selection with text styles instead)."""
    if colors == "none":
        return NO_COLOR_THEME if NO_COLOR_THEME in available else chosen
    if colors == "16" and not available[chosen].ansi:
        return ANSI_THEME if ANSI_THEME in available else "ansi-dark"
    return chosen


# --- the app's theme -------------------------------------------------------------------------------


class ThemeChooser:
    """Registers the themes, picks the one to start with, cycles them, and saves each choice."""

    def __init__(self, app: PlannerApp) -> None:
        self.app = app
        #: The planner's own themes (built-in and the user's), in the order ctrl+t visits them.
        self.names: list[str] = []
        self._shown = ""  # the theme last set or saved: a change to it is the user's choice
        self._chosen = ""  # the theme config.toml asks for (or the fallback)
        #: What `prepare` found before the app could show notices: (message, title, severity).
        self._notices: list[tuple[str, str, str]] = []

    @property
    def config_file(self) -> Path:
        return self.app.session.config.folder / "config.toml"

    def prepare(self) -> None:
        """Register the themes and set the saved one, before the app runs: the first style sheet is
        then built with it, rather than built and built again when on_mount changes the theme."""
        app = self.app
        themes, problems = load_all_themes(app.session.config.folder)
        for theme in themes.values():
            app.register_theme(theme)
        # planner-no-color is for terminals without colour: drawn in colour it only looks broken.
        self.names = [name for name in themes if name != NO_COLOR_THEME]
        self._notices += [(str(problem), "Theme left out", "warning") for problem in problems]
        self._chosen = self.saved_choice()
        self._shown = self._chosen
        app.theme = self._chosen

    def start(self) -> None:
        """Once the app runs: say what `prepare` found, draw with a theme the terminal's colour mode
        can show (see theme_for_colors; the help screen says so, see `describe`), and save the user's
        later choices."""
        app = self.app
        for message, title, severity in self._notices:
            app.notify(message, title=title, severity=severity, markup=False, timeout=10)
        self._notices.clear()
        shown = theme_for_colors(app.terminal.colors, self._chosen, app.available_themes)
        if shown != self._chosen:
            self._shown = shown
            app.theme = shown
        app.theme_changed_signal.subscribe(app, self.on_theme_changed)

    def describe(self) -> str:
        """The terminal and the theme, in a line or two for the help screen."""
        app = self.app
        text = f"Terminal: {app.terminal.describe()}. Theme: {app.theme}"
        if app.theme != self._chosen and self._shown == app.theme:
            text += f" (for this terminal; your theme {self._chosen} is kept for the others)"
        return text + ". planner --color truecolor|256|16|none chooses (see README, Over SSH)."

    def saved_choice(self) -> str:
        """The theme config.toml names, or the fallback (with a notice) when it cannot be used."""
        app = self.app
        fallback = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else LAST_RESORT_THEME
        saved = app.session.config.raw.get("theme")
        if saved is None:
            return fallback
        if not isinstance(saved, str):
            self._notices.append((f"{self.config_file}: theme must be a theme name in quotes; using {fallback}",
                                  "Theme", "warning"))
            return fallback
        if saved not in app.available_themes:
            self._notices.append((f"{self.config_file}: no theme named {saved!r}; using {fallback}",
                                  "Theme", "warning"))
            return fallback
        return saved

    def cycle(self) -> None:
        """Show the next of the planner's themes (Textual's others are in the command palette)."""
        if self.app.terminal.colors == "none":
            self.app.notify(f"No colour in this terminal ({self.app.terminal.reason}): the theme stays "
                            f"{self.app.theme}", markup=False, timeout=4)
            return
        names = self.names or sorted(self.app.available_themes)
        current = self.app.theme
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.app.theme = following
        self.app.notify(f"Theme: {following}", markup=False, timeout=2)

    def on_theme_changed(self, theme: Theme) -> None:
        if theme.name == self._shown:
            return  # the theme set at start-up (maybe forced by the terminal), not a choice to save
        self._shown = theme.name
        self.save(theme.name)

    def save(self, name: str) -> None:
        from planner.config import ConfigError, save_config_value

        try:
            save_config_value(("theme",), name)
        except (ConfigError, OSError) as error:
            self.app.notify(f"Theme not saved: {error}", severity="error", markup=False, timeout=8)


def prepare_theme(app: PlannerApp) -> ThemeChooser:
    """Register the themes and set the saved one; call `start()` on the result once the app runs."""
    chooser = ThemeChooser(app)
    chooser.prepare()
    return chooser
