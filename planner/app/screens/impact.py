"""Impact: the value created in a period, the evidence a review or a job search asks for. The outcomes
of the tasks done in it, grouped by practice, with the people who benefited, the numbers summed by
metric, and the weekly value score over the period (planner.brag gathers them; `planner brag` writes
the same as a document).

The period is this quarter at first (in its first two weeks, the quarter before, which holds the
recent work); m, q, h and y choose a month, a quarter, a half or a year, and [ and ] step back and
forth. `/` filters as on the board; Enter opens a task's details.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from planner import brag
from planner.app import look
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.footer import PlannerFooter
from planner.app.widgets.title_bar import TitleBar
from planner.dates import PERIOD_MONTHS, months_later, period_of, week_days, week_of
from planner.filters import TaskFilter, parse_filter
from planner.model import one_line
from planner.text import printable

PERIOD_NAMES = {1: "month", 3: "quarter", 6: "half", 12: "year"}
#: In a quarter's first days the screen opens on the quarter before, which holds the recent work.
JUST_BEGUN_DAYS = 14


class OutcomeList(OptionList):
    """The period's outcomes under a heading per practice; Enter on one opens its task."""

    DEFAULT_CSS = """
    OutcomeList, OutcomeList:focus { height: 1fr; border: none; padding: 0 1; }
    """


