"""The week: seven days of scheduled tasks, the week's intentions per practice, and its scores.

Planning and reviewing the week are guided flows (dialogs/prompt_flow.py) opened from here. Every
change goes through the app, which saves it at once; the screen redraws from the saved state when
the app publishes `plan_changed` or `week_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Iterable, Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import get_current_worker

from planner.api import Practice
from planner.app.widgets.footer import PlannerFooter
from planner.app.widgets.cards import Line, card_content, practice_badge
from planner.app.widgets.task_list import TaskList
from planner.app.screens.task_lists import TaskListsScreen
from planner.app.widgets.day_list import DayList, day_card
from planner.app.widgets.score_panel import ScorePanel, hanging_line
from planner.app.widgets.title_bar import TitleBar
from planner.dates import shift_week, week_days
from planner.model import Task, WeekPlan, WeekView, move_task, reopen_column, schedule_task
from planner.text import printable

if TYPE_CHECKING:  # scoring loads the plugin host: imported in the thread that computes the scores
    from planner.scoring import WeekScore

DAYS_IN_WEEK = 7
#: Below 100 columns seven days are unreadable: three at a time, from today, and ←/→ scroll.
NARROW_DAYS = 3
WEEKS = Binding.Group("Week", compact=True)
MOVES = Binding.Group("Move", compact=True)


# --- what goes where: plain functions of the plan -----------------------------------------------------

@dataclass(frozen=True)
class WeekColumns:
    """A week's tasks by day, and those scheduled into the week without a day."""

    days: Mapping[date, list[Task]]
    any_day: list[Task]


def week_columns(tasks: Iterable[Task], week: WeekView) -> WeekColumns:
    """Put each task of `week` under its day. A task done during the week without being scheduled
    into it still counts for the week's score, so it shows on the day it was done."""
    days: dict[date, list[Task]] = {day: [] for day in week.days}
    any_day: list[Task] = []
    for task in tasks:
        if task.status == "deleted":
            continue
        if task.week == week.label:
            # No day, or a day outside the week (a hand-edited file): the task still belongs here.
            days.get(task.day, any_day).append(task)
        elif task.is_done and week.contains(task.done_at):
            days[task.done_at.date()].append(task)

    def order(task: Task) -> tuple:
        # What is left to do first; within that, the order the tasks were made in, which moving a
        # task between days does not change.
        return (task.is_done, task.created, task.id)

    return WeekColumns({day: sorted(found, key=order) for day, found in days.items()}, sorted(any_day, key=order))


