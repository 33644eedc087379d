"""board.toml and config.toml are edited by hand as well: a save changes only the keys whose
values changed and keeps comments, key order and blank lines."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from planner.config import config_dir, save_config_value
from planner.model import Column
from planner.store import PlanStore
from planner.toml_edit import dumps_preserving

HAND_WRITTEN_BOARD = """\
# Our team plan. Edit freely; the planner keeps these notes.
schema = 1
title = "Team"

timezone = "UTC"   # the office's zone
week_start = "monday"
done_column = "done"
week_column = "this-week"

[[columns]]
id = "backlog"
title = "Backlog"

[[columns]]
id = "this-week"
title = "This week"
wip = 5   # five is plenty

[[columns]]
id = "done"
title = "Done"

# --- practices ---
[practices.skills]
weight = 2   # our main goal
"""

HAND_WRITTEN_CONFIG = """\
# My planner settings
theme = "nord"   # dark, easy on the eyes

[plugins]
# never on this laptop
block = ["feedback"]
"""


def edited(text: str, change) -> str:
    document = tomllib.loads(text)
    change(document)
    result = dumps_preserving(text, document).decode("utf-8")
    assert tomllib.loads(result) == document
    return result


def test_only_changed_keys_are_rewritten() -> None:
    def change(document: dict) -> None:
        document["title"] = "Team A"
        document["columns"][1]["wip"] = 4
        document["practices"]["skills"]["enabled"] = False

    result = edited(HAND_WRITTEN_BOARD, change)
    assert result == (HAND_WRITTEN_BOARD.replace('title = "Team"', 'title = "Team A"')
                      .replace("wip = 5   # five", "wip = 4   # five")
                      + "enabled = false\n")


def test_removed_keys_go_and_new_tables_are_appended() -> None:
    def change(document: dict) -> None:
        del document["practices"]["skills"]["weight"]
        document["practices"]["learning"] = {"enabled": False}

    result = edited(HAND_WRITTEN_BOARD, change)
    assert "weight = 2" not in result
    assert result.startswith(HAND_WRITTEN_BOARD.split("# --- practices ---")[0])
    assert result.endswith("[practices.learning]\nenabled = false\n")


@pytest.mark.parametrize("new_value", [1.0, True, "1"])
def test_a_value_of_another_kind_is_a_change(new_value) -> None:
    text = "limit = 1  # per day\n"
    assert tomllib.loads(edited(text, lambda document: document.update(limit=new_value)))["limit"] == new_value


def test_a_list_that_grows_is_written_anew_and_the_rest_kept() -> None:
    def change(document: dict) -> None:
        document["columns"].append({"id": "later", "title": "Later"})

    result = edited(HAND_WRITTEN_BOARD, change)
    assert result.startswith("# Our team plan. Edit freely; the planner keeps these notes.\n")
    assert "weight = 2   # our main goal" in result


def test_a_layout_tomlkit_would_get_wrong_is_written_anew_with_every_value() -> None:
    # A table appended after top-level dotted keys would take in the keys that follow it.
    text = 'practices.skills.weight = 2\ntitle = "x"\n'
    result = edited(text, lambda document: document["practices"].update(learning={"enabled": False}))
    assert tomllib.loads(result)["title"] == "x"


def test_a_file_tomlkit_cannot_read_is_written_from_scratch() -> None:
    assert tomllib.loads(dumps_preserving("title = \n", {"title": "x"}).decode()) == {"title": "x"}
    assert tomllib.loads(dumps_preserving(None, {"a": {"b": 1}}).decode()) == {"a": {"b": 1}}


# --- the store and the config ---------------------------------------------------------------------

def test_update_board_keeps_a_hand_written_board(tmp_path: Path) -> None:
    store = PlanStore(tmp_path / "plans")
    store.create()
    store.board_path.write_text(HAND_WRITTEN_BOARD, encoding="utf-8")
    store.update_board(lambda board: replace(board, title="Team A"))
    assert store.board_path.read_text(encoding="utf-8") == HAND_WRITTEN_BOARD.replace('"Team"', '"Team A"')


def test_update_board_applies_the_change_to_the_file_as_it_is_now(tmp_path: Path) -> None:
    first, second = PlanStore(tmp_path / "plans"), PlanStore(tmp_path / "plans")
    first.create()
    second.read_board()  # read before the other writer's change
    first.update_board(lambda board: replace(board, columns=(*board.columns, Column("later", "Later"))))
    second.update_board(lambda board: replace(board, title="Renamed"))
    board = PlanStore(tmp_path / "plans").read_board()
    assert board.title == "Renamed" and board.columns[-1].id == "later"


def test_save_config_value_keeps_comments_and_layout() -> None:
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HAND_WRITTEN_CONFIG, encoding="utf-8")
    save_config_value(("plugins", "block"), ["feedback", "skills"])
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN_CONFIG.replace('["feedback"]', '["feedback", "skills"]')
    save_config_value(("theme",), None)
    assert path.read_text(encoding="utf-8") == (
        '# My planner settings\n\n[plugins]\n# never on this laptop\nblock = ["feedback", "skills"]\n')


def test_planner_init_default_keeps_a_hand_written_config(planner_runner) -> None:
    path = planner_runner.root / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HAND_WRITTEN_CONFIG, encoding="utf-8")
    planner_runner.ok("init", "second", "--default")
    folder = (planner_runner.root / "second").resolve()
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN_CONFIG.replace(
        '"nord"   # dark, easy on the eyes\n', f'"nord"   # dark, easy on the eyes\nplans = "{folder}"\n')
