"""The weekly ritual: "plan the week" and "review the week" as a few pages, and the one-line editor
of a practice's intention.

    plan:   Last week & focus -> one page per practice in focus (its prompts, its templates) -> The week as planned
    review: one page per practice (its score and reason, its review prompts) -> Value & what to carry over

Tab moves between the fields of a page, Enter goes to the next page, ctrl+up back, Esc leaves. What
was typed is saved when its page is left (and on Esc), so leaving half way loses nothing. Planning
offers each prompt's most recent earlier answer as its default: confirming last week's plan is one
Enter per page. The answer to the prompt a practice marks as its intention (`Prompt.intention`)
becomes the week's intention for that practice (planner.model.with_answer). Templates chosen on a
page become tasks of the week when the page is left forwards or the flow is closed, once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, ContentSwitcher, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from planner.api import Phase, Practice, Prompt, TaskTemplate, intention_prompt
from planner.app import look
from planner.app.keymap import key_label
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.score_panel import change_style, format_change, hanging_line
from planner.app.widgets.toggle_list import NUMBERED, ToggleItem, ToggleList
from planner.dates import format_minutes, shift_week
from planner.model import (
    Task,
    WeekPlan,
    answer_key,
    schedule_task,
    move_task,
    tasks_of_week,
    with_answer,
    with_intention,
    with_skipped,
)
from planner.report import format_score, score_bar
from planner.text import printable

#: How many earlier weeks are searched for an answer to offer as a prompt's default.
DEFAULT_LOOKBACK_WEEKS = 4
#: Weeks of value scores shown as the trend at the end of a review.
TREND_WEEKS = 6


def earlier_answers(session, label: str, weeks: int = DEFAULT_LOOKBACK_WEEKS) -> dict[str, tuple[str, str]]:
    """Each planning answer of the `weeks` before `label`, the most recent one per prompt:
    `{key: (answer, week label)}`."""
    found: dict[str, tuple[str, str]] = {}
    week_start = session.board.week_start
    for offset in range(1, weeks + 1):
        earlier = shift_week(label, -offset, week_start)
        plan = session.week_plan(earlier)
        for key, text in (plan.plan_answers.items() if plan else ()):
            found.setdefault(key, (text, earlier))
    return found


# --- fields ---------------------------------------------------------------------------------------


class AnswerInput(Input):
    """One answer on one line. Enter is the flow's "next page"; Tab the next field."""

    DEFAULT_CSS = """
    AnswerInput {
        border: none; height: 1; padding: 0 1; margin-bottom: 1;
        background: $boost; border-left: outer $panel-lighten-2;
    }
    AnswerInput:focus { border: none; height: 1; background: $primary 25%; border-left: outer $accent; }
    AnswerInput > .input--placeholder { color: $text-muted; text-style: italic; }
    """

    def __init__(self, practice: Practice, prompt: Prompt, value: str, *, states_intention: bool, **kwargs) -> None:
        # Focusing selects the text, so typing replaces a default and End keeps it to add to.
        super().__init__(value, placeholder=printable(prompt.hint) or "your answer", select_on_focus=True,
                         **kwargs)
        self.practice = practice
        self.prompt = prompt
        self.states_intention = states_intention
        #: What the field showed when the flow opened: the saved answer, or a default offered.
        self.shown_at_start = value

    @property
    def key(self) -> str:
        return answer_key(self.practice.id, self.prompt.id)


# --- pages ----------------------------------------------------------------------------------------


class FlowPage(VerticalScroll):
    """One page of a flow. The flow shows it (`show`), focuses `first_field`, and tells it when it is
    left (`leave`), which saves what it holds and returns what to say about it."""

    DEFAULT_CSS = """
    FlowPage { height: 1fr; }
    FlowPage .page-heading { margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FlowPage .prompt { text-style: bold; }
    FlowPage .muted { color: $text-muted; }
    FlowPage .section { margin-top: 1; text-style: bold; }
    FlowPage ToggleList { height: auto; max-height: 12; border: round $panel; }
    FlowPage ToggleList:focus { border: round $accent; }
    FlowPage #focus { max-height: 24; }
    """

    #: Shown in the flow's title.
    name_shown = ""

    @property
    def flow(self) -> "WeekFlow":
        screen = self.screen
        assert isinstance(screen, WeekFlow)
        return screen

    def included(self) -> bool:
        return True

    def show(self) -> None:
        """Fill the page from the saved week (called each time it is shown)."""

    def first_field(self) -> Widget | None:
        return next(iter(self.query("AnswerInput, ToggleList, CarryList")), None)

    def leave(self, forwards: bool) -> list[str]:
        return []

    def keys(self, last: bool) -> str:
        """The key line; `{enter}`, `{back}`, `{close}` and `{skip}` become the keys bound now."""
        return f"{{enter}} {'finish' if last else 'next page'} · {{back}} back · {{close}} close (what you typed is kept)"


