"""`planner plugins` names a plugin whose practices the plan switched off "off in this plan"."""

from __future__ import annotations


def test_planner_plugins_shows_a_practice_switched_off_in_the_plan(planner_runner) -> None:
    planner_runner.ok("init", "plans")
    board = planner_runner.plans / "board.toml"
    board.write_text(board.read_text(encoding="utf-8").replace(
        "[practices.feedback]\n", "[practices.feedback]\nenabled = false\n"), encoding="utf-8")
    lines = planner_runner.ok("plugins").stdout.splitlines()
    assert any(line.startswith("feedback  [off in this plan]  ") for line in lines)
    assert any(line.startswith("skills  [active]  ") for line in lines)
    assert not any("error" in line for line in lines)
    rows = {row["name"]: row for row in planner_runner.json("plugins", "--json")}
    assert rows["feedback"]["status"] == "active" and rows["feedback"]["off_in_plan"] is True
    assert rows["skills"]["off_in_plan"] is False
