"""The plan's days as an iCalendar file (`planner export --format ics`), for a calendar app.

A task with a day becomes an event on it: with an estimate, a timed one, the day's tasks laid out one
after another from DAY_START in board order; without, an all-day one. A task with a due day becomes a
to-do due that day. Each component's UID comes from the task's id, and DTSTAMP and LAST-MODIFIED
from its `updated`, so importing a later export updates the same events instead of adding copies,
and exporting an unchanged plan gives the same file. Text from the plan is cleaned of the controls
iCalendar does not allow, then escaped by the `icalendar` package (`;`, `,`, `\\`, line breaks).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable, Mapping

from planner.model import Board, Task
from planner.text import is_unsafe

#: When a day's timed events begin, in the plan's time zone.
DAY_START = time(9, 0)
PRODID = "-//Value Planner//planner export//EN"
UID_DOMAIN = "value-planner"


def event_uid(task_id: str) -> str:
    return f"{task_id}@{UID_DOMAIN}"


def todo_uid(task_id: str) -> str:
    return f"{task_id}-due@{UID_DOMAIN}"


def calendar_text(text: str) -> str:
    """`text` as iCalendar may hold it: line breaks as `\\n`, a tab as a space, and no other control,
    lone surrogate or invisible format character (a bidi override could disguise a title)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if text.isprintable():
        return text
    return "".join(" " if char == "\t" else char for char in text if char in "\n\t" or not is_unsafe(char))


def export_calendar(tasks: Iterable[Task], board: Board, zone: tzinfo, first: date, last: date, *,
                    practice_names: Mapping[str, str] | None = None) -> bytes:
    """The events (days) and to-dos (due days) of the tasks from `first` to `last`, as iCalendar bytes."""
    from icalendar import Calendar, Event, Todo

    names = practice_names or {}
    order = {column.id: index for index, column in enumerate(board.columns)}
    shown = sorted((task for task in tasks if task.status != "deleted"),
                   key=lambda task: (order.get(task.column, len(order)), task.rank, task.id))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_text(board.title))
    next_start: dict[date, datetime] = {}
    for task in shown:
        if task.day is not None and first <= task.day <= last:
            event = Event()
            _describe(event, task, names, event_uid(task.id))
            if task.estimate:
                start = next_start.get(task.day) or datetime.combine(task.day, DAY_START, tzinfo=zone)
                end = start + timedelta(minutes=task.estimate)
                next_start[task.day] = end
                event.add("dtstart", start.astimezone(timezone.utc))
                event.add("dtend", end.astimezone(timezone.utc))
            else:
                event.add("dtstart", task.day)
                event.add("dtend", task.day + timedelta(days=1))
            event.add("transp", "TRANSPARENT" if task.is_done else "OPAQUE")
            calendar.add_component(event)
        if task.due is not None and first <= task.due <= last:
            todo = Todo()
            _describe(todo, task, names, todo_uid(task.id))
            todo.add("due", task.due)
            todo.add("status", "COMPLETED" if task.is_done else "NEEDS-ACTION")
            if task.is_done and task.done_at is not None:
                todo.add("completed", task.done_at.astimezone(timezone.utc))
            calendar.add_component(todo)
    return calendar.to_ical()


def _describe(component, task: Task, names: Mapping[str, str], uid: str) -> None:
    component.add("uid", uid)
    component.add("dtstamp", task.updated.astimezone(timezone.utc))
    component.add("last-modified", task.updated.astimezone(timezone.utc))
    component.add("created", task.created.astimezone(timezone.utc))
    component.add("summary", calendar_text(task.title))
    if task.notes:
        component.add("description", calendar_text(task.notes))
    categories = [names.get(task.practice, task.practice)] if task.practice else []
    categories += list(task.tags)
    categories = [calendar_text(category) for category in categories if calendar_text(category)]
    if categories:
        component.add("categories", categories)
