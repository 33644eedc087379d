"""Every terminal a person may SSH from, end to end: the real `planner` console script on a
pseudo-terminal, every byte it writes kept. For each colour mode the bytes hold no colour code above
the mode, every piece of text reads (contrast of the codes sent, on xterm's palette), each practice's
badge is drawn differently, and the help screen says what was chosen. A dumb terminal and no
terminal at all get one line and no escape sequence.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_runner import planner_command
from pty_terminal import Pen, PtyTerminal, colour_depth_of, contrast, read_sgr

REPO = Path(__file__).resolve().parent.parent
DEMO_PLAN = REPO / "examples" / "demo-plan"
#: The real console script (or `python -m planner` beside this interpreter).
PLANNER = planner_command()
LABELS = ("SKILL", "CHANGE", "INIT", "PEOPLE", "PROACT", "FEEDBK", "LEARN")
DEPTH = {"none": 0, "16": 1, "256": 2, "truecolor": 3}
#: The least contrast any text may have (WCAG's for large and bold text and for interface parts;
#: planner-dark's own badges are about 4:1).
MIN_CONTRAST = 3.0


def environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    plans = tmp_path / "plans"
    if not plans.exists():
        shutil.copytree(DEMO_PLAN, plans)
    return {"PLANNER_PLANS": str(plans), "PLANNER_CONFIG_DIR": str(tmp_path / "config"),
            "PLANNER_DATA_DIR": str(tmp_path / "data"), "PLANNER_CACHE_DIR": str(tmp_path / "cache"),
            "PLANNER_STATE_DIR": str(tmp_path / "state"), "PLANNER_NOW": "2026-11-26T17:30:00+00:00",
            "PLANNER_WATCH": "off", "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "LANG": "C.UTF-8", **variables}


def run_through_the_screens(tmp_path: Path, *options: str, **variables: str) -> tuple[bytes, str]:
    """Board, insights (every practice's badge), help, the new task form; then quit. The bytes
    written, and the help screen's text."""
    terminal = PtyTerminal([*PLANNER, *options], environment(tmp_path, **variables), size=(110, 34))
    try:
        terminal.wait_for("Backlog")
        terminal.settle(0.5)
        terminal.send("3")
        terminal.wait_for("Practices: score")
        terminal.settle(0.5)
        terminal.send("?")
        help_screen = terminal.wait_for("Terminal:")
        terminal.settle(0.3)
        terminal.send("\x1b")
        terminal.pump(0.5)
        terminal.send("1")  # the board, and the new task form on it: fields, a list, a focused field
        terminal.pump(0.5)
        terminal.send("n")
        terminal.wait_for("New task")
        terminal.settle(0.3)
        terminal.send("\x1b")
        terminal.pump(0.5)
        terminal.send("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    return bytes(terminal.raw), help_screen


MODES = [
    pytest.param({"TERM": "xterm-256color", "NO_COLOR": "1"}, (), "none", "NO_COLOR is set", id="NO_COLOR"),
    pytest.param({"TERM": "xterm-256color"}, ("--color", "none"), "none", "--color none", id="color-none"),
    pytest.param({"TERM": "linux"}, (), "16", "TERM=linux", id="linux"),
    pytest.param({"TERM": "xterm"}, (), "16", "TERM=xterm", id="xterm"),
    pytest.param({"TERM": "xterm-256color"}, (), "256", "TERM=xterm-256color", id="xterm-256color"),
    pytest.param({"TERM": "xterm-kitty"}, (), "truecolor", "TERM=xterm-kitty", id="kitty-without-COLORTERM"),
    pytest.param({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, (), "truecolor", "COLORTERM=truecolor",
                 id="COLORTERM"),
]


@pytest.mark.parametrize(("variables", "options", "mode", "reason"), MODES)
def test_each_colour_mode_sends_only_its_codes_readably(tmp_path: Path, variables: dict[str, str],
                                                        options: tuple[str, ...], mode: str, reason: str) -> None:
    raw, help_screen = run_through_the_screens(tmp_path, *options, **variables)
    sgr = read_sgr(raw)

    # No colour code above the mode (none: no colour code at all, only the defaults 39 and 49).
    too_deep = {code for code in sgr.colour_codes if DEPTH[colour_depth_of(code)] > DEPTH[mode]}
    assert not too_deep, f"{mode}: codes above the mode were sent: {sorted(too_deep)[:10]}"
    if mode == "none":
        assert sgr.colour_codes == set()

    # Every piece of text reads on its background.
    unreadable = {(text.strip()[:30], pen) for text, pen in sgr.runs
                  if any(character.isalnum() for character in text) and contrast(pen) < MIN_CONTRAST}
    assert not unreadable, f"{mode}: text below {MIN_CONTRAST}:1: " + "; ".join(
        f"{text!r} {pen.foreground or 'default'} on {pen.background or 'default'} ({contrast(pen):.2f})"
        for text, pen in sorted(unreadable, key=lambda item: contrast(item[1]))[:8])

    # Each practice's badge: in colour, a colour of its own; without, the label in reverse.
    badges = badge_pens(sgr.runs)
    assert set(badges) == set(LABELS), badges
    if mode == "none":
        assert all(pen.reverse and pen.bold for pens in badges.values() for pen in pens), badges
    else:
        backgrounds = {label: {pen.background for pen in pens} for label, pens in badges.items()}
        assert all(len(drawn) == 1 for drawn in backgrounds.values()), backgrounds
        assert len({drawn.pop() for drawn in backgrounds.values()}) == len(LABELS), backgrounds

    # The help screen says what was chosen, and why (no notice at each start).
    depth = {"none": "no colour", "16": "16 colours", "256": "256 colours", "truecolor": "true colour"}[mode]
    flat = " ".join(help_screen.split())
    assert f"{depth} ({reason})" in flat, help_screen
    assert "not true colour" not in raw.decode("utf-8", "replace")  # the old toast

    # The Linux console's font: ASCII glyphs only (the demo plan's text is ASCII too).
    if variables.get("TERM") == "linux":
        drawn = raw.decode("utf-8", "replace")
        assert {character for character in drawn if ord(character) > 127} == set()


def badge_pens(runs: list[tuple[str, Pen]]) -> dict[str, set[Pen]]:
    """The pens each practice label was drawn with, where it was drawn as a badge (centred in six
    cells: " INIT ", "SKILL ")."""
    pens: dict[str, set[Pen]] = {}
    for text, pen in runs:
        if len(text) == 6 and text.strip() in LABELS:
            pens.setdefault(text.strip(), set()).add(pen)
    return pens


def test_a_dumb_terminal_gets_one_line_pointing_to_the_cli(tmp_path: Path) -> None:
    terminal = PtyTerminal([*PLANNER], environment(tmp_path, TERM="dumb"))
    try:
        assert terminal.wait_exit() == 1
    finally:
        terminal.close()
    output = bytes(terminal.raw).decode()
    assert "\x1b" not in output
    assert output.count("\n") == 1 and "TERM=dumb" in output and "planner week" in output, output
    assert not (tmp_path / "data" / "demo-plan").exists()


@pytest.mark.parametrize("stdin", ["devnull", "tty-less pipe"])
def test_without_a_terminal_planner_says_use_ssh_t_and_sends_no_escape(tmp_path: Path, stdin: str) -> None:
    """`ssh host planner` (no -t: no terminal at either end) and `planner | less`."""
    result = subprocess.run([*PLANNER], env=environment(tmp_path, TERM="xterm-256color", COLORTERM="truecolor"),
                            capture_output=True, timeout=60,
                            **({"stdin": subprocess.DEVNULL} if stdin == "devnull" else {"input": b""}))
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"\x1b" not in result.stderr
    message = result.stderr.decode()
    assert message.count("\n") == 1 and "ssh -t" in message and "planner week" in message, message


def test_no_mouse_turns_mouse_reporting_off(tmp_path: Path) -> None:
    def mouse_modes(*options: str) -> bool:
        terminal = PtyTerminal([*PLANNER, *options], environment(tmp_path, TERM="xterm-256color"))
        try:
            terminal.wait_for("Backlog")
            terminal.send("q")
            assert terminal.wait_exit() == 0
        finally:
            terminal.close()
        return b"\x1b[?1000h" in terminal.raw or b"\x1b[?1003h" in terminal.raw

    assert mouse_modes()
    assert not mouse_modes("--no-mouse", "--low-bandwidth")


def test_the_checks_see_what_the_issue_saw() -> None:
    """The reading of the bytes itself: NO_COLOR's black on black in 256 and 16 colours, and 24-bit
    badges sent to a terminal that has no colour, as the planner sent them before."""
    sgr = read_sgr(b"\x1b[38;5;16;48;5;16mValue Planner\x1b[0m \x1b[30;40mBoard\x1b[0m "
                   b"\x1b[1;38;2;255;255;255;48;2;47;123;224m SKILL\x1b[0m \x1b[7mfocus\x1b[27m plain")
    pens = dict(sgr.runs)
    assert contrast(pens["Value Planner"]) == contrast(pens["Board"]) == 1.0
    assert contrast(pens[" SKILL"]) > 4 and pens[" SKILL"].bold
    assert pens["focus"].reverse and contrast(pens["focus"]) > 15
    assert not pens[" plain"].reverse
    assert {colour_depth_of(code) for code in sgr.colour_codes} == {"truecolor", "256", "16"}


def test_a_terminal_that_goes_away_without_a_hang_up_ends_the_planner(tmp_path: Path) -> None:
    """A pty that is not the planner's controlling terminal sends no SIGHUP when its other end
    closes: the planner must still end (not spin on a dead terminal), with every edit on disk."""
    terminal = PtyTerminal([*PLANNER], environment(tmp_path, TERM="xterm-256color"))
    try:
        terminal.wait_for("Backlog")
        terminal.settle(0.5)
        terminal.send("n")
        terminal.wait_for("Title")
        terminal.send("Written before the hang-up\r")
        terminal.settle(0.5)
        os.close(terminal.master)  # the other end goes away
        terminal.master = os.open(os.devnull, os.O_RDONLY)  # for close() below
        terminal.process.wait(timeout=10)
    finally:
        terminal.close()
    titles = [path.read_text(encoding="utf-8") for path in (tmp_path / "plans" / "tasks").glob("*.toml")]
    assert any('title = "Written before the hang-up"' in text for text in titles)


def test_the_cli_prints_ascii_bars_on_the_linux_console_and_unicode_elsewhere(tmp_path: Path) -> None:
    def score_output(term: str) -> str:
        terminal = PtyTerminal([*PLANNER, "score", "--weeks", "4"], environment(tmp_path, TERM=term))
        try:
            assert terminal.wait_exit() == 0
        finally:
            terminal.close()
        return bytes(terminal.raw).decode()

    console = score_output("linux")
    assert console.isascii() and "#" in console, console
    assert "█" in score_output("xterm-256color")


def test_low_bandwidth_sends_nothing_while_the_planner_is_idle(tmp_path: Path) -> None:
    """On a slow link every byte counts: with --low-bandwidth an idle screen with a text field in
    focus sends nothing (no blinking cursor, no animation); without it the cursor blinks."""
    def idle_bytes(*options: str) -> int:
        terminal = PtyTerminal([*PLANNER, *options], environment(tmp_path, TERM="xterm-256color"))
        try:
            terminal.wait_for("Backlog")
            terminal.send("n")  # the new task form: a focused text field
            terminal.wait_for("Title")
            terminal.pump(1.5)  # the form drawn (a blinking cursor never lets the output settle)
            before = len(terminal.raw)
            terminal.pump(2.5)
            return len(terminal.raw) - before
        finally:
            terminal.close()

    assert idle_bytes("--low-bandwidth") == 0
    assert idle_bytes() > 0
