"""Insights: the weekly value score and every practice's score over the last weeks, with streaks.

Scoring many weeks asks every plugin about every week over every task, which at 10k tasks takes
long enough to be felt, so it runs in a thread worker while the screen keeps taking keys; a newer
request (a change, or +/-) replaces an older one, and changes are gathered for a moment first so a
burst of edits costs one computation.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from planner.app.widgets.footer import PlannerFooter
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.chart import PracticeSparklines, WeekBars, score_text, short_label, wrapped_under
from planner.app.widgets.title_bar import TitleBar
from planner.insights import Insights, build_insights

DEFAULT_WEEKS = 12
MIN_WEEKS = 4
MAX_WEEKS = 52
WEEKS_STEP = 4
#: Changes arriving within this many seconds are scored together.
DEBOUNCE_SECONDS = 0.4


def bar_height_for(screen_height: int) -> int:
    """Tall bars where the terminal is tall; at 24 rows the Why section still fits below them (with
    room for two reasons to wrap), and at 40 rows the practices too."""
    return max(3, min(15, screen_height - 18))


class InsightsScreen(Screen):
    TITLE = "Insights"
    DEFAULT_CSS = """
    InsightsScreen #insights { height: 1fr; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    InsightsScreen .heading { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    InsightsScreen #summary { height: auto; padding: 0 1; margin-bottom: 1; }
    InsightsScreen #reasons { height: auto; padding: 0 1; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("plus,equals_sign", "more_weeks", "More weeks", show=False, id="insights.more"),
        Binding("minus", "fewer_weeks", "Fewer weeks", show=False, id="insights.fewer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.weeks = DEFAULT_WEEKS
        self.insights: Insights | None = None
        self._worker: Worker[Insights] | None = None
        self._debounce: Timer | None = None
        self._stale = True

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="insights"):
            yield Static(id="value-heading", classes="heading")
            yield WeekBars(id="value-bars")
            yield Static(id="summary")
            # Why the newest week scored what it did comes right under its score, before the
            # practices' history: it is what a person looks for first.
            yield Static(id="reasons-heading", classes="heading")
            yield Static(id="reasons")
            yield Static(id="practices-heading", classes="heading")
            yield PracticeSparklines(id="practice-lines")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.app.plan_changed.subscribe(self, self.on_plan_changed)
        self.app.week_changed.subscribe(self, self.on_week_changed)
        self.recompute()

    def on_screen_resume(self) -> None:
        if self._stale:
            self.recompute()
        if self.is_mounted:
            self.query_one(TitleBar).refresh_title()

    def on_resize(self) -> None:
        # After the layout: the reasons are wrapped to the width they will have.
        self.call_after_refresh(self.show_latest)

    def show_latest(self) -> None:
        if self.insights is not None:
            self.show(self.insights)

    # --- when to compute -----------------------------------------------------------------------------

    def on_plan_changed(self, task_ids: set[str] | None) -> None:
        self.schedule_recompute()

    def on_week_changed(self, label: str) -> None:
        self.schedule_recompute()

    def schedule_recompute(self) -> None:
        """Recompute soon, once for a burst of changes; a hidden screen waits until it is shown."""
        self._stale = True
        if not self.is_current:
            return
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.recompute)

    def recompute(self) -> None:
        """Score the range in a thread; the chart shows the old result (or "computing...") until then."""
        self._stale = False
        session = self.app.session
        # Snapshots taken here, on the app's thread: the worker must not see the dict change under it.
        tasks = list(session.tasks.values())
        last_week, count = session.current_week(), self.weeks

        def work() -> Insights:
            week_plans = session.week_plans(last_week, count)
            results = session.score_weeks(last_week, count, tasks, week_plans)
            in_progress = bool(results) and not results[-1].week.is_past
            return build_insights(results, week_plans, last_in_progress=in_progress)

        self._worker = self.run_worker(work, name="insights", group="insights", thread=True,
                                       exclusive=True, exit_on_error=False)
        self.show_heading(computing=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return  # an older computation, replaced by a newer one
        if event.state == WorkerState.SUCCESS:
            self.show(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.show_heading(computing=False)
            self.notify(f"{type(event.worker.error).__name__}: {event.worker.error}", title="Insights not computed",
                        severity="error", markup=False, timeout=8)
        else:
            return
        # A plugin whose scoring hook failed was disabled in the worker: say so, here on the app's thread.
        self.app._tell_plugin_warnings()

    # --- what is shown -----------------------------------------------------------------------------

    def show(self, insights: Insights) -> None:
        self.insights = insights
        self.query_one(WeekBars).show(insights, bar_height_for(self.size.height))
        self.query_one(PracticeSparklines).show(insights)
        self.show_heading(computing=self._worker is not None and self._worker.is_running)
        self.query_one("#summary", Static).update(self.summary(insights))
        threshold = f"{insights.threshold:.0f}"
        self.query_one("#practices-heading", Static).update(
            Content(f"Practices: score each week, this week's so far, weeks in a row at {threshold}+"))
        self.show_reasons(insights)

    def show_heading(self, *, computing: bool) -> None:
        insights = self.insights
        # The first week is under the first bar; the heading keeps its width for the keys' hint.
        if insights is not None and insights.labels:
            text = f"Weekly value score, {len(insights.labels)} weeks to {insights.labels[-1]}"
        else:
            text = f"Weekly value score, {self.weeks} weeks"
        # It says they are keys, and what they count: "(+ more, - fewer)" left people guessing.
        hint = "  computing..." if computing else f"  keys +/-: {WEEKS_STEP} more or fewer weeks"
        self.query_one("#value-heading", Static).update(Content.assemble(text, (hint, "not bold dim")))

    def summary(self, insights: Insights) -> Content:
        threshold = f"{insights.threshold:.0f}"
        parts: list[Content] = [
            Content.assemble((f"Value {threshold}+: ", "bold"), insights.value_streak.describe()),
            Content.assemble(("Reviewed: ", "bold"), insights.reviewed.describe()),
        ]
        if insights.last_in_progress and insights.labels:
            parts.append(Content(f"{short_label(insights.labels[-1])} so far: {score_text(insights.values[-1])}"))
        return Content(" · ").join(parts)

    def show_reasons(self, insights: Insights) -> None:
        """Why each practice scored what it did in the newest week: the numbers can be checked."""
        heading = self.query_one("#reasons-heading", Static)
        reasons = self.query_one("#reasons", Static)
        if not insights.labels or not insights.practices:
            heading.display = reasons.display = False
            return
        heading.display = reasons.display = True
        label = insights.labels[-1]
        heading.update(Content(f"Why, {label}{' so far' if insights.last_in_progress else ''}"))
        width = reasons.content_size.width
        lines = []
        for trend in insights.practices:
            # The badge and score are 11 cells: the reason wraps under itself, not under the badge.
            reason = wrapped_under(trend.reasons[-1] or "nothing to score this week", width, 11,
                                   "" if trend.reasons[-1] else "dim")
            lines.append(Content.assemble(practice_badge(trend.practice),
                                          (f" {score_text(trend.latest):>3}  ", "bold"), reason))
        reasons.update(Content("\n").join(lines))

    # --- actions -----------------------------------------------------------------------------------

    def action_more_weeks(self) -> None:
        self.change_range(min(MAX_WEEKS, self.weeks + WEEKS_STEP))

    def action_fewer_weeks(self) -> None:
        self.change_range(max(MIN_WEEKS, self.weeks - WEEKS_STEP))

    def change_range(self, weeks: int) -> None:
        if weeks == self.weeks:
            self.notify(f"Showing {weeks} weeks: between {MIN_WEEKS} and {MAX_WEEKS} can be shown", timeout=3)
            return
        self.weeks = weeks
        self.recompute()
