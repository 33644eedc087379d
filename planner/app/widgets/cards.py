"""How one task looks as a card: styled runs of plain text, never parsed as markup.

A card is laid out here, word by word, rather than by Textual's general text wrapping: a board
needs the height of every card (a thousand at start-up) to know its length, and only renders the
few in view. Measuring a card is a few microseconds this way.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Iterable

from rich.cells import cell_len, get_character_cell_size
from textual.content import Content

from planner.api import Practice
from planner.app import look
from planner.dates import format_minutes
from planner.merge import CONFLICTS_KEY
from planner.model import Task
from planner.terminal import text_colour_on
from planner.text import printable, shown_title, tag_label

#: The style of a card's tags, by which card_lines knows them.
TAG_STYLE = "dim italic"
#: A piece of text and its style ("" for none).
Run = tuple[str, str]
#: One screen line of a card.
Line = list[Run]


@lru_cache(maxsize=64)
def badge_run(label: str, colour: str, width: int = 6) -> Run:
    """A practice's label centred on its colour: the label is text, so colour is never alone. No
    colour ("", a terminal without colour): the label in reverse."""
    style = f"bold {text_colour_on(colour)} on {colour}" if colour else "bold reverse"
    return (f"{printable(label)[:width]:^{width}}", style)


def practice_run(practice: Practice, width: int = 6) -> Run:
    """The practice's badge in the colour this terminal gives it (planner.app.look)."""
    return badge_run(practice.label, look.current().practice_colour(practice), width)


def practice_badge(practice: Practice | None, fallback: str = "") -> Content:
    """The practice's short label on its colour, as Content."""
    if practice is None:
        return Content(f"{fallback or '-':^6}") if fallback else Content("")
    return Content.assemble(practice_run(practice))


def fit_word(text: str, width: int) -> str:
    """A word that must not be split across lines (a tag): itself, or cut to `width` cells with an
    ellipsis when no line is that wide."""
    if (len(text) if text.isascii() else cell_len(text)) <= width:
        return text
    return cut_cells(text, max(width - 1, 1))[0] + "…"


def due_part(task: Task, today: date) -> Run | None:
    """The due date; overdue says so in words, not only in colour."""
    if task.due is None:
        return None
    if task.is_open and task.due < today:
        return (f"OVERDUE {task.due:%a %d %b}", "bold reverse")
    if task.is_open and task.due == today:
        return ("due today", "bold")
    return (f"due {task.due:%a %d %b}", "")


def card_parts(task: Task, practice: Practice | None, today: date, *, show_day: bool = True) -> tuple[Line, Line]:
    """A card's head (badge, title) and its details (due date, day, estimate, tags)."""
    head: Line = []
    if practice is not None:
        head.append(practice_run(practice))
    elif task.practice:
        head.append((f"{task.practice:^6}", ""))
    if CONFLICTS_KEY in task.extra:  # a sync kept another machine's value: the details settle it
        head.append(("⚠", "bold"))
    if task.repeat:  # a repeating task: done, it makes the next one
        head.append(("↻", ""))
    title = shown_title(task.title)
    head.append((title, "strike") if task.is_done else (title, ""))
    details: Line = []
    due = due_part(task, today)
    if due is not None:
        details.append(due)
    if show_day and task.day is not None:
        details.append((f"on {task.day:%a}", "dim"))
    if task.estimate:
        details.append((format_minutes(task.estimate), "dim"))
    if task.tags:
        details.append((" ".join(tag_label(tag) for tag in task.tags), TAG_STYLE))
    return head, details


def card_content(task: Task, practice: Practice | None, today: date, *, show_day: bool = True) -> Content:
    """The card as one Content: head, then details on a second line."""
    head, details = card_parts(task, practice, today, show_day=show_day)
    parts: list[Run] = []
    for index, run in enumerate(head):
        parts += [(" ", "")] * (index > 0) + [run]
    for index, run in enumerate(details):
        parts += [("\n", "") if index == 0 else (" · ", "dim"), run]
    return Content.assemble(*parts)


def card_lines(task: Task, practice: Practice | None, today: date, width: int) -> list[Line]:
    """The card wrapped to `width` cells: head, details, then a blank line so cards read as cards."""
    head, details = card_parts(task, practice, today)
    lines = wrap_words(title_words(head), width)
    detail_words: Line = []
    for index, (text, style) in enumerate(details):
        if index:
            detail_words.append(("·", "dim"))
        words = split_words(text, style)
        if style == TAG_STYLE:  # a tag is one word to read: never split, cut with … when too long
            words = [(fit_word(word, width), style) for word, style in words]
        detail_words += words
    lines += wrap_words(detail_words, width)
    lines.append([])
    return lines


# --- word wrapping ---------------------------------------------------------------------------------

def title_words(runs: Line) -> Line:
    """A card's head as words to wrap: the runs before the title (badge, tick) stay whole, whatever
    their spaces; the title, the last run, breaks between its words."""
    return [*runs[:-1], *split_words(*runs[-1])] if runs else []


def split_words(text: str, style: str) -> Line:
    return [(word, style) for word in text.split()]


def wrap_words(words: Iterable[Run], width: int) -> list[Line]:
    """Greedy word wrap to `width` cells: a single space between words (styled like the words when
    both sides share a style, so a struck-through title stays one line), and a word longer than a
    line cut across lines."""
    width = max(width, 1)
    lines: list[Line] = []
    line: Line = []
    used = 0
    last_style: str | None = None
    for text, style in words:
        size = len(text) if text.isascii() else cell_len(text)
        if line and used + 1 + size <= width:
            line.append((" ", style if style == last_style else ""))
            line.append((text, style))
            used += 1 + size
            last_style = style
            continue
        if line:
            lines.append(line)
            line, used = [], 0
        while size > width:
            head, text = cut_cells(text, width)
            lines.append([(head, style)])
            size = cell_len(text)
        if text:
            line, used, last_style = [(text, style)], size, style
    if line:
        lines.append(line)
    return lines


def cut_cells(text: str, width: int) -> tuple[str, str]:
    """`text` split after at most `width` cells (at least one character, so wrapping ends)."""
    used = 0
    for index, character in enumerate(text):
        used += get_character_cell_size(character)
        if used > width:
            return text[:max(index, 1)], text[max(index, 1):]
    return text, ""


def truncate_line(runs: Iterable[Run], width: int) -> Line:
    """One line of `runs`, cut with an ellipsis when longer than `width` cells."""
    line: Line = []
    used = 0
    for text, style in runs:
        size = cell_len(text)
        if used + size <= width:
            line.append((text, style))
            used += size
            continue
        room = width - used - 1
        if room > 0:
            line.append((cut_cells(text, room)[0], style))
        line.append(("…", style))
        break
    return line