class ImpactScreen(Screen):
    TITLE = "Impact"
    DEFAULT_CSS = """
    ImpactScreen #impact-header { height: auto; padding: 0 1; background: $panel; }
    ImpactScreen #impact-summary { height: auto; padding: 0 1; margin-bottom: 1; }
    ImpactScreen #filter { dock: bottom; display: none; height: 3; margin-bottom: 1; }
    ImpactScreen #filter.visible { display: block; }
    """
    BINDINGS = [
        Binding("m", "period(1)", "Month", show=False, id="impact.month"),
        Binding("q", "period(3)", "Quarter", show=False, id="impact.quarter"),
        Binding("h", "period(6)", "Half", show=False, id="impact.half"),
        Binding("y", "period(12)", "Year", show=False, id="impact.year"),
        Binding("left_square_bracket", "shift(-1)", "Previous period", key_display="[", id="impact.previous"),
        Binding("right_square_bracket", "shift(1)", "Next period", key_display="]", id="impact.next"),
        Binding("slash", "filter", "Filter", id="impact.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="impact.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.months = PERIOD_MONTHS["quarter"]
        self.anchor: date | None = None  # a day inside the period shown; None: today
        #: True while the screen shows the last quarter because this one has only just begun.
        self.just_begun = False
        self.filter = TaskFilter()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="impact-header")
        yield Static(id="impact-summary")
        yield OutcomeList(id="outcomes", markup=False)
        yield Input(placeholder="filter: words, practice:skills, tag:sql (Enter to keep, Esc to clear)", id="filter")
        yield PlannerFooter()

    def on_mount(self) -> None:
        # A hidden Impact screen waits: on_screen_resume shows it afresh (a save must not pay for it).
        self.app.plan_changed.subscribe(self, lambda _: self.show() if self.is_current else None)
        today = self.app.session.today()
        start, _ = period_of(today, self.months)
        if (today - start).days < JUST_BEGUN_DAYS:
            # On 3 January this quarter holds three days: open on the last one, where the work is.
            self.anchor, self.just_begun = months_later(start, -self.months), True
        self.show()

    def on_screen_resume(self) -> None:
        self.show()

    # --- the period ----------------------------------------------------------------------------------

    @property
    def period(self) -> tuple[date, date]:
        return period_of(self.anchor or self.app.session.today(), self.months)

    def action_period(self, months: int) -> None:
        """A month, quarter, half or year: the one holding today while today is in the period shown."""
        start, end = self.period
        if start <= self.app.session.today() <= end or self.just_begun:
            self.anchor = None
        self.months, self.just_begun = months, False
        self.show()

    def action_shift(self, step: int) -> None:
        start, _ = self.period
        self.anchor, self.just_begun = months_later(start, step * self.months), False
        self.show()

    # --- what is shown -------------------------------------------------------------------------------

    def show(self) -> None:
        session = self.app.session
        start, end = self.period
        board = session.board
        names = {practice.id: practice.name for practice in session.host.enabled_practices(board)}
        tasks = [task for task in self.app.tasks.values() if self.filter.matches(task)] if self.filter.active \
            else self.app.tasks.values()
        evidence = brag.collect(tasks, names, start, end, session.store.zone, board.week_start, board.title)
        kind = PERIOD_NAMES[self.months]
        filtered = ("  filtered: " + " ".join((*self.filter.words, *(f"practice:{p}" for p in self.filter.practices),
                                                *(f"tag:{t}" for t in self.filter.tags)))) if self.filter.active else ""
        self.query_one("#impact-header", Static).update(Content.assemble(
            ("Impact ", "bold"), f"{evidence.period}", (f"  ({kind}: m q h y, [ ] step)", "dim"),
            ("  this quarter has only just begun: ] shows it" if self.just_begun else "", "italic"),
            (filtered, "italic")))
        self.show_summary(evidence)
        self.show_outcomes(evidence)
        self.query_one(TitleBar).refresh_title()
        self.score_trend(start, end)

    def show_summary(self, evidence: brag.Evidence, trend: Content | None = None) -> None:
        lines = [Content.assemble((f"{evidence.done}", "bold"), " tasks done, ",
                                  (f"{len(evidence.highlights)}", "bold"), " with an outcome")]
        if evidence.totals:
            lines.append(Content.assemble(("Numbers  ", "bold"), printable(brag.numbers_text(evidence.totals))))
        if evidence.people:
            lines.append(Content.assemble(("People   ", "bold"), ", ".join(
                f"{printable(name)} ({count})" for name, count in evidence.people[:12])
                + (f" and {len(evidence.people) - 12} more" if len(evidence.people) > 12 else "")))
        lines.append(trend if trend is not None else Content("Value    scoring the weeks…").stylize("dim"))
        self._summary = (evidence, lines[:-1])
        self.query_one("#impact-summary", Static).update(Content("\n").join(lines))

    def show_outcomes(self, evidence: brag.Evidence) -> None:
        listing = self.query_one(OutcomeList)
        highlighted = listing.highlighted_option.id if listing.highlighted_option else None
        options: list[Option] = []
        by_practice: dict[str, list[brag.Highlight]] = {}
        for item in evidence.highlights:
            by_practice.setdefault(item.task.practice or "", []).append(item)
        for summary in evidence.summaries:
            items = sorted(by_practice.get(summary.practice_id, []), key=lambda item: item.task.done_at)
            practice = self.app.practice(summary.practice_id)
            options.append(Option(Content.assemble(practice_badge(practice, summary.practice_id or "-"), " ",
                                                   (printable(summary.name), "bold"), "  ",
                                                   (brag.summary_line(summary), "dim")), disabled=True))
            for item in items:
                options.append(Option(self.outcome_line(item), id=item.task.id))
        if not options:
            options.append(Option(Content("Nothing was marked done in this period: [ goes back, y shows the year.")
                                  .stylize("dim"), disabled=True))
        listing.set_options(options)
        ids = [option.id for option in options]
        if highlighted is not None and highlighted in ids:
            listing.highlighted = ids.index(highlighted)
        elif any(ids):
            listing.highlighted = next(index for index, option_id in enumerate(ids) if option_id)

    @staticmethod
    def outcome_line(item: brag.Highlight) -> Content:
        task = item.task
        parts: list = [(f"  {item.week[-3:]}  ", "dim"), (printable(one_line(task.title)), "bold")]
        if task.outcome:
            parts += ["  ", printable(one_line(task.outcome))]
        if task.impact:
            parts.append((" · " + printable(brag.numbers_text(task.impact)), "italic"))
        return Content.assemble(*parts)

    def score_trend(self, start: date, end: date) -> None:
        """The weekly value score of the period's weeks, in a thread: it asks every plugin about
        every week, which must not hold up a key."""
        tasks = list(self.app.tasks.values())
        self.run_worker(partial(self._compute_trend, start, end, tasks), thread=True, exclusive=True,
                        group="impact-trend", exit_on_error=False)

    def _compute_trend(self, start: date, end: date, tasks) -> None:
        from planner.insights import sparkline

        session = self.app.session
        week_start = session.board.week_start
        # Weeks still to come have nothing to score: a trend of the quarter so far.
        end = min(end, session.today())
        first, last = week_of(start, week_start), week_of(end, week_start)
        count = (week_days(last, week_start)[0] - week_days(first, week_start)[0]).days // 7 + 1
        results = session.score_weeks(last, count, tasks) if start <= end else []
        values = [result.value if result.has_data else None for result in results]
        scored = [value for value in values if value is not None]
        if get_current_worker().is_cancelled:
            return
        if scored:
            trend = Content.assemble(("Value    ", "bold"), sparkline(values, look.current().glyphs),
                                     (f"  weekly value score {first}–{last[-3:]}: average {sum(scored) / len(scored):.0f}, "
                                      f"best {max(scored):.0f}", "dim"))
        else:
            trend = Content.assemble(("Value    ", "bold"), ("no scored week in this period", "dim"))
        self.app.call_from_thread(self._show_trend, start, trend)

    def _show_trend(self, start: date, trend: Content) -> None:
        if self.period[0] == start and getattr(self, "_summary", None):
            evidence, lines = self._summary
            self.query_one("#impact-summary", Static).update(Content("\n").join([*lines, trend]))
        self.app._tell_plugin_warnings()

    # --- opening a task, filtering -------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from planner.app.dialogs.task_details import TaskDetails

        if event.option.id:
            self.app.push_screen(TaskDetails(event.option.id))

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("visible")
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.has_class("visible") and not self.filter.active:
            return
        field.value = ""
        field.remove_class("visible")
        self.filter = TaskFilter()
        self.show()
        self.query_one(OutcomeList).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter = parse_filter(event.value)
            self.show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if not event.value.strip():
                self.action_clear_filter()
            else:
                self.query_one(OutcomeList).focus()
