"""The brag document: what a period's done tasks changed, in Markdown, HTML and JSON, with plan text
kept as text in each format; periods as people name them; `planner brag` through the console script."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from planner.brag import collect, to_html, to_json, to_markdown
from planner.dates import DateError, resolve_period
from planner.model import Task

from cli_runner import PlannerRunner

UTC = timezone.utc
NAMES = {"skills": "Sharpen your skills", "feedback": "Seek feedback", "learning": "Continuously learn"}
HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) **bold** <img src=x onerror=alert(1)>"


def done(task_id: str, title: str, when: str, practice: str | None = "skills", **fields) -> Task:
    moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return Task(task_id, title, moment, moment, status="done", column="done", done_at=moment, practice=practice,
                **fields)


TASKS = [
    done("a1", "Automate the weekly report", "2026-08-03T10:00", outcome="Takes 10 min, not a day; used by @anna",
         impact={"minutes_saved_per_week": 110}, tags=("@raj",), estimate=90),
    done("a2", "Fix the export", "2026-09-10T10:00", outcome="No more manual CSV", impact={"minutes_saved_per_week": 30}),
    done("a3", "Ask Priya about the draft", "2026-07-15T10:00", practice="feedback",
         outcome="Moved the key number top-left after @priya's review", tags=("@priya",)),
    done("a4", "Read on survival analysis", "2026-08-20T10:00", practice="learning",
         outcome="Kaplan-Meier fits churn better than a plain rate"),
    done("a5", "Plain task, no outcome", "2026-08-21T10:00", estimate=30),
    done("a6", "Outside the period", "2026-10-02T10:00", outcome="Later", impact={"minutes_saved_per_week": 999}),
    Task("a7", "Open task", datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC), outcome="x"),
]


def evidence(tasks=TASKS, start=date(2026, 7, 1), end=date(2026, 9, 30)):
    return collect(tasks, NAMES, start, end, UTC, 0, "Sam's plan")


def test_collect_sums_numbers_orders_highlights_and_counts_people() -> None:
    found = evidence()
    assert found.done == 5
    assert found.totals == {"minutes_saved_per_week": 140}  # a6 is outside, a7 not done
    assert [item.task.id for item in found.highlights][:2] == ["a1", "a2"]  # largest numbers first
    assert {item.task.id for item in found.highlights} == {"a1", "a2", "a3", "a4"}
    assert [item.week for item in found.highlights][:1] == ["2026-W32"]
    assert [item.task.id for item in found.feedback] == ["a3"] and [item.task.id for item in found.learned] == ["a4"]
    assert dict(found.people) == {"anna": 1, "raj": 1, "priya": 1}
    skills = next(summary for summary in found.summaries if summary.practice_id == "skills")
    assert (skills.done, skills.minutes, skills.outcomes) == (3, 120, 2)
    assert [summary.practice_id for summary in found.summaries] == ["skills", "feedback", "learning"]


def test_markdown_renders_plan_text_as_text() -> None:
    tasks = [done("h1", HOSTILE, "2026-08-01T10:00", outcome=HOSTILE + "\x1b[31m red", impact={"n": 2.5})]
    text = to_markdown(evidence(tasks))
    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered and "href" not in rendered
    assert "<strong>bold</strong>" not in rendered and "**bold**" in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(1)) **bold**" in rendered
    assert "\x1b" not in text and "\\x1b" in rendered  # a control character shows as a visible escape
    assert "2.5 n" in rendered


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_file_with_plan_text_as_text() -> None:
    tasks = [done("h1", HOSTILE, "2026-08-01T10:00", outcome=HOSTILE)]
    page = to_html(evidence(tasks))
    parsed = Elements()
    parsed.feed(page)
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "ul", "li",
                                "strong", "span"}
    assert HOSTILE in "".join(parsed.text)
    assert "http" not in page and "<link" not in page and "<script" not in page  # nothing fetched
    assert "@media print" in page


def test_json_is_for_scripts() -> None:
    document = to_json(evidence(), {"a1": "a1"})
    assert json.loads(json.dumps(document)) == document
    assert document["totals"] == {"minutes_saved_per_week": 140}
    assert document["highlights"][0]["impact"] == {"minutes_saved_per_week": 110}
    assert document["highlights"][0]["people"] == ["anna"]


def test_an_empty_period_says_so() -> None:
    assert "Nothing was marked done in this period." in to_markdown(evidence([], date(2025, 1, 1), date(2025, 3, 31)))


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("last-quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("this-quarter", date(2026, 10, 1), date(2026, 12, 31)),
    ("last-month", date(2026, 10, 1), date(2026, 10, 31)),
    ("last-year", date(2025, 1, 1), date(2025, 12, 31)),
    ("this-half", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026-07-01", date(2026, 7, 1), date(2026, 7, 1)),
])
def test_periods_as_people_name_them(text: str, first: date, last: date) -> None:
    assert resolve_period(text, date(2026, 11, 26)) == (first, last)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "soon", "", "10000", "next-year-ish"])
def test_a_period_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(DateError):
        resolve_period(text, date(2026, 11, 26))


# --- the console script ------------------------------------------------------------------------


def test_planner_brag_writes_each_format(run: PlannerRunner, tmp_path: Path) -> None:
    run.ok("init")
    task = run.json("add", HOSTILE, "--practice", "feedback", "--json")
    run.ok("done", task["id"], "--outcome", "Changed the chart after @priya's review", "--impact", "people=3")
    text = run.ok("brag").stdout  # this quarter: the demo clock stands in 2026-Q4
    assert text.startswith("# Value created: 01 Oct 2026 – 31 Dec 2026")
    assert "Changed the chart after @priya's review — 3 people" in text and "<script>" not in text
    out = tmp_path / "brag.html"
    written = run.ok("brag", "--from", "2026-10-01", "--to", "2026-12-31", "--format", "html", "--output", str(out))
    assert written.stdout.startswith(f"Wrote {out}: 1 tasks done, 1 with an outcome")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    document = run.json("brag", "2026", "--format", "json")
    assert document["from"] == "2026-01-01" and document["highlights"][0]["title"] == HOSTILE
    assert run.json("brag", "2026-Q3", "--format", "json")["done"] == 0


@pytest.mark.parametrize(("arguments", "message"), [
    (["soon"], "not a period"),
    (["2026-Q3", "--from", "2026-07-01"], "not both"),
    (["--from", "2026-12-01", "--to", "2026-11-01"], "before it starts"),
])
def test_planner_brag_refuses_bad_periods_in_one_line(run: PlannerRunner, arguments: list[str], message: str) -> None:
    run.ok("init")
    result = run("brag", *arguments)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
