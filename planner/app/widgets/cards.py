"""How one task looks as a card: Content built from plain text, never parsed as markup."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from textual.content import Content

from planner.api import Practice
from planner.dates import format_minutes
from planner.model import Task


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (#rrggbb)."""
    red, green, blue = (int(background[index:index + 2], 16) / 255 for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.45 else "#ffffff"


def practice_badge(practice: Practice | None, fallback: str = "") -> Content:
    """The practice's short label on its colour: the label is text, so colour is never alone."""
    if practice is None:
        return Content(f"{fallback or '-':^6}") if fallback else Content("")
    return _badge(practice.label, practice.color)


@lru_cache(maxsize=64)
def _badge(label: str, colour: str) -> Content:
    return Content.assemble((f"{label:^6}", f"bold {text_colour_on(colour)} on {colour}"))


def due_part(task: Task, today: date) -> tuple[str, str] | None:
    """The due date as (text, style); overdue says so in words, not only in colour."""
    if task.due is None:
        return None
    if task.is_open and task.due < today:
        return (f"OVERDUE {task.due:%a %d %b}", "bold reverse")
    if task.is_open and task.due == today:
        return ("due today", "bold")
    return (f"due {task.due:%a %d %b}", "")


def card_content(task: Task, practice: Practice | None, today: date, *, show_day: bool = True) -> Content:
    """Badge and title, then due date, day, estimate and tags: one Content built in one pass (a board
    renders a thousand of these at start-up)."""
    parts: list[str | Content | tuple[str, str]] = []
    if practice is not None or task.practice:
        parts += [practice_badge(practice, task.practice or ""), " "]
    parts.append((task.title, "strike") if task.is_done else task.title)
    details: list[tuple[str, str]] = []
    due = due_part(task, today)
    if due is not None:
        details.append(due)
    if show_day and task.day is not None:
        details.append((f"on {task.day:%a}", "dim"))
    if task.estimate:
        details.append((format_minutes(task.estimate), "dim"))
    if task.tags:
        details.append((" ".join(f"#{tag}" for tag in task.tags), "dim italic"))
    for index, detail in enumerate(details):
        parts += ["\n" if index == 0 else (" · ", "dim"), detail]
    return Content.assemble(*parts)
