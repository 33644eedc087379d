"""Plan and plugin text on a terminal: stored as written, shown as data.

A plan file keeps exactly what people (or a synced machine, or a plugin) wrote: a title may hold any
character, and saving it back never changes it. What reaches a terminal is made safe where it is
shown: every character a terminal would act on instead of drawing (C0 and C1 controls, DEL, escape
sequences, bidi overrides and other invisible format characters) is shown as a visible escape such
as `\\x1b` or `\\u202e`. So an OSC 52 clipboard write, a window-title change or a right-to-left
override in a title reads as text and does nothing; the CLI and every screen of the app use
`printable`, and `--json` output escapes the same characters the JSON way.

`cell_width` measures text as a terminal lays it out (wide characters such as CJK and most emoji take
two cells, combining marks and joiners none), so rows of a table line up whatever the titles hold.
"""

from __future__ import annotations

import re
import unicodedata

#: Format characters that belong to the text rather than steer the terminal: the joiners inside
#: emoji sequences and some scripts, and the tag characters of subdivision flags.
_KEPT_FORMAT = frozenset("\u200c\u200d") | frozenset(chr(code) for code in range(0xE0020, 0xE0080))


def is_unsafe(char: str) -> bool:
    """Whether a terminal could act on `char` (or hide text with it) instead of drawing it."""
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Zl", "Zp"):  # controls (C0, DEL, C1), lone surrogates, U+2028/9
        return True
    return category == "Cf" and char not in _KEPT_FORMAT  # bidi overrides, zero-width spaces ...


def escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` as it may reach a terminal: unsafe characters as visible escapes, a tab as a space;
    line breaks kept when `multiline` (notes), else shown as `\\n` too."""
    if text.isprintable():  # nearly always: one pass in C
        return text
    shown = []
    for char in text:
        if char == "\n" and multiline:
            shown.append(char)
        elif char == "\t":
            shown.append(" ")
        elif is_unsafe(char):
            shown.append(escaped(char))
        else:
            shown.append(char)
    return "".join(shown)


_NON_ASCII = re.compile(r"[^\x00-\x7e]")  # DEL too


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not is_unsafe(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the first plane as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(document: str) -> str:
    """A JSON text (from json.dumps, ensure_ascii=False, which escapes C0 itself) with DEL, C1
    controls and bidi/invisible format characters escaped as `\\uXXXX`: the same JSON, safe to print
    on a terminal. Such characters only occur inside strings, where the escape means the same."""
    if document.isascii() and "\x7f" not in document:
        return document
    return _NON_ASCII.sub(_json_escape, document)


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes (after `printable`)."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells."""
    return text + " " * max(0, width - cell_width(text))


#: A title longer than this is cut where a screen lays it out: nobody reads more on a card, and
#: wrapping a megabyte of one word would stall the board.
SHOWN_TITLE = 400


def shown_title(title: str) -> str:
    """A task title as a card or a heading shows it: printable, cut with … past SHOWN_TITLE."""
    if len(title) > SHOWN_TITLE:
        return printable(title[:SHOWN_TITLE]) + "…"
    return printable(title)


def tag_label(tag: str) -> str:
    """How a tag reads: `#sql`, and a person (`@priya`) as the name they go by."""
    return printable(tag if tag.startswith("@") else f"#{tag}")
