"""Plan data as text a person reads, Markdown to share, or JSON for scripts.

Plain strings only: the CLI prints them as they are and the TUI wraps them in Content, so user text
is never read as markup anywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from planner.dates import format_minutes
from planner.merge import CONFLICTS_KEY, task_conflicts
from planner.model import Board, Task, WeekView
from planner.terminal import UNICODE, Glyphs
from planner.text import cell_width, pad, printable, tag_label

if TYPE_CHECKING:  # scoring imports the plugin host; listing tasks must not pay for it
    from planner.scoring import WeekScore

BAR_WIDTH = 20


def task_json(task: Task, short_id: str) -> dict[str, Any]:
    """A task for scripts; `short_id` is the id as people see it (Session.short_ids), which every
    command accepts as well as the full `id`."""
    return {
        "id": task.id,
        "short_id": short_id,
        "title": task.title,
        "status": task.status,
        "practice": task.practice,
        "column": task.column,
        "rank": task.rank,
        "week": task.week,
        "day": _iso(task.day),
        "due": _iso(task.due),
        "estimate": task.estimate,
        "spent": task.spent,
        "tags": list(task.tags),
        "notes": task.notes,
        "created": _iso(task.created),
        "updated": _iso(task.updated),
        "done_at": _iso(task.done_at),
        "outcome": task.outcome,
        "impact": dict(task.impact),
        "repeat": task.repeat or None,
        "series": task.series,
        "conflicts": [{"field": conflict.field, "other": _json_value(conflict.value)}
                      for conflict in task_conflicts(task)],
    }


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def task_table(tasks: Sequence[Task], board: Board, labels: Mapping[str, str], short_ids: Mapping[str, str]) -> str:
    """One line per task: short id, column, practice label, title, then day/due/estimate/tags."""
    if not tasks:
        return "No tasks."
    titles = {column.id: column.title for column in board.columns}
    rows = []
    for task in tasks:
        details = []
        if task.day:
            details.append(f"on {task.day:%a %d %b}")
        elif task.week:
            details.append(task.week)
        if task.due:
            details.append(f"due {task.due:%a %d %b}")
        if task.estimate:
            details.append(format_minutes(task.estimate))
        details.extend(tag_label(tag) for tag in task.tags)
        status = {"done": "✓ ", "deleted": "✗ "}.get(task.status, "") + ("⚠ " if CONFLICTS_KEY in task.extra else "")
        rows.append((printable(short_ids[task.id]), printable(titles.get(task.column, task.column)),
                     printable(labels.get(task.practice or "", task.practice or "-")), status + printable(task.title),
                     "  ".join(details)))
    # Widths in terminal cells: a wide or zero-width character in a column title must not shift a row.
    widths = [max(cell_width(row[index]) for row in rows) for index in range(3)]
    return "\n".join(
        f"{pad(row[0], widths[0])}  {pad(row[1], widths[1])}  {pad(row[2], widths[2])}  {row[3]}"
        + (f"  ({row[4]})" if row[4] else "")
        for row in rows
    )


def task_detail(task: Task, board: Board, practice_name: str | None, short_id: str) -> str:
    titles = {column.id: column.title for column in board.columns}
    lines = [printable(task.title), "", f"id        {printable(describe_id(task.id, short_id))}",
             f"status    {task.status}", f"column    {printable(titles.get(task.column, task.column))}",
             f"practice  {printable(practice_name or task.practice or '-')}"]
    for label, value in (("week", task.week), ("day", task.day), ("due", task.due),
                         ("estimate", format_minutes(task.estimate)), ("spent", format_minutes(task.spent)),
                         ("tags", " ".join(tag_label(tag) for tag in task.tags)), ("created", task.created),
                         ("updated", task.updated), ("done", task.done_at), ("repeat", task.repeat)):
        if value:
            lines.append(f"{label:<9} {value}")
    for conflict in task_conflicts(task):
        other = "(no value)" if conflict.value is None else repr(conflict.value)
        lines.append(printable(f"⚠ conflict {conflict.field}: changed on two machines; the other value was {other} "
                               f"(`planner resolve {short_id} {conflict.field} current|other`)"))
    if task.outcome or task.impact:
        lines += ["", "outcome   " + printable(task.outcome or "-", multiline=True).replace("\n", "\n          ")]
        lines += [printable(f"          {metric} = {value:g}") for metric, value in task.impact.items()]
    if task.notes:
        lines += ["", printable(task.notes, multiline=True)]
    return "\n".join(lines)


def describe_id(task_id: str, short_id: str) -> str:
    """`7kq2m9x` (full id 7kq2m9xb3a0c4d5e): the short id to type, and the whole one."""
    return task_id if short_id == task_id else f"{short_id} (full id {task_id})"


def score_bar(value: float | None, width: int = BAR_WIDTH, glyphs: Glyphs = UNICODE) -> str:
    if value is None:
        return glyphs.no_score * width
    filled = round(value / 100 * width)
    return glyphs.full * filled + glyphs.empty * (width - filled)


def format_score(value: float | None) -> str:
    return "  -" if value is None else f"{value:3.0f}"


def week_score_text(result: WeekScore, previous: WeekScore | None = None) -> str:
    lines = []
    names = max((cell_width(printable(entry.practice.name)) for entry in result.practices), default=0)
    for entry in result.practices:
        value = entry.score.value if entry.score else None
        reason = entry.score.reason if entry.score else "nothing to score this week"
        lines.append(f"{pad(printable(entry.practice.label), 6)} {pad(printable(entry.practice.name), names)}  "
                     f"{score_bar(value)} {format_score(value)}  {printable(reason)}")
    value = result.value
    trend = ""
    if previous is not None and previous.value is not None and value is not None:
        delta = value - previous.value
        trend = f"  ({'+' if delta >= 0 else ''}{delta:.0f} on {previous.week.label})"
    lines.append(f"\nWeekly value score  {score_bar(value)} {format_score(value)}{trend}")
    return "\n".join(lines)


def weeks_table(results: Sequence[WeekScore]) -> str:
    """Weeks as rows, the value score and each practice's score as columns."""
    if not results:
        return ""
    practices = [entry.practice for entry in results[-1].practices]
    header = "week      value " + " ".join(" " * (6 - cell_width(label)) + label
                                              for label in (printable(practice.label) for practice in practices))
    lines = [header]
    for result in results:
        if not result.has_data:
            lines.append(f"{result.week.label}  no data (before the plan began)")
            continue
        scores = result.by_practice()
        cells = " ".join(
            f"{format_score(scores[p.id].value if p.id in scores else None):>6}" for p in practices
        )
        lines.append(f"{result.week.label}  {format_score(result.value):>5} {cells}  {score_bar(result.value, 10)}")
    return "\n".join(lines)