def date_range(start: date, end: date) -> str:
    """`23–29 Nov 2026`, `30 Nov – 6 Dec 2026`, `28 Dec 2026 – 3 Jan 2027`: short, for 80 columns."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def relative_week_name(label: str, current: str, week_start: int) -> str:
    """`this week`, `next week`, `last week`, `3 weeks ago`, `in 2 weeks`."""
    if label == current:
        return "this week"
    for offset, name in ((1, "next week"), (-1, "last week")):
        if shift_week(current, offset, week_start) == label:
            return name
    weeks = (week_days(label, week_start)[0] - week_days(current, week_start)[0]).days // 7
    return f"in {weeks} weeks" if weeks > 0 else f"{-weeks} weeks ago"


# --- widgets ---------------------------------------------------------------------------------------

class DayColumn(Vertical):
    """A day's short header ("Mon 23") above its tasks; the week's last column holds "Any day"."""

    DEFAULT_CSS = """
    DayColumn { width: 1fr; height: 1fr; border-right: vkey $panel; }
    DayColumn:last-of-type { border-right: none; }
    DayColumn > .day-header {
        height: 1; padding: 0; background: $panel; text-style: bold;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    DayColumn.today > .day-header { background: $accent 45%; }
    DayColumn:focus-within > .day-header { background: $primary 45%; }
    DayColumn.today:focus-within > .day-header { background: $primary 70%; }
    """

    def __init__(self, cards: DayList, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cards = cards
        self.today: date | None = None
        #: Days hidden before / after this column in a narrow terminal: its header shows ◂ / ▸.
        self.more_before = False
        self.more_after = False

    def compose(self) -> ComposeResult:
        yield Static(classes="day-header")
        yield self.cards

    def set_day(self, day: date | None, today: date) -> None:
        self.cards.day = day
        self.today = today
        self.set_class(day == today, "today")
        self.show_header()

    def on_resize(self) -> None:
        self.show_header()

    def show_header(self) -> None:
        """" Mon 23" fits the narrowest column; today is marked "•Thu 26" (in words when there is
        room), not by colour alone; the count of tasks comes when there is room."""
        day = self.cards.day
        roomy = self.size.width >= 14
        if day is None:
            text = " Any day" if self.size.width >= 8 else " Any"
        elif day == self.today:
            text = f"•{day:%a %d}" + (" today" if roomy else "")
        else:
            text = f" {day:%a %d}"
        if self.more_before:
            text = "◂" + (text[1:] if text.startswith(" ") else text)
        count = len(self.cards.task_ids)
        header = Content.assemble(text, (f"  {count}" if count and roomy else "", "dim"),
                                  ("▸" if self.more_after else ""))
        self.query_one(".day-header", Static).update(header)


class IntentionsPanel(Static):
    """One line per enabled practice (then any other practice the week file names); cut with an
    ellipsis by default, wrapped under itself with `text-wrap: wrap`."""

    DEFAULT_CSS = """
    IntentionsPanel { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[list[Practice], WeekPlan] | None = None

    def show_intentions(self, practices: list[Practice], plan: WeekPlan) -> None:
        self._shown = (practices, plan)
        self.update(self.intentions_content(practices, plan))

    def on_resize(self) -> None:
        if self._shown is not None and self.styles.text_wrap == "wrap":
            self.update(self.intentions_content(*self._shown))

    def intentions_content(self, practices: list[Practice], plan: WeekPlan) -> Content:
        width = self.content_region.width if self.styles.text_wrap == "wrap" else None
        lines = [Content.assemble(("Intentions", "bold"), ("  i edits", "dim"))]
        named = {practice.id: practice for practice in practices}
        for practice in practices:
            text = " ".join(plan.intentions.get(practice.id, "").split())
            badge = Content.assemble(practice_badge(practice), " ")
            lines.append(hanging_line(badge, text or "-", "" if text else "dim", width or None))
        for practice_id, text in plan.intentions.items():
            if practice_id not in named:  # a practice switched off or gone: its words stay visible
                lines.append(hanging_line(Content(f"{printable(practice_id)[:6]:^6} "), " ".join(text.split()), "",
                                          width or None))
        return Content("\n").join(lines)


class WeekScreen(TaskListsScreen):
    TITLE = "Week"
    #: The screen puts the cursor on today itself (focus_first_useful_day), and scrolls the days there.
    AUTO_FOCUS = ""
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    #: A tall terminal has room to wrap titles in the day columns instead of cutting them.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    DEFAULT_CSS = """
    WeekScreen #week-header { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    WeekScreen #days { height: 1fr; min-height: 4; }
    /* Seven days share the width: the day being worked on gets more of it. */
    WeekScreen.-narrow DayColumn:focus-within { width: 3fr; }
    WeekScreen.-wide DayColumn:focus-within { width: 2fr; }
    WeekScreen.-wide.-tall DayList { text-wrap: wrap; }
    WeekScreen.-wide.-tall #intentions, WeekScreen.-wide.-tall #scores { text-wrap: wrap; }
    WeekScreen #selected {
        height: 1; padding: 0 1; background: $boost;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    WeekScreen #week-panel { height: auto; max-height: 45%; border-top: hkey $panel; }
    WeekScreen #intentions-box, WeekScreen #score-box { width: 1fr; height: auto; padding: 0 1; }
    WeekScreen #intentions-box { border-right: vkey $panel; }
    """

    BINDINGS = [
        Binding("left,h", "focus_day(-1)", "Day left", show=False, id="week.day_left"),
        Binding("right,l", "focus_day(1)", "Day right", show=False, id="week.day_right"),
        Binding("left_square_bracket", "shift_week(-1)", "Previous week", key_display="[", group=WEEKS,
                id="week.previous"),
        Binding("right_square_bracket", "shift_week(1)", "Next week", key_display="]", group=WEEKS, id="week.next"),
        Binding("t", "this_week", "This week", show=False, id="week.this"),
        Binding("p", "plan", "Plan", id="week.plan"),
        Binding("r", "review", "Review", id="week.review"),
        Binding("shift+left,less_than_sign", "move_day(-1)", "To the previous day", key_display="<", group=MOVES,
                id="week.move_previous"),
        Binding("shift+right,greater_than_sign", "move_day(1)", "To the next day", key_display=">", group=MOVES,
                id="week.move_next"),
        Binding("s", "schedule", "Schedule", show=False, id="week.schedule"),
        Binding("minus", "unschedule", "Unschedule", show=False, id="week.unschedule"),
        # Hidden from the footer so that ? Help still fits at 80 columns; help lists them all.
        Binding("x", "toggle_done", "Done", show=False, id="week.done"),
        Binding("i", "intention", "Intention", show=False, id="week.intention"),
        Binding("n", "new_task", "New", show=False, id="week.new"),
        Binding("e", "edit_task", "Edit", show=False, id="week.edit"),
    ]

    #: The label of the week shown (`2026-W48`).
    week: reactive[str] = reactive("", init=False)

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="week-header")
        with Horizontal(id="days"):
            for index in range(DAYS_IN_WEEK):
                yield DayColumn(DayList(None, self.render_task, id=f"day-{index}"), id=f"column-{index}")
            yield DayColumn(DayList(None, self.render_task, id="any-day"), id="column-any")
        yield Static(id="selected")
        with Horizontal(id="week-panel"):
            with VerticalScroll(id="intentions-box"):
                yield IntentionsPanel(id="intentions")
            with VerticalScroll(id="score-box"):
                yield ScorePanel(id="scores")
        yield PlannerFooter()

    def on_mount(self) -> None:
        #: The first day column shown when fewer than seven fit (see `show_days`).
        self.first_day = 0
        self.app.plan_changed.subscribe(self, self.on_plan_changed)
        self.app.week_changed.subscribe(self, self.on_week_changed)
        self.week = self.app.session.current_week()

    def watch_week(self, label: str) -> None:
        position = self.lists.index(self.focused_list) if self.focused_list in self.lists else None
        self.first_day = 0
        self.show_week()
        if position is None or label == self.app.session.current_week():
            self.focus_first_useful_day()
        else:
            self.lists[position].focus()

    @property
    def columns(self) -> list[DayColumn]:
        return list(self.query(DayColumn))

    @property
    def lists(self) -> list[DayList]:
        return [column.cards for column in self.columns]

    def render_task(self, task: Task, compact: bool) -> Line:
        return day_card(task, self.app.practice(task.practice), compact=compact)

    # --- what is shown ---------------------------------------------------------------------------

    def week_view(self) -> WeekView:
        return self.app.session.week_view(self.week)

    def show_week(self, follow: str | None = None) -> None:
        """Redraw everything from the saved plan; `follow` puts the cursor on that task."""
        if not self.week:
            return
        session = self.app.session
        view = self.week_view()
        today = session.today()
        placed = week_columns(self.app.tasks.values(), view)
        columns = self.columns
        for column, day in zip(columns, view.days):
            column.cards.show_tasks(placed.days[day])
            column.set_day(day, today)
        columns[-1].cards.show_tasks(placed.any_day)
        columns[-1].set_day(None, today)
        self.show_header(view, placed)
        self.show_intentions(view.plan)
        self.show_scores(view)
        self.query_one(TitleBar).refresh_title()
        if follow is not None:
            for cards in self.lists:
                if cards.select_task(follow):
                    cards.focus()
                    break
        self.show_selected()

    def show_header(self, view: WeekView, placed: WeekColumns) -> None:
        session = self.app.session
        when = relative_week_name(view.label, session.current_week(), session.board.week_start)
        tasks = [task for day_tasks in placed.days.values() for task in day_tasks] + placed.any_day
        done = sum(task.is_done for task in tasks)
        parts: list = [(view.label, "bold"), f"  {date_range(view.start, view.end)}  ", (when, "italic"),
                       f"  {done}/{len(tasks)} done"]
        reviewed = view.plan.reviewed_at
        if reviewed is not None:
            parts += ["  ", (f"✓ reviewed {reviewed:%a %d %b}", "bold green")]
        elif view.is_past:
            parts += ["  ", ("not reviewed: r reviews it", "dim")]
        self.query_one("#week-header", Static).update(Content.assemble(*parts))

    def show_intentions(self, plan: WeekPlan) -> None:
        practices = self.app.session.host.enabled_practices(self.app.session.board)
        self.query_one("#intentions", IntentionsPanel).show_intentions(practices, plan)

    def show_scores(self, view: WeekView) -> None:
        """Score the week in a thread: it asks every plugin, which must never hold up a key press."""
        panel = self.query_one("#scores", ScorePanel)
        if panel.week_label != view.label:
            panel.update(Content(f"Scoring {view.label}…").stylize("dim"))
        tasks = list(self.app.tasks.values())
        self.run_worker(partial(self._compute_scores, view, tasks), thread=True, exclusive=True,
                        group="week-score", exit_on_error=False)

    def _compute_scores(self, view: WeekView, tasks: list[Task]) -> None:
        from planner.scoring import score_week

        session = self.app.session
        result = score_week(session.host, session.board, view, tasks)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_scores, result)

    def _show_scores(self, result: WeekScore) -> None:
        if result.week.label == self.week:
            self.query_one("#scores", ScorePanel).show_score(result)
        self.app._tell_plugin_warnings()

    def show_selected(self) -> None:
        """The highlighted task in full on one line: the day columns are too narrow for titles."""
        line = self.query_one("#selected", Static)
        task = self.selected_task
        if task is None:
            line.update(Content("No task selected: n adds one to this day, ←/→ move between days.").stylize("dim"))
            return
        # The board's two-line card, on one line.
        card = card_content(task, self.app.practice(task.practice), self.app.today())
        line.update(Content("  ").join(card.split("\n")))

    # --- fewer days in a narrow terminal ------------------------------------------------------------

    def days_shown(self) -> int:
        return DAYS_IN_WEEK if self.size.width >= 100 or not self.size.width else NARROW_DAYS

    def show_days(self) -> None:
        """Show the day columns from `first_day` that fit; "Any day" is always shown."""
        start, shown = self.days_window()
        last = start + shown - 1
        for index, column in enumerate(self.columns[:DAYS_IN_WEEK]):
            column.display = start <= index <= last
            more_before, more_after = index == start > 0, index == last < DAYS_IN_WEEK - 1
            if (column.more_before, column.more_after) != (more_before, more_after):
                column.more_before, column.more_after = more_before, more_after
                column.show_header()

    def days_window(self) -> tuple[int, int]:
        """The first day column shown and how many are shown (`first_day` kept inside the week)."""
        shown = self.days_shown()
        return max(0, min(self.first_day, DAYS_IN_WEEK - shown)), shown

    def reveal(self, cards: TaskList) -> None:
        """Scroll the days so that the column of `cards` is shown."""
        lists = self.lists
        index = lists.index(cards) if cards in lists else DAYS_IN_WEEK
        start, shown = self.days_window()
        if index < start:
            self.first_day = index
        elif start + shown <= index < DAYS_IN_WEEK:
            self.first_day = index - shown + 1
        self.show_days()

    def on_resize(self) -> None:
        # The days shown start at the one being worked on (today, on opening).
        lists, focused = self.lists, self.focused_list
        if focused in lists and lists.index(focused) < DAYS_IN_WEEK:
            self.first_day = lists.index(focused)
        self.show_days()

    def on_task_list_highlighted(self, event: TaskList.Highlighted) -> None:
        if event.task_list.has_focus:
            self.show_selected()

    def on_descendant_focus(self) -> None:
        focused = self.focused_list
        if focused is not None:
            self.reveal(focused)
        self.show_selected()

    def on_plan_changed(self, task_ids: set[str] | None) -> None:
        self.show_week()

    def on_week_changed(self, label: str) -> None:
        if label == self.week:
            self.show_week()

    def on_screen_resume(self) -> None:
        self.show_week()

    def focus_first_useful_day(self) -> None:
        """Today when it is in the week shown, else the first day with tasks, else Monday."""
        today = self.app.today()
        lists = self.lists
        chosen = next((cards for cards in lists if cards.day == today), None) or \
            next((cards for cards in lists if cards.task_ids), lists[0])
        # In a narrow terminal the days shown start there: today and the next days.
        self.first_day = min(lists.index(chosen), DAYS_IN_WEEK - 1)
        self.show_days()
        chosen.focus()

    # --- the selected task -----------------------------------------------------------------------

    # --- actions ---------------------------------------------------------------------------------

    def action_focus_day(self, step: int) -> None:
        self.focus_neighbour(step)

    def action_shift_week(self, weeks: int) -> None:
        self.week = shift_week(self.week, weeks, self.app.session.board.week_start)

    def action_this_week(self) -> None:
        current = self.app.session.current_week()
        if self.week == current:
            self.focus_first_useful_day()
        self.week = current

    def action_move_day(self, step: int) -> None:
        """Move the task to the next or previous column: Monday ... Sunday, then "Any day"."""
        cards = self.focused_list
        task = self.selected_task
        if cards is None or task is None:
            return
        lists = self.lists
        target = lists.index(cards) + step
        if not 0 <= target < len(lists):
            self.app.bell()
            return
        self.schedule(task, lists[target].day)

    def schedule(self, task: Task, day: date | None) -> None:
        """Put `task` on `day` of the week shown, or into the week without a day."""
        label = self.week
        where = f"{day:%a %d %b}" if day is not None else f"any day of {label}"
        moved = self.app.change_task(
            task.id, lambda current, now, board: schedule_task(current, now, board, week=label, day=day),
            f"schedule {task.title!r} on {where}")
        if moved is not None:
            self.show_week(follow=moved.id)

    def action_unschedule(self) -> None:
        task = self.selected_task
        if task is None:
            return
        changed = self.app.change_task(
            task.id, lambda current, now, board: schedule_task(current, now, board, week=None, day=None),
            f"unschedule {task.title!r}")
        if changed is not None:
            self.app.notify(f"Unscheduled: {changed.title} (u undoes)", markup=False, timeout=4)

    def action_toggle_done(self) -> None:
        task = self.selected_task
        if task is None:
            return
        if task.is_done:
            column = reopen_column(task, self.app.session.board)
            changed = self.app.change_task(task.id, lambda current, now, board: move_task(current, column, now, board),
                                           f"reopen {task.title!r}")
        else:
            changed = self.mark_done(task)
        if changed is not None:
            self.show_week(follow=changed.id)

    def action_new_task(self) -> None:
        from planner.app.dialogs.task_form import TaskForm

        cards = self.focused_list
        day = cards.day if cards is not None else None
        label = self.week

        def created(values: dict | None) -> None:
            if not values:
                return
            title = values.pop("title")
            if values.get("day") is None:
                values["day"] = day
            if values["day"] is None:
                values["week"] = label
            task = self.app.add_task(title, **values)
            if task is not None:
                self.show_week(follow=task.id)

        self.app.push_screen(TaskForm(None), created)

    def action_intention(self) -> None:
        from planner.app.dialogs.prompt_flow import IntentionDialog

        session = self.app.session
        enabled = [practice.id for practice in session.host.enabled_practices(session.board)]
        if not enabled:
            self.app.notify("No practice is enabled: see the Practices screen (4).", severity="warning")
            return
        task = self.selected_task
        practice_id = task.practice if task is not None and task.practice in enabled else enabled[0]
        self.app.push_screen(IntentionDialog(self.week, practice_id))

    def action_plan(self) -> None:
        from planner.app.dialogs.prompt_flow import open_prompt_flow

        open_prompt_flow(self.app, self.week, "plan")

    def action_review(self) -> None:
        """Review the week shown; on this week early on, last week when it was not reviewed yet
        (Session.week_to_review), saying so."""
        from planner.app.dialogs.prompt_flow import open_prompt_flow

        week, why = self.week, ""
        if week == self.app.session.current_week():
            week, why = self.app.session.week_to_review()
        open_prompt_flow(self.app, week, "review", why)

    def on_task_list_selected(self, event: TaskList.Selected) -> None:
        from planner.app.dialogs.task_details import TaskDetails

        self.app.push_screen(TaskDetails(event.task_id))

    def on_task_list_dropped(self, message: TaskList.Dropped) -> None:
        widget, _ = self.get_widget_at(message.screen_x, message.screen_y)
        node = widget
        while node is not None and not isinstance(node, DayColumn):
            node = node.parent
        task = self.app.tasks.get(message.task_id)
        if isinstance(node, DayColumn) and task is not None and node.cards is not message.source:
            self.schedule(task, node.cards.day)