class PracticePage(FlowPage):
    """A practice's prompts (and, when planning, its templates as toggles; when reviewing, its score)."""

    def __init__(self, practice: Practice, prompts: list[Prompt], values: dict[str, tuple[str, str]],
                 templates: Iterable[TaskTemplate] = (), score_line: Content | None = None) -> None:
        super().__init__(id=f"page-{practice.id}")
        self.practice = practice
        self.prompts = prompts
        #: Prompt id -> (text shown, where it came from: "" for the saved answer, else a week label).
        self.values = values
        self.templates = tuple(templates)
        self.score_line = score_line
        self.name_shown = printable(practice.name)
        #: Ids of the templates chosen and not made into tasks yet.
        self.chosen: set[str] = set()
        #: Ids of the templates made into tasks in this flow.
        self.added: set[str] = set()

    def compose(self) -> ComposeResult:
        practice = self.practice
        yield Static(Content.assemble(practice_badge(practice), " ", (printable(practice.name), "bold"), "  ",
                                      (printable(practice.summary), "dim")), classes="page-heading")
        if self.score_line is not None:
            yield Static(self.score_line, classes="score-line")
        states = intention_prompt(self.prompts)
        for prompt in self.prompts:
            text, source = self.values.get(prompt.id, ("", ""))
            label = [(printable(prompt.text, multiline=True), "bold")]
            if prompt is states:
                label.append(("  (your intention)", "italic $text-accent"))
            if source:
                label.append((f"  (from {source})", "dim italic"))
            yield Static(Content.assemble(*label), classes="prompt")
            yield AnswerInput(practice, prompt, text, states_intention=prompt is states)
        if self.templates:
            numbers = "1" if len(self.templates) == 1 else f"1-{min(len(self.templates), NUMBERED)}"
            listing = ToggleList(id="templates")
            listing.border_title = f"Tasks to add to the week: space or {numbers} chooses"
            yield listing

    def included(self) -> bool:
        # A practice left out of this week's focus is not planned; it is still reviewed (it scored).
        return self.flow.phase == "review" or self.practice.id not in self.flow.skipped

    def show(self) -> None:
        if self.templates:
            listing = self.query_one(ToggleList)
            listing.set_items((ToggleItem(template.id, self.template_label(template), fixed=template.id in self.added)
                               for template in self.templates), self.chosen)
            if listing.highlighted is None:
                listing.highlighted = 0

    def template_label(self, template: TaskTemplate) -> Content:
        estimate = f"  {format_minutes(template.estimate)}" if template.estimate else ""
        return Content.assemble(printable(template.title), (estimate, "dim"),
                                ("  ✓ added" if template.id in self.added else "", "dim italic"))

    def on_toggle_list_toggled(self, message: ToggleList.Toggled) -> None:
        (self.chosen.add if message.chosen else self.chosen.discard)(message.item_id)
        count = len(self.chosen)
        self.flow.say(f"{count} chosen: added to {self.flow.label} when you go on" if count else "")

    def on_toggle_list_refused(self, message: ToggleList.Refused) -> None:
        self.flow.say(f"Already added to {self.flow.label}: change or delete that task on the board or the week.")

    def leave(self, forwards: bool) -> list[str]:
        said = self.flow.save_answers(self.query(AnswerInput), confirm=forwards)
        if forwards:
            said += self.make_chosen()
        return said

    def make_chosen(self) -> list[str]:
        """Make the chosen templates into tasks of the week: what happened."""
        made = []
        for template in self.templates:
            if template.id not in self.chosen or template.id in self.added:
                continue
            task = self.flow.app.add_task(template.title, practice=self.practice.id, estimate=template.estimate,
                                          tags=template.tags, notes=template.notes, week=self.flow.label,
                                          repeat=template.repeat)
            if task is not None:  # else the app said why, and the template stays chosen
                self.added.add(template.id)
                self.chosen.discard(template.id)
                made.append(task.title)
        if not made:
            return []
        if len(made) == 1:
            return [f"✓ Added to {self.flow.label}: {made[0]}"]
        return [f"✓ Added {len(made)} tasks to {self.flow.label}: " + "; ".join(made)]

    def keys(self, last: bool) -> str:
        toggles = " · Space task" if self.templates else ""
        skip = " · {skip} skip" if self.flow.phase == "plan" else ""
        then = "finish" if last else "next"
        return f"Tab field{toggles} · {{enter}} {then} · {{back}} back{skip} · {{close}} close"


