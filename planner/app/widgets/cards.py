"""How one task looks as a card: Content built from plain text, never parsed as markup."""

from __future__ import annotations

from datetime import date

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
    return Content.assemble((f"{practice.label:^6}", f"bold {text_colour_on(practice.color)} on {practice.color}"))


def due_text(task: Task, today: date) -> Content | None:
    if task.due is None:
        return None
    when = f"{task.due:%a %d %b}"
    if task.is_open and task.due < today:
        return Content.assemble((f"OVERDUE {when}", "bold #ff5f5f reverse"))
    if task.is_open and task.due == today:
        return Content.assemble((f"due today", "bold #ffaf00"))
    return Content(f"due {when}")


def card_content(task: Task, practice: Practice | None, today: date, *, show_day: bool = True) -> Content:
    """Two or more lines: badge and title, then due date, day, estimate and tags."""
    title = Content(task.title)
    if task.is_done:
        title = title.stylize("strike")
    first = Content.assemble(practice_badge(practice, task.practice or ""), " " if practice or task.practice else "",
                             title)
    details: list[Content] = []
    due = due_text(task, today)
    if due is not None:
        details.append(due)
    if show_day and task.day is not None:
        details.append(Content(f"on {task.day:%a}"))
    if task.estimate:
        details.append(Content(format_minutes(task.estimate)))
    if task.tags:
        details.append(Content(" ".join(f"#{tag}" for tag in task.tags)).stylize("italic"))
    if not details:
        return first
    second = Content(" · ").join(details).stylize("dim") if not due or task.is_done else Content(" · ").join(details)
    return Content.assemble(first, "\n", second)
