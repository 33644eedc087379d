"""Evidence of value: what a period's done tasks changed, gathered for the Impact screen and written
as a brag document (`planner brag`) in Markdown, HTML or JSON, ready for a review or a job search.

`collect` reads the plan once; the writers only format. Plan text is data in every format: Markdown
and HTML escape it (a title `[x](javascript:...)` or `<script>` comes out as those characters), and
control characters become visible escapes (planner.text.printable), never raw bytes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, Callable, Iterable, Mapping

from planner.dates import format_minutes, week_of
from planner.model import Task, one_line
from planner.text import printable

#: Practices whose done tasks the brag document lists under their own headings.
FEEDBACK, LEARNING = "feedback", "learning"


@dataclass(frozen=True)
class Highlight:
    task: Task
    week: str
    practice_name: str

    @property
    def largest_number(self) -> float:
        return max((abs(value) for value in self.task.impact.values()), default=0.0)


@dataclass(frozen=True)
class PracticeSummary:
    practice_id: str
    name: str
    done: int
    minutes: int
    outcomes: int


@dataclass
class Evidence:
    """The value created between `start` and `end` (days, both included)."""

    title: str
    start: date
    end: date
    summaries: list[PracticeSummary] = field(default_factory=list)
    #: Done tasks with an outcome or numbers: the largest numbers first, then the latest.
    highlights: list[Highlight] = field(default_factory=list)
    #: Numbers summed by metric, over every done task of the period.
    totals: dict[str, float] = field(default_factory=dict)
    #: People worked with or for (tags and outcomes), most often first: name -> tasks.
    people: list[tuple[str, int]] = field(default_factory=list)
    feedback: list[Highlight] = field(default_factory=list)
    learned: list[Highlight] = field(default_factory=list)
    done: int = 0

    @property
    def sections(self) -> tuple[tuple[str, list[Highlight]], ...]:
        """The document's lists of tasks, each under its heading."""
        return (("Highlights", self.highlights), ("Feedback received and acted on", self.feedback),
                ("Things learned", self.learned))

    @property
    def period(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def collect(tasks: Iterable[Task], practice_names: Mapping[str, str], start: date, end: date, zone: tzinfo,
            week_start: int = 0, title: str = "") -> Evidence:
    """The evidence of the tasks done from `start` to `end` (in the plan's zone). `practice_names`
    orders the practices; a task of a practice not named is shown under its id."""
    evidence = Evidence(title, start, end)
    by_practice: dict[str, list[Task]] = {}
    people: Counter[str] = Counter()
    for task in tasks:
        if task.status != "done" or task.done_at is None:
            continue
        day = task.done_at.astimezone(zone).date()
        if not start <= day <= end:
            continue
        evidence.done += 1
        by_practice.setdefault(task.practice or "", []).append(task)
        for metric, value in task.impact.items():
            evidence.totals[metric] = evidence.totals.get(metric, 0) + value
        for person in dict.fromkeys((*task.people, *task.outcome_people)):
            people[person] += 1
        if task.outcome or task.impact:
            name = practice_names.get(task.practice or "", task.practice or "No practice")
            highlight = Highlight(task, week_of(day, week_start), name)
            evidence.highlights.append(highlight)
            if task.practice == FEEDBACK:
                evidence.feedback.append(highlight)
            elif task.practice == LEARNING:
                evidence.learned.append(highlight)
    order = list(practice_names) + sorted(set(by_practice) - set(practice_names))
    for practice_id in order:
        done = by_practice.get(practice_id, [])
        if done:
            evidence.summaries.append(PracticeSummary(
                practice_id, practice_names.get(practice_id, practice_id or "No practice"), len(done),
                sum(task.minutes for task in done), sum(1 for task in done if task.outcome or task.impact)))
    latest_first = sorted(evidence.highlights, key=lambda item: item.task.done_at, reverse=True)
    evidence.highlights = sorted(latest_first, key=lambda item: item.largest_number, reverse=True)
    evidence.feedback.sort(key=lambda item: item.task.done_at)
    evidence.learned.sort(key=lambda item: item.task.done_at)
    evidence.people = sorted(people.items(), key=lambda item: (-item[1], item[0]))
    return evidence


def number(value: float) -> str:
    """`110`, `2.5`, `1,200`: a number as a person reads it."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def metric_name(metric: str) -> str:
    return metric.replace("_", " ").replace("-", " ")


def numbers_text(numbers: Mapping[str, float], escape: Callable[[str], str] = str) -> str:
    """`110 minutes saved per week, 4 team leads`, each piece through `escape` for its format."""
    return ", ".join(f"{escape(number(value))} {escape(metric_name(metric))}" for metric, value in numbers.items())


def summary_line(summary: PracticeSummary) -> str:
    parts = [f"{summary.done} task{'s' * (summary.done != 1)} done"]
    if summary.minutes:
        parts.append(format_minutes(summary.minutes))
    if summary.outcomes:
        parts.append(f"{summary.outcomes} with an outcome")
    return ", ".join(parts)


# --- Markdown ----------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md(text: str) -> str:
    """Plan text as Markdown text: every character that could start markup is escaped, `&`, `<`
    and `>` become entities (so no HTML passes through), control characters visible escapes."""
    cleaned = printable(one_line(text))
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", cleaned)


def to_markdown(evidence: Evidence) -> str:
    lines = [f"# Value created: {md(evidence.period)}", ""]
    if evidence.title:
        lines += [f"*{md(evidence.title)}*", ""]
    if not evidence.done:
        return "\n".join(lines + ["Nothing was marked done in this period.", ""])
    lines += ["## Summary", ""]
    lines += [f"- **{md(summary.name)}**: {md(summary_line(summary))}" for summary in evidence.summaries]
    if evidence.totals:
        lines += ["", "Numbers, summed: " + numbers_text(evidence.totals, md)]
    for heading, items in evidence.sections:
        if items:
            lines += ["", f"## {heading}", ""]
            lines += [_markdown_item(item) for item in items]
    if evidence.people:
        lines += ["", "## People worked with", ""]
        lines.append(", ".join(f"{md(name)} ({count})" for name, count in evidence.people))
    return "\n".join(lines) + "\n"


def _markdown_item(item: Highlight) -> str:
    task = item.task
    line = f"- **{md(task.title)}** ({md(item.week)}, {md(item.practice_name)})"
    if task.outcome:
        line += f": {md(task.outcome)}"
    if task.impact:
        line += " — " + numbers_text(task.impact, md)
    return line


# --- HTML --------------------------------------------------------------------------------------

HTML_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
       border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.subtitle { color: #555; margin-top: 0; } .meta { color: #555; } .numbers { font-variant-numeric: tabular-nums; }
li { margin: 0.3em 0; } @media print { body { margin: 0; max-width: none; font-size: 11pt; } h2 { break-after: avoid; }
li { break-inside: avoid; } }
"""


def h(text: str) -> str:
    return html.escape(printable(one_line(text)), quote=True)


def to_html(evidence: Evidence) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>Value created: {h(evidence.period)}</title>", f"<style>{HTML_STYLE}</style>", "</head>",
             "<body>", f"<h1>Value created: {h(evidence.period)}</h1>"]
    if evidence.title:
        parts.append(f'<p class="subtitle">{h(evidence.title)}</p>')
    if not evidence.done:
        parts.append("<p>Nothing was marked done in this period.</p>")
    else:
        parts.append("<h2>Summary</h2><ul>")
        parts += [f"<li><strong>{h(summary.name)}</strong>: {h(summary_line(summary))}</li>"
                  for summary in evidence.summaries]
        parts.append("</ul>")
        if evidence.totals:
            parts.append(f'<p class="numbers">Numbers, summed: {numbers_text(evidence.totals, h)}</p>')
        for heading, items in evidence.sections:
            if items:
                parts.append(f"<h2>{heading}</h2><ul>")
                parts += [_html_item(item) for item in items]
                parts.append("</ul>")
        if evidence.people:
            parts.append("<h2>People worked with</h2><p>" + ", ".join(
                f"{h(name)} ({count})" for name, count in evidence.people) + "</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_item(item: Highlight) -> str:
    task = item.task
    text = f'<li><strong>{h(task.title)}</strong> <span class="meta">({h(item.week)}, {h(item.practice_name)})</span>'
    if task.outcome:
        text += f": {h(task.outcome)}"
    if task.impact:
        text += f' <span class="numbers">— {numbers_text(task.impact, h)}</span>'
    return text + "</li>"


# --- JSON --------------------------------------------------------------------------------------

def to_json(evidence: Evidence, short_ids: Mapping[str, str]) -> dict[str, Any]:
    def item(highlight: Highlight) -> dict[str, Any]:
        task = highlight.task
        return {"id": task.id, "short_id": short_ids.get(task.id, task.id), "title": task.title,
                "practice": task.practice, "week": highlight.week, "done_at": task.done_at.isoformat(),
                "outcome": task.outcome, "impact": dict(task.impact), "people": list(task.outcome_people)}

    return {
        "from": evidence.start.isoformat(), "to": evidence.end.isoformat(), "title": evidence.title,
        "done": evidence.done,
        "practices": [{"id": summary.practice_id or None, "name": summary.name, "done": summary.done,
                       "minutes": summary.minutes, "outcomes": summary.outcomes} for summary in evidence.summaries],
        "totals": evidence.totals,
        "highlights": [item(highlight) for highlight in evidence.highlights],
        "feedback": [item(highlight) for highlight in evidence.feedback],
        "learned": [item(highlight) for highlight in evidence.learned],
        "people": [{"name": name, "tasks": count} for name, count in evidence.people],
    }