class FocusPage(FlowPage):
    """Planning's first page: last week in one glance (the value score, and each practice's score
    and reason), each practice ticked when it is a focus this week."""

    name_shown = "Last week, and this week's focus"

    def __init__(self, practices: list[Practice]) -> None:
        super().__init__(id="page-focus")
        self.practices = practices

    def compose(self) -> ComposeResult:
        yield Static(id="last-week")
        listing = ToggleList(id="focus")
        listing.border_title = "Focus this week (ticked): space or a number switches"
        yield listing

    def show(self) -> None:
        flow = self.flow
        session = flow.app.session
        previous_label = shift_week(flow.label, -1, session.board.week_start)
        result, before = flow.scores(previous_label)
        plan = session.week_plan(previous_label)
        reviewed = "reviewed" if plan is not None and plan.reviewed_at else "not reviewed"
        if result.value is None:
            head = Content.assemble(("Last week ", "bold"), f"({previous_label}, {reviewed}): no score.")
        else:
            change = result.value - before.value if before.value is not None else None
            head = Content.assemble(("Last week ", "bold"), f"({previous_label}, {reviewed}): value score ",
                                    (format_score(result.value).strip(), "bold"), " ",
                                    (format_change(change), change_style(change)))
        self.query_one("#last-week", Static).update(head)
        scores = {entry.practice.id: entry.score for entry in result.practices}
        listing = self.query_one("#focus", ToggleList)
        listing.set_items((ToggleItem(practice.id, self.practice_label(practice, scores.get(practice.id)))
                           for practice in self.practices),
                          [practice.id for practice in self.practices if practice.id not in flow.skipped])
        if listing.highlighted is None:
            listing.highlighted = 0

    @staticmethod
    def practice_label(practice: Practice, score) -> Content:
        number = format_score(score.value if score else None)
        reason = (printable(score.reason), "") if score else ("nothing to score last week", "dim")
        return Content.assemble(practice_badge(practice), (f" {number}  ", "bold"), reason)

    def on_toggle_list_toggled(self, message: ToggleList.Toggled) -> None:
        self.flow.set_skipped(message.item_id, not message.chosen)

    def keys(self, last: bool) -> str:
        return "Space or 1-7 switches a practice · {enter} next page · {close} close"


class PlannedPage(FlowPage):
    """Planning's last page: the week as planned."""

    name_shown = "The week as planned"

    def __init__(self) -> None:
        super().__init__(id="page-planned")

    def compose(self) -> ComposeResult:
        yield Static(id="planned")

    def show(self) -> None:
        flow = self.flow
        session = flow.app.session
        view = session.week_view(flow.label)
        plan = view.plan
        width = flow.query_one("#pages").content_region.width - 2  # a scroll bar may come
        lines: list[Content] = [Content.assemble(("Intentions", "bold"), ("  (i on the week screen edits)", "dim"))]
        for practice in flow.practices:
            text = " ".join(plan.intentions.get(practice.id, "").split())
            if practice.id in flow.skipped:
                text, style = "not a focus this week", "dim italic"
            else:
                style = "" if text else "dim"
            lines.append(hanging_line(Content.assemble(practice_badge(practice), " "), text or "-", style, width))
        tasks = sorted((task for task in tasks_of_week(flow.app.tasks.values(), view) if task.status != "deleted"),
                       key=lambda task: (task.day is None, task.day or view.start, task.created))
        lines.append(Content(""))
        lines.append(Content.assemble(("Tasks of the week", "bold"), f"  {len(tasks)}",
                                      (f", {sum(task.is_done for task in tasks)} done" if tasks else "", "")))
        for task in tasks:
            practice = flow.app.practice(task.practice)
            when = f"{task.day:%a %d}" if task.day else "any day"
            tick = "✓ " if task.is_done else ""
            lines.append(Content.assemble(practice_badge(practice, task.practice or "") , " ", (f"{when:<7} ", "dim"),
                                          tick, printable(task.title)))
        if not tasks:
            lines.append(Content("None yet: n on the week screen adds one to a day.").stylize("dim"))
        self.query_one("#planned", Static).update(Content("\n").join(lines))

    def first_field(self) -> Widget | None:
        return self

    def keys(self, last: bool) -> str:
        return "{enter} finish · {back} back · {close} close"


