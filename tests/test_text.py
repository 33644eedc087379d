"""Plan text on a terminal (planner.text): stored as written, shown as data."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.text import cell_width, is_unsafe, json_safe, pad, printable, tag_label

#: What a hostile title, a synced file or a plugin might carry; each must reach the terminal inert.
PAYLOADS = [
    "t \x1b]52;c;SU5KRUNURUQ=\x07 clipboard",  # OSC 52: write the clipboard
    "\x1b]0;PWNED\x07 title",  # OSC 0: set the window title
    "\x1b]2;PWNED\x1b\\ title with ST",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b[2J\x1b[H clear",  # CSI: clear the screen, home the cursor
    "\x1b[31mred\x1b[0m",  # SGR colour
    "\x9b2J 8-bit CSI",
    "\x9d0;PWNED\x9c 8-bit OSC",
    "\x1bP+q544e\x1b\\ DCS",
    "bell\x07 backspace\x08 delete\x7f",
    "carriage\rreturn",
    "null\x00byte",
    "\u202eevil\u202c right-to-left override",
    "\u2066isolate\u2069",
    "zero\u200bwidth\ufeffspace",
    "line\u2028separator",
    "[bold]markup[/] [@click=app.quit]quit[/]",
    "tab\there",
]
DANGEROUS = set("\x1b\x07\x08\x7f\r\x00\u202e\u202c\u2066\u2069\u200b\ufeff\u2028") | {chr(c) for c in range(0x80, 0xA0)}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_a_terminal_acts_on_survives_printable(payload: str) -> None:
    shown = printable(payload)
    assert not DANGEROUS & set(shown)
    assert shown.isprintable()
    assert printable(shown) == shown  # cleaning twice changes nothing


def test_escapes_are_visible_and_say_what_was_there() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("\x9b") == "\\x9b"
    assert printable("x\u202ey") == "x\\u202ey"
    assert printable("[bold]x[/]") == "[bold]x[/]"  # markup is not the terminal's business: kept


def test_line_breaks_stay_in_notes_but_not_in_a_title() -> None:
    assert printable("one\ntwo\x1b") == "one\\x0atwo\\x1b"
    assert printable("one\ntwo\x1b", multiline=True) == "one\ntwo\\x1b"


def test_ordinary_text_of_every_script_is_left_alone() -> None:
    for text in ("Café à Zürich", "会议记录", "Привет", "مرحبا", "👩‍💻 pair session", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland", "e\u0301"):
        assert printable(text) == text


@pytest.mark.parametrize(("text", "width"), [
    ("plain", 5), ("会议", 4), ("👍 ok", 5), ("e\u0301", 1), ("a\u200db", 2), ("", 0),
])
def test_cell_width_counts_terminal_cells(text: str, width: int) -> None:
    assert cell_width(text) == width
    assert cell_width(pad(text, 8)) == max(8, width)


def test_tags_read_as_hashtags_and_people_as_at_names() -> None:
    assert tag_label("sql") == "#sql"
    assert tag_label("@priya") == "@priya"
    assert tag_label("x\x1b[2J") == "#x\\x1b[2J"


@given(st.text())
def test_json_safe_is_the_same_json_with_nothing_raw(text: str) -> None:
    document = json_safe(json.dumps({"title": text}, ensure_ascii=False))
    assert json.loads(document) == {"title": text}
    assert not any(is_unsafe(char) for char in document if char not in "\n")
