"""The pages of the weekly flows (dialogs/prompt_flow.py): a practice's prompts with its templates
or its score, planning's first page (last week, this week's focus) and last page (the week as
planned), and reviewing's last page (the value score, the trend, what to carry over).

A page fills itself from the saved week each time it is shown (`show`), says which field takes the
cursor (`first_field`), and saves what it holds when it is left (`leave`), through its flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from planner.api import Practice, Prompt, TaskTemplate, intention_prompt
from planner.app import look
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.score_panel import change_style, format_change, hanging_line
from planner.app.widgets.toggle_list import NUMBERED, ToggleItem, ToggleList
from planner.dates import format_minutes, shift_week
from planner.model import Task, answer_key, carry_task, one_line, tasks_of_week
from planner.report import format_score, score_bar
from planner.text import printable

if TYPE_CHECKING:
    from planner.app.dialogs.prompt_flow import WeekFlow


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
    def flow(self) -> WeekFlow:
        return self.screen  # type: ignore[return-value]  # a page lives only in a WeekFlow

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
            text = one_line(plan.intentions.get(practice.id, ""))
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
                changed = app.change_task(task.id, lambda current, now, board: carry_task(current, now, board, label),
                                          f"move {task.title!r} to {label}")
                moved += changed is not None
            elif choice is DROP:
                changed = app.change_task(task.id, lambda current, now, board: carry_task(current, now, board, None),
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