def score_json(result: WeekScore) -> dict[str, Any]:
    return {
        "week": result.week.label,
        "start": result.week.start.isoformat(),
        "end": result.week.end.isoformat(),
        "has_data": result.has_data,  # false: the week ended before the plan began (value is null)
        "value": result.value,
        "practices": [
            {"id": entry.practice.id, "name": entry.practice.name, "weight": entry.weight,
             "score": entry.score.value if entry.score else None,
             "reason": entry.score.reason if entry.score else None}
            for entry in result.practices
        ],
    }


def week_json(week: WeekView, tasks: Sequence[Task], short_ids: Mapping[str, str]) -> dict[str, Any]:
    plan = week.plan
    return {
        "week": week.label,
        "days": [day.isoformat() for day in week.days],
        "intentions": dict(plan.intentions),
        "answers": {"plan": dict(plan.plan_answers), "review": dict(plan.review_answers)},
        "notes": plan.notes,
        "reviewed_at": _iso(plan.reviewed_at),
        "tasks": [task_json(task, short_ids[task.id]) for task in tasks],
    }


def week_text(week: WeekView, tasks: Sequence[Task], labels: Mapping[str, str],
              prompt_texts: Mapping[str, str]) -> str:
    """The week as a person plans it: intentions, then each day with its tasks, then answers."""
    lines = [f"Week {week.label}  ({week.start:%a %d %b} - {week.end:%a %d %b %Y})"]
    if week.plan.reviewed_at:
        lines[0] += f"  reviewed {week.plan.reviewed_at:%a %d %b}"
    if week.plan.intentions:
        lines += ["", "Intentions"]
        lines += [f"  {pad(printable(labels.get(key, key)), 6)} {printable(text)}"
                  for key, text in week.plan.intentions.items()]

    def line(task: Task) -> str:
        mark = "✓" if task.is_done else "·"
        extra = f"  ({format_minutes(task.estimate)})" if task.estimate else ""
        return f"  {mark} {pad(printable(labels.get(task.practice or '', '-')), 6)} {printable(task.title)}{extra}"

    by_day = {day: [task for task in tasks if task.day == day] for day in week.days}
    for day, day_tasks in by_day.items():
        marker = "  <- today" if day == week.today else ""
        lines += ["", f"{day:%a %d %b}{marker}"]
        lines += [line(task) for task in day_tasks] or ["  -"]
    floating = [task for task in tasks if task.day is None and task.week == week.label]
    if floating:
        lines += ["", "Any day this week"] + [line(task) for task in floating]
    unplanned = [task for task in tasks if task.week != week.label]
    if unplanned:  # done during the week without being scheduled into it: still this week's value
        lines += ["", "Also done this week"] + [line(task) for task in unplanned]
    for phase, answers in (("Plan", week.plan.plan_answers), ("Review", week.plan.review_answers)):
        if answers:
            lines += ["", f"{phase} answers"]
            for key, text in answers.items():
                lines += [f"  {prompt_texts.get(key, key)}", f"    {text}"]
    if week.plan.notes:
        lines += ["", "Notes", week.plan.notes]
    return "\n".join(lines)


def week_markdown(week: WeekView, tasks: Sequence[Task], labels: Mapping[str, str],
                  prompt_texts: Mapping[str, str], result: WeekScore | None) -> str:
    lines = [f"# Week {week.label} ({week.start:%d %b} - {week.end:%d %b %Y})", ""]
    if week.plan.intentions:
        lines += ["## Intentions", ""]
        lines += [f"- **{labels.get(key, key)}**: {text}" for key, text in week.plan.intentions.items()] + [""]
    lines += ["## Tasks", ""]
    for task in tasks:
        box = "x" if task.is_done else " "
        when = f" ({task.day:%a})" if task.day else ""
        lines.append(f"- [{box}] {task.title}{when} `{labels.get(task.practice or '', '-')}`")
    if not tasks:
        lines.append("No tasks.")
    for phase, answers in (("Plan", week.plan.plan_answers), ("Review", week.plan.review_answers)):
        if answers:
            lines += ["", f"## {phase}", ""]
            for key, text in answers.items():
                lines += [f"**{prompt_texts.get(key, key)}**", "", text, ""]
    if result is not None:
        lines += ["", "## Score", "", "| Practice | Score | Why |", "| --- | --- | --- |"]
        for entry in result.practices:
            score = entry.score
            lines.append(f"| {entry.practice.name} | {format_score(score.value if score else None).strip()} | "
                         f"{score.reason if score else 'nothing to score'} |")
        lines += ["", f"**Weekly value score: {format_score(result.value).strip()}**"]
    if week.plan.notes:
        lines += ["", "## Notes", "", week.plan.notes]
    return "\n".join(lines) + "\n"