@dataclass(frozen=True)
class CarryChoice:
    key: str
    label: str


KEEP = CarryChoice("k", "keep")
MOVE = CarryChoice("m", "next week")
DROP = CarryChoice("d", "to Backlog")
CARRY_CHOICES = (KEEP, MOVE, DROP)


class CarryList(OptionList):
    """The week's open tasks, each with what happens to it: keep (as it is), move to next week, or
    back to the Backlog unscheduled. k/m/d choose for the highlighted task, K/M/D for all."""

    DEFAULT_CSS = """
    CarryList { height: auto; max-height: 14; border: round $panel; }
    CarryList:focus { border: round $accent; }
    """
    BINDINGS = [
        *(Binding(choice.key, f"choose('{choice.key}')", choice.label, show=False, id=f"carry.{choice.key}")
          for choice in CARRY_CHOICES),
        *(Binding(choice.key.upper(), f"choose_all('{choice.key}')", f"All: {choice.label}", show=False,
                  id=f"carry.all_{choice.key}") for choice in CARRY_CHOICES),
        Binding("space", "cycle", "Next choice", show=False, id="carry.cycle"),
    ]

    def __init__(self, tasks: list[Task], render: Callable[[Task], Content], **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.tasks = tasks
        self.render_task = render
        self.choices: dict[str, CarryChoice] = {task.id: KEEP for task in tasks}

    def on_mount(self) -> None:
        self.set_options(Option(self.row(task), id=task.id) for task in self.tasks)
        if self.tasks:
            self.highlighted = 0

    def row(self, task: Task) -> Content:
        choice = self.choices[task.id]
        style = "dim" if choice is KEEP else "bold"
        return Content.assemble((f"[{choice.label:^10}]", style), " ", self.render_task(task))

    def set_choice(self, index: int, choice: CarryChoice) -> None:
        task = self.tasks[index]
        self.choices[task.id] = choice
        self.replace_option_prompt_at_index(index, self.row(task))

    def action_choose(self, key: str) -> None:
        if self.highlighted is not None:
            self.set_choice(self.highlighted, next(choice for choice in CARRY_CHOICES if choice.key == key))

    def action_choose_all(self, key: str) -> None:
        choice = next(choice for choice in CARRY_CHOICES if choice.key == key)
        for index in range(len(self.tasks)):
            self.set_choice(index, choice)

    def action_cycle(self) -> None:
        if self.highlighted is not None:
            current = self.choices[self.tasks[self.highlighted].id]
            self.set_choice(self.highlighted, CARRY_CHOICES[(CARRY_CHOICES.index(current) + 1) % len(CARRY_CHOICES)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "select"  # Enter belongs to the flow: it finishes the review


class CarryPage(FlowPage):
    """Reviewing's last page: the weekly value score, its trend, and what to carry into next week."""

    name_shown = "Value, and what to carry over"

    def __init__(self) -> None:
        super().__init__(id="page-carry")
        self.applied = False

    def compose(self) -> ComposeResult:
        yield Static(id="review-value")
        flow = self.flow
        view = flow.app.session.week_view(flow.label)
        open_tasks = sorted((task for task in tasks_of_week(flow.app.tasks.values(), view) if task.is_open),
                            key=lambda task: (task.day is None, task.day or view.start, task.created))
        self.next_label = shift_week(flow.label, 1, flow.app.session.board.week_start)
        if open_tasks:
            yield Static(Content.assemble(("Open tasks of the week", "bold"),
                                          f": k keep · m move to {self.next_label} · d back to the Backlog "
                                          "(K M D: all)"), classes="section")
            yield CarryList(open_tasks, self.task_line, id="carry")
        else:
            yield Static(Content("Every task of the week is done: nothing to carry over.").stylize("dim"),
                         classes="section")

    def task_line(self, task: Task) -> Content:
        return Content.assemble(practice_badge(self.flow.app.practice(task.practice), task.practice or ""), " ",
                                printable(task.title))

    def show(self) -> None:
        flow = self.flow
        just_reviewed = flow.mark_reviewed()
        session = flow.app.session
        result, previous = flow.scores(flow.label, fresh=True)
        if just_reviewed:
            session.host.week_reviewed(result.week, result.by_practice())
        flow.app._tell_plugin_warnings()
        reviewed = session.week_view(flow.label).plan.reviewed_at
        head: list = [(f"Week {flow.label} reviewed", "bold")]
        if reviewed is not None:
            head.append(f" on {reviewed:%a %d %b %H:%M}")
        lines = [Content.assemble(*head, ".")]
        if result.value is None:
            lines.append(Content("No practice scored this week.").stylize("dim"))
        else:
            change = result.value - previous.value if previous.value is not None else None
            lines.append(Content.assemble(("VALUE ", "bold reverse"), " ", score_bar(result.value, 12, look.current().glyphs), " ",
                                          (format_score(result.value).strip(), "bold"), " ",
                                          (format_change(change), change_style(change)), "  weekly value score"))
        lines.append(Content.assemble(("Trend  ", "bold"), flow.trend()))
        self.query_one("#review-value", Static).update(Content("\n").join(lines))

    def leave(self, forwards: bool) -> list[str]:
        """Carry the open tasks over as chosen, once (on Enter or Esc)."""
        if self.applied or not self.query(CarryList):
            return []
        self.applied = True
        carry = self.query_one(CarryList)
        app, label = self.flow.app, self.next_label
        first_column = app.session.board.columns[0]
        moved = dropped = 0
        for task in carry.tasks:
            choice = carry.choices[task.id]
            if choice is MOVE:
                changed = app.change_task(task.id, lambda current, now, board: schedule_task(
                    current, now, board, week=label, day=None), f"move {task.title!r} to {label}")
                moved += changed is not None
            elif choice is DROP:
                changed = app.change_task(task.id, lambda current, now, board: move_task(
                    schedule_task(current, now, board, week=None, day=None), first_column.id, now, board),
                    f"drop {task.title!r} from {self.flow.label}")
                dropped += changed is not None
        said = []
        if moved:
            said.append(f"{moved} task{'s' * (moved > 1)} moved to {label}")
        if dropped:
            said.append(f"{dropped} back to {first_column.title}")
        return ["✓ " + ", ".join(said) + " (u undoes)"] if said else []

    def keys(self, last: bool) -> str:
        return "k m d or Space: a task's fate · {enter} finish · {back} back · {close} close"


# --- the flows ------------------------------------------------------------------------------------


class WeekFlow(ModalScreen[None]):
    """Pages shown one at a time; see the module's doc. Subclasses build the pages."""

    DEFAULT_CSS = """
    WeekFlow { align: center middle; }
    WeekFlow > #flow {
        width: 110; max-width: 100%; height: 100%; max-height: 44;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    WeekFlow #flow-title { text-style: bold; color: $text-primary; margin-bottom: 1; }
    WeekFlow #pages { height: 1fr; }
    WeekFlow #flow-bottom { height: auto; max-height: 3; }
    WeekFlow #flow-status { width: 1fr; height: auto; color: $text-success; }
    WeekFlow #flow-keys { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    WeekFlow #flow-bottom Button { margin-left: 1; width: auto; min-width: 8; }
    """

    BINDINGS = [
        Binding("ctrl+s,ctrl+down", "next", "Save & next", id="flow.next"),
        Binding("ctrl+up", "back", "Back", id="flow.back"),
        Binding("escape", "close", "Close", id="flow.close"),
        # Enter in an answer is the answer's (it comes here as Input.Submitted); elsewhere: go on.
        Binding("enter", "next", "Next", show=False, id="flow.enter"),
        Binding("ctrl+o", "skip", "Not a focus this week", show=False, id="flow.skip"),
    ]

    phase: Phase = "plan"

    def __init__(self, label: str, practices: list[Practice]) -> None:
        super().__init__()
        self.label = label
        self.practices = practices
        plan = self.saved_plan()
        self.skipped: set[str] = set(plan.skipped)
        self.index = 0
        self._scores: dict[str, object] = {}

    def build_pages(self) -> list[FlowPage]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="flow"):
            yield Static(id="flow-title")
            with ContentSwitcher(id="pages"):
                yield from self.build_pages()
            with Horizontal(id="flow-bottom"):
                yield Static(id="flow-status")
                for button_id, text in (("back", "Back"), ("next", "Next"), ("close", "Close")):
                    button = Button(text, id=button_id, compact=True, variant="primary" if button_id == "next" else "default")
                    button.can_focus = False  # Tab goes through the page's fields only
                    yield button
            yield Static(id="flow-keys")

    #: Said in the status line when the flow opens (why this week is reviewed).
    note = ""

    def on_mount(self) -> None:
        self.show_page()
        self.say(self.note)

    # --- pages -------------------------------------------------------------------------------------

    @property
    def pages(self) -> list[FlowPage]:
        """The pages of the flow as it stands (a practice left out of focus drops out)."""
        return [page for page in self.query_one(ContentSwitcher).query_children(FlowPage) if page.included()]

    @property
    def page(self) -> FlowPage:
        pages = self.pages
        return pages[min(self.index, len(pages) - 1)]

    def show_page(self) -> None:
        pages = self.pages
        self.index = min(self.index, len(pages) - 1)
        page = pages[self.index]
        last = self.index == len(pages) - 1
        self.show_title()
        self.query_one(ContentSwitcher).current = page.id
        page.show()
        page.scroll_home(animate=False)
        self.query_one("#back", Button).disabled = self.index == 0
        self.query_one("#next", Button).label = "Finish" if last else "Next"
        keys = {name: key_label(self.app, f"flow.{name}", shown)
                for name, shown in (("enter", "Enter"), ("back", "^↑"), ("close", "Esc"), ("skip", "^o"))}
        self.query_one("#flow-keys", Static).update(Content(page.keys(last).format(**keys)))
        field = page.first_field()
        if field is not None:
            field.focus()

    def show_title(self) -> None:
        pages = self.pages
        verb = "Plan" if self.phase == "plan" else "Review"
        self.query_one("#flow-title", Static).update(Content(
            f"{verb} {self.label}  ·  page {self.index + 1} of {len(pages)}  ·  {self.page.name_shown}"))

    def say(self, text: str) -> None:
        """A line inside the dialog: a toast would cover the page in a small terminal."""
        self.query_one("#flow-status", Static).update(Content(text))

    def go_to(self, index: int, said: list[str]) -> None:
        self.index = index
        self.show_page()
        self.say("  ".join(said))

    def action_next(self) -> None:
        said = self.page.leave(forwards=True)
        if self.index >= len(self.pages) - 1:
            self.finish(said)
            return
        self.go_to(self.index + 1, said)

    def action_back(self) -> None:
        if self.index > 0:
            self.go_to(self.index - 1, self.page.leave(forwards=False))

    def action_close(self) -> None:
        said = self.page.leave(forwards=False)
        said += self.on_close()
        if said:
            self.app.notify("  ".join(said), markup=False, timeout=5)
        self.dismiss()

    def on_close(self) -> list[str]:
        """What closing early still does (planning adds the chosen templates)."""
        return []

    def finish(self, said: list[str]) -> None:
        if said:
            self.app.notify("  ".join(said), markup=False, timeout=5)
        self.dismiss()

    def action_skip(self) -> None:
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "skip":
            return self.phase == "plan" and isinstance(self.page, PracticePage)
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"back": self.action_back, "next": self.action_next, "close": self.action_close}
        actions[event.button.id or "close"]()

    # --- the week file -----------------------------------------------------------------------------

    def saved_plan(self) -> WeekPlan:
        return self.app.session.week_plan(self.label) or WeekPlan(self.label)

    def save_answers(self, fields: Iterable[AnswerInput], *, confirm: bool) -> list[str]:
        """Save the answers that differ from the week file. Going on (`confirm`) saves every field,
        defaults offered from an earlier week included; going back or closing saves only what the
        person typed."""
        saved = self.saved_plan().answers(self.phase)
        changed = [field for field in fields
                   if field.value.strip() != saved.get(field.key, "")
                   and (confirm or field.value != field.shown_at_start)]
        if not changed:
            return []

        def answer_all(plan: WeekPlan) -> WeekPlan:
            for field in changed:
                plan = with_answer(plan, self.phase, field.practice.id, field.prompt.id, field.value,
                                   states_intention=field.states_intention)
            return plan

        if self.app.change_week(self.label, answer_all) is None:
            return []
        for field in changed:
            field.shown_at_start = field.value
        count = len(changed)
        return [f"✓ {count} answer{'s' * (count > 1)} saved"]

    def set_skipped(self, practice_id: str, skipped: bool) -> None:
        (self.skipped.add if skipped else self.skipped.discard)(practice_id)
        self.app.change_week(self.label, lambda plan: with_skipped(plan, practice_id, skipped))
        self.show_title()

    # --- scores ------------------------------------------------------------------------------------

    def scores(self, label: str, *, fresh: bool = False):
        """The week's score and the week before's (cached for the flow; `fresh` scores again)."""
        from planner.scoring import score_week

        if fresh or label not in self._scores:
            session = self.app.session
            tasks = list(session.tasks.values())
            previous = shift_week(label, -1, session.board.week_start)
            self._scores[label] = (score_week(session.host, session.board, session.week_view(label), tasks),
                                   score_week(session.host, session.board, session.week_view(previous), tasks))
        return self._scores[label]

    def trend(self) -> Content:
        """The value score of the last weeks up to this one: `W43 40 · W44 52 · W45 -`."""
        from planner.scoring import plan_start, score_weeks

        session = self.app.session
        board = session.board
        tasks = list(session.tasks.values())
        labels = [shift_week(self.label, offset, board.week_start) for offset in range(1 - TREND_WEEKS, 1)]
        since = plan_start(tasks, session.store.week_labels(), board.week_start) or session.today()
        results = score_weeks(session.host, board, self.label, TREND_WEEKS, tasks,
                              {label: session.week_plan(label) for label in labels}, session.today(), since)
        parts = []
        for result in results:
            if not result.has_data:
                continue
            value = result.value
            parts.append(Content.assemble((result.week.label[-3:], "dim"), " ",
                                          ("-" if value is None else f"{value:.0f}",
                                           "bold" if result.week.label == self.label else "")))
        return Content(" · ").join(parts) if parts else Content("no earlier weeks").stylize("dim")


class PlanFlow(WeekFlow):
    """Plan the week: last week and the focus, a page per practice in focus, the week as planned."""

    phase: Phase = "plan"

    def __init__(self, label: str, practices: list[Practice], prompts: dict[str, list[Prompt]],
                 templates: dict[str, list[TaskTemplate]]) -> None:
        super().__init__(label, practices)
        self.prompts = prompts
        self.templates = templates

    def build_pages(self) -> list[FlowPage]:
        saved = self.saved_plan().plan_answers
        defaults = earlier_answers(self.app.session, self.label)
        pages: list[FlowPage] = [FocusPage(self.practices)]
        for practice in self.practices:
            values = {}
            for prompt in self.prompts[practice.id]:
                key = answer_key(practice.id, prompt.id)
                values[prompt.id] = (saved[key], "") if key in saved else defaults.get(key, ("", ""))
            pages.append(PracticePage(practice, self.prompts[practice.id], values, self.templates[practice.id]))
        pages.append(PlannedPage())
        return pages

    def action_skip(self) -> None:
        page = self.page
        if isinstance(page, PracticePage):
            said = page.leave(forwards=False)
            self.set_skipped(page.practice.id, True)
            said.append(f"{page.practice.name}: not a focus this week (switch it back on the first page)")
            # The page dropped out of the flow: the next one now has its place.
            self.go_to(self.index, said)

    def on_close(self) -> list[str]:
        return [line for page in self.query(PracticePage) for line in page.make_chosen()]

    def finish(self, said: list[str]) -> None:
        plan = self.saved_plan()
        added = sum(len(page.added) for page in self.query(PracticePage))
        in_focus = [practice for practice in self.practices if practice.id not in self.skipped]
        intentions = sum(1 for practice in in_focus if plan.intentions.get(practice.id))
        text = (f"Plan for {self.label} saved: {len(plan.plan_answers)} answers, {intentions} intention"
                f"{'s' * (intentions != 1)}" + (f", {added} task{'s' * (added > 1)} added" if added else ""))
        self.app.notify(text, timeout=4)
        self.dismiss()


class ReviewFlow(WeekFlow):
    """Review the week: a page per practice with its score, then the value score and the carry-over."""

    phase: Phase = "review"

    def __init__(self, label: str, practices: list[Practice], prompts: dict[str, list[Prompt]]) -> None:
        super().__init__(label, practices)
        self.prompts = prompts
        self.reviewed = False

    def build_pages(self) -> list[FlowPage]:
        saved = self.saved_plan().review_answers
        result, previous = self.scores(self.label)
        before = previous.by_practice()
        pages: list[FlowPage] = []
        for entry in result.practices:
            practice = entry.practice
            if practice.id not in self.prompts:
                continue
            score = entry.score
            earlier = before.get(practice.id)
            change = score.value - earlier.value if score and earlier else None
            line = Content.assemble(("Score ", "bold"), score_bar(score.value if score else None, 12, look.current().glyphs), " ",
                                    (format_score(score.value if score else None).strip(), "bold"), " ",
                                    (format_change(change), change_style(change)), "  ",
                                    (printable(score.reason) if score else "nothing to score this week",
                                     "" if score else "dim"))
            values = {prompt.id: (saved.get(answer_key(practice.id, prompt.id), ""), "")
                      for prompt in self.prompts[practice.id]}
            pages.append(PracticePage(practice, self.prompts[practice.id], values, score_line=line))
        pages.append(CarryPage())
        return pages

    def mark_reviewed(self) -> bool:
        """Stamp the week as reviewed, once per flow: True the first time."""
        if self.reviewed:
            return False
        now = self.app.session.now()
        self.reviewed = self.app.change_week(self.label, lambda plan: replace(plan, reviewed_at=now)) is not None
        return self.reviewed


def open_prompt_flow(app: App, label: str, phase: Phase, note: str = "") -> None:
    """Ask the plugins for the flow's prompts and templates (telling the user about any that
    failed), then open the flow; `note` (why this week) is said inside it, where no toast covers it."""
    session = app.session
    host, board = session.host, session.board
    week = session.week_view(label)
    practices: list[Practice] = []
    prompts: dict[str, list[Prompt]] = {}
    templates: dict[str, list[TaskTemplate]] = {}
    for practice in host.enabled_practices(board):
        asked = host.prompts(practice.id, phase, week, board)
        offered = host.templates(practice.id, board) if phase == "plan" else []
        if practice.id not in host.practices:  # its plugin failed just now
            continue
        practices.append(practice)
        prompts[practice.id] = list(asked)
        templates[practice.id] = list(offered)
    app._tell_plugin_warnings()
    if not practices:
        app.notify("No practice is enabled: see the Practices screen (4).", severity="warning", timeout=6)
        return
    flow = PlanFlow(label, practices, prompts, templates) if phase == "plan" else ReviewFlow(label, practices, prompts)
    flow.note = note
    app.push_screen(flow)


class IntentionDialog(ModalScreen[None]):
    """Edit what the week is meant to achieve for one practice; Enter saves, blank clears."""

    DEFAULT_CSS = """
    IntentionDialog { align: center middle; }
    IntentionDialog > Vertical {
        width: 80; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    IntentionDialog #intention-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="intention.cancel")]

    def __init__(self, label: str, practice_id: str) -> None:
        super().__init__()
        self.label = label
        self.practice_id = practice_id

    def compose(self) -> ComposeResult:
        session = self.app.session
        practices = [(Content(f"{practice.label}  {practice.name}"), practice.id)
                     for practice in session.host.enabled_practices(session.board)]
        with Vertical():
            yield Static(Content(f"Intention for {self.label}").stylize("bold"))
            yield Select(practices, value=self.practice_id, allow_blank=False, id="intention-practice")
            yield Input(self.saved_intention(self.practice_id), id="intention-text",
                        placeholder="what this week should achieve for this practice")
            yield Static(Content("Enter saves (blank clears) · Esc cancels"), id="intention-keys")

    def on_mount(self) -> None:
        self.query_one("#intention-text", Input).focus()

    def saved_intention(self, practice_id: str) -> str:
        plan = self.app.session.week_plan(self.label) or WeekPlan(self.label)
        return plan.intentions.get(practice_id, "")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.BLANK:
            self.practice_id = str(event.value)
            self.query_one("#intention-text", Input).value = self.saved_intention(self.practice_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        practice_id, text = self.practice_id, event.value
        if " ".join(text.split()) != self.saved_intention(practice_id):
            self.app.change_week(self.label, lambda plan: with_intention(plan, practice_id, text))
        self.dismiss()
