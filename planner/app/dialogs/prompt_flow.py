"""Dialogs that write the week file: the guided "plan the week" and "review the week" flows, and
the one-line editor of a practice's intention.

The flow walks every enabled practice's prompts, one at a time. Each answer is saved the moment
the person moves on (Enter, ctrl+s, back, or Esc), so leaving half way loses nothing. When planning,
each practice's task templates follow its prompts as choices (space or a template's number toggles
one); the chosen ones become tasks of the week when the person goes on or closes the flow, once: a
template made into a task in this flow stays chosen and is not made again. When reviewing, the flow
ends by marking the week reviewed, telling plugins, and showing the score and what changed since
the week before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from planner.api import Phase, Practice, Prompt, TaskTemplate
from planner.app.widgets.cards import practice_badge
from planner.app.widgets.score_panel import ScorePanel, format_change
from planner.app.widgets.toggle_list import NUMBERED, ToggleItem, ToggleList
from planner.dates import format_minutes, shift_week
from planner.model import WeekPlan, frozen_mapping
from planner.text import printable

# --- the week file's answers (pure) -----------------------------------------------------------------


def answer_key(practice_id: str, prompt_id: str) -> str:
    """Where an answer lives in the week file: `<practice>.<prompt>`."""
    return f"{practice_id}.{prompt_id}"


def with_answer(plan: WeekPlan, phase: Phase, key: str, text: str) -> WeekPlan:
    """The week with one answer set; blank text removes the answer."""
    answers = dict(plan.answers(phase))
    cleaned = text.strip()
    if cleaned:
        answers[key] = cleaned
    else:
        answers.pop(key, None)
    field = "plan_answers" if phase == "plan" else "review_answers"
    return replace(plan, **{field: frozen_mapping(answers)})


def with_intention(plan: WeekPlan, practice_id: str, text: str) -> WeekPlan:
    """The week with one practice's intention set (on one line); blank text removes it."""
    intentions = dict(plan.intentions)
    cleaned = " ".join(text.split())
    if cleaned:
        intentions[practice_id] = cleaned
    else:
        intentions.pop(practice_id, None)
    return replace(plan, intentions=frozen_mapping(intentions))


# --- the steps of a flow --------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptStep:
    practice: Practice
    prompt: Prompt
    number: int  # 1-based, within the practice
    count: int


@dataclass(frozen=True)
class TemplateStep:
    practice: Practice
    templates: tuple[TaskTemplate, ...]


@dataclass(frozen=True)
class SummaryStep:
    """The end of a review: the week's score and the change since the week before."""


Step = Union[PromptStep, TemplateStep, SummaryStep]


def flow_steps(app: App, label: str, phase: Phase) -> list[Step]:
    """Every enabled practice's prompts for `phase`, then (planning) its templates, then (reviewing)
    the summary. A plugin whose hook fails is disabled by the host and simply left out."""
    session = app.session
    host, board = session.host, session.board
    week = session.week_view(label)
    steps: list[Step] = []
    for practice in host.enabled_practices(board):
        prompts = host.prompts(practice.id, phase, week, board)
        if practice.id not in host.practices:  # its plugin failed just now
            continue
        steps += [PromptStep(practice, prompt, number, len(prompts)) for number, prompt in enumerate(prompts, 1)]
        if phase == "plan":
            templates = host.templates(practice.id, board)
            if templates:
                steps.append(TemplateStep(practice, tuple(templates)))
    if phase == "review":
        steps.append(SummaryStep())
    return steps


def open_prompt_flow(app: App, label: str, phase: Phase) -> None:
    """Ask the plugins for the flow's steps (telling the user about any that failed), then open it."""
    steps = flow_steps(app, label, phase)
    app._tell_plugin_warnings()
    if not steps:
        app.notify("No enabled practice has planning questions: see the Practices screen (4).",
                   severity="warning", timeout=6)
        return
    app.push_screen(PromptFlow(label, phase, steps))


# --- widgets --------------------------------------------------------------------------------------


class AnswerArea(TextArea):
    """A wrapping text box in which Enter finishes the answer instead of starting a new line:
    answers are a line or two, and Enter is what a person presses when done."""

    class Submitted(Message):
        pass

    async def _on_key(self, event) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted())
            return
        await super()._on_key(event)


class PromptFlow(ModalScreen[None]):
    #: In a tall terminal the summary's reasons wrap instead of being cut.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    DEFAULT_CSS = """
    PromptFlow { align: center middle; }
    PromptFlow > #flow {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PromptFlow #flow-title { text-style: bold; color: $text-primary; }
    PromptFlow #flow-practice { margin-top: 1; }
    PromptFlow #flow-prompt { margin-top: 1; text-style: bold; }
    PromptFlow #flow-hint { color: $text-muted; text-style: italic; }
    PromptFlow #answer { height: 5; margin-top: 1; }
    PromptFlow #templates { height: auto; max-height: 10; margin-top: 1; border: round $panel; }
    PromptFlow #summary-box { height: auto; max-height: 14; margin-top: 1; }
    PromptFlow #summary { margin-top: 1; }
    PromptFlow.-tall #summary-box { max-height: 24; }
    PromptFlow.-tall #summary { text-wrap: wrap; }
    PromptFlow #flow-status { color: $text-success; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    PromptFlow #flow-buttons { height: auto; align-horizontal: right; }
    PromptFlow #flow-buttons Button { margin-left: 1; }
    PromptFlow #flow-keys { color: $text-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s,ctrl+down", "next", "Save & next", id="flow.next"),
        Binding("ctrl+up", "back", "Back", id="flow.back"),
        Binding("n", "next", "Next", show=False, id="flow.next_key"),
        Binding("p", "back", "Back", show=False, id="flow.back_key"),
        Binding("escape", "close", "Close", id="flow.close"),
        # Enter in the answer box and on a button is theirs; on the templates it comes here: go on.
        Binding("enter", "next", "Next", show=False, id="flow.enter"),
    ]

    def __init__(self, label: str, phase: Phase, steps: list[Step]) -> None:
        super().__init__()
        self.label = label
        self.phase: Phase = phase
        self.steps = steps
        self.index = 0
        #: Templates chosen on their step and not made into tasks yet, by practice id.
        self.chosen: dict[str, set[str]] = {}
        #: (practice id, template id) of the templates made into tasks in this flow.
        self.added: set[tuple[str, str]] = set()
        self.reviewed = False
        practice_ids = list(dict.fromkeys(step.practice.id for step in steps if not isinstance(step, SummaryStep)))
        self.practice_number = {practice_id: number for number, practice_id in enumerate(practice_ids, 1)}

    def compose(self) -> ComposeResult:
        with Vertical(id="flow"):
            yield Static(id="flow-title")
            yield Static(id="flow-practice")
            yield Static(id="flow-prompt")
            yield Static(id="flow-hint")
            yield AnswerArea(id="answer", soft_wrap=True, show_line_numbers=False)
            yield ToggleList(id="templates")
            with VerticalScroll(id="summary-box"):
                yield Static(id="summary-head")
                yield ScorePanel(id="summary", bar_width=12)
            yield Static(id="flow-status")
            with Horizontal(id="flow-buttons"):
                yield Button("Back", id="back", compact=True)
                yield Button("Next", id="next", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)
            yield Static(id="flow-keys")

    def on_mount(self) -> None:
        self.show_step()

    # --- reading the week file ---------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def saved_plan(self) -> WeekPlan:
        return self.app.session.week_plan(self.label) or WeekPlan(self.label)

    # --- showing a step ------------------------------------------------------------------------------

    def show_step(self) -> None:
        step = self.step
        verb = "Plan" if self.phase == "plan" else "Review"
        self.query_one("#flow-title", Static).update(
            Content(f"{verb} the week {self.label}  ·  step {self.index + 1} of {len(self.steps)}"))
        for widget_id, shown in (("#flow-prompt", isinstance(step, PromptStep)),
                                 ("#flow-hint", isinstance(step, PromptStep)),
                                 ("#answer", isinstance(step, PromptStep)),
                                 ("#templates", isinstance(step, TemplateStep)),
                                 ("#summary-box", isinstance(step, SummaryStep)),
                                 ("#flow-practice", not isinstance(step, SummaryStep))):
            self.query_one(widget_id).display = shown
        self.query_one("#back", Button).disabled = self.index == 0
        last = self.index == len(self.steps) - 1
        self.query_one("#next", Button).label = "Finish" if last else "Next"
        self.query_one("#flow-status", Static).update("")
        if isinstance(step, PromptStep):
            self.show_prompt(step)
        elif isinstance(step, TemplateStep):
            self.show_templates(step)
        else:
            self.show_summary()

    def practice_line(self, practice: Practice, extra: str) -> Content:
        number = self.practice_number.get(practice.id, 0)
        return Content.assemble(practice_badge(practice), " ", (printable(practice.name), "bold"),
                                (f"  practice {number} of {len(self.practice_number)}{extra}", "dim"))

    def show_prompt(self, step: PromptStep) -> None:
        self.query_one("#flow-practice", Static).update(
            self.practice_line(step.practice, f" · question {step.number} of {step.count}"))
        self.query_one("#flow-prompt", Static).update(Content(printable(step.prompt.text, multiline=True)))
        hint = self.query_one("#flow-hint", Static)
        hint.update(Content(printable(step.prompt.hint, multiline=True)))
        hint.display = bool(step.prompt.hint)
        area = self.query_one("#answer", AnswerArea)
        saved = self.saved_plan().answers(self.phase).get(answer_key(step.practice.id, step.prompt.id), "")
        area.load_text(saved)
        area.move_cursor(area.document.end)
        area.focus()
        self.query_one("#flow-keys", Static).update(Content(
            "Enter saves and goes on · ctrl+↑ back · Esc closes (what you typed is kept)"))

    def show_templates(self, step: TemplateStep) -> None:
        self.query_one("#flow-practice", Static).update(self.practice_line(step.practice, " · tasks to add"))
        listing = self.query_one("#templates", ToggleList)
        practice_id = step.practice.id
        listing.set_items((ToggleItem(template.id, self.template_label(step, template),
                                      fixed=(practice_id, template.id) in self.added)
                           for template in step.templates), self.chosen.get(practice_id, ()))
        listing.highlighted = 0
        numbers = "1" if len(step.templates) == 1 else f"1-{min(len(step.templates), NUMBERED)}"
        listing.border_title = f"Add to {self.label}: space or {numbers} chooses"
        listing.focus()
        self.show_chosen_count(step)
        then = "finishes" if self.index == len(self.steps) - 1 else "goes on"
        self.query_one("#flow-keys", Static).update(Content(
            f"Space or {numbers} chooses · Enter adds the chosen and {then} · ctrl+↑ back · "
            "Esc closes (adding the chosen)"))

    def template_label(self, step: TemplateStep, template: TaskTemplate) -> Content:
        added = (step.practice.id, template.id) in self.added
        estimate = f"  {format_minutes(template.estimate)}" if template.estimate else ""
        return Content.assemble(printable(template.title), (estimate, "dim"),
                                ("  ✓ added" if added else "", "dim italic"))

    def show_summary(self) -> None:
        from planner.scoring import score_week

        session = self.app.session
        board = session.board
        just_reviewed = not self.reviewed and self.mark_reviewed()
        week = session.week_view(self.label)
        previous_label = shift_week(self.label, -1, board.week_start)
        tasks = list(session.tasks.values())
        result = score_week(session.host, board, week, tasks)
        previous = score_week(session.host, board, session.week_view(previous_label), tasks)
        if just_reviewed:
            session.host.week_reviewed(week, result.by_practice())
        self.app._tell_plugin_warnings()
        reviewed = week.plan.reviewed_at
        head: list = [(f"Week {self.label} reviewed", "bold")]
        if reviewed is not None:
            head.append(f" on {reviewed:%a %d %b %H:%M}")
        head.append(".")
        if result.value is not None:
            head += ["  Value score ", (f"{result.value:.0f}", "bold")]
            if previous.value is not None:
                head.append(f", {format_change(result.value - previous.value).strip()} since {previous_label}")
            head.append(".")
        self.query_one("#summary-head", Static).update(Content.assemble(*head))
        self.query_one("#summary", ScorePanel).show_score(result, previous)
        self.query_one("#next", Button).focus()
        self.query_one("#flow-keys", Static).update(Content(
            f"Score, change since {previous_label}, and why · Enter or Esc closes"))

    def mark_reviewed(self) -> bool:
        """Stamp the week as reviewed, once per flow; False when it could not be saved."""
        now = self.app.session.now()
        self.reviewed = self.app.change_week(self.label, lambda plan: replace(plan, reviewed_at=now)) is not None
        return self.reviewed

    # --- saving ----------------------------------------------------------------------------------

    def save_answer(self) -> str | None:
        """Save what is in the answer box when it differs from the file: what happened, or None."""
        step = self.step
        if not isinstance(step, PromptStep):
            return None
        text = self.query_one("#answer", AnswerArea).text
        key = answer_key(step.practice.id, step.prompt.id)
        if text.strip() == self.saved_plan().answers(self.phase).get(key, ""):
            return None
        if self.app.change_week(self.label, lambda plan: with_answer(plan, self.phase, key, text)) is None:
            return None
        return f"✓ Answer {'cleared' if not text.strip() else 'saved'}: {step.prompt.text}"

    # --- moving through the steps ------------------------------------------------------------------

    def action_next(self) -> None:
        saved = self.save_answer() or self.add_chosen(self.step)
        if self.index == len(self.steps) - 1:
            self.finish()
            return
        self.go_to(self.index + 1, saved)

    def action_back(self) -> None:
        if self.index > 0:
            self.go_to(self.index - 1, self.save_answer())

    def go_to(self, index: int, saved: str | None) -> None:
        self.index = index
        self.show_step()
        if saved:  # said inside the dialog: a toast would cover its buttons in a small terminal
            self.query_one("#flow-status", Static).update(Content(saved))

    def action_close(self) -> None:
        self.save_answer()
        # Closing keeps what was done, as for the answers: templates chosen on any step are added.
        made = [title for step in self.steps for title in self.make_chosen(step)]
        if made:
            self.app.notify(f"Added {len(made)} task{'s' * (len(made) > 1)} to {self.label}: " + "; ".join(made),
                            markup=False, timeout=4)
        self.dismiss()

    def finish(self) -> None:
        if self.phase == "plan":
            answers = len(self.saved_plan().plan_answers)
            added = len(self.added)
            self.app.notify(f"Plan for {self.label} saved: {answers} answers"
                            + (f", {added} task{'s' * (added > 1)} added" if added else ""), timeout=4)
        self.dismiss()

    def on_answer_area_submitted(self, message: AnswerArea.Submitted) -> None:
        self.action_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"back": self.action_back, "next": self.action_next, "close": self.action_close}
        actions[event.button.id or "close"]()

    # --- templates -----------------------------------------------------------------------------------

    def on_toggle_list_toggled(self, message: ToggleList.Toggled) -> None:
        step = self.step
        if isinstance(step, TemplateStep):
            chosen = self.chosen.setdefault(step.practice.id, set())
            if message.chosen:
                chosen.add(message.item_id)
            else:
                chosen.discard(message.item_id)
            self.show_chosen_count(step)

    def on_toggle_list_refused(self, message: ToggleList.Refused) -> None:
        self.query_one("#flow-status", Static).update(Content(
            f"Already added to {self.label}: change or delete that task on the board or the week."))

    def show_chosen_count(self, step: TemplateStep) -> None:
        count = len(self.chosen.get(step.practice.id, ()))
        self.query_one("#flow-status", Static).update(Content(
            f"{count} chosen: added to {self.label} when you go on" if count else ""))

    def add_chosen(self, step: Step) -> str | None:
        """Make the chosen templates of `step` into tasks: what happened, or None."""
        made = self.make_chosen(step)
        if not made:
            return None
        if len(made) == 1:
            return f"✓ Added to {self.label}: {made[0]}"
        return f"✓ Added {len(made)} tasks to {self.label}: " + "; ".join(made)

    def make_chosen(self, step: Step) -> list[str]:
        """The titles of the tasks made from the templates chosen on `step` and not made before; a
        template the app could not add (it said why) stays chosen."""
        if not isinstance(step, TemplateStep):
            return []
        practice_id = step.practice.id
        chosen = self.chosen.get(practice_id, set())
        made = []
        for template in step.templates:
            if template.id not in chosen or (practice_id, template.id) in self.added:
                continue
            task = self.app.add_task(template.title, practice=practice_id, estimate=template.estimate,
                                     tags=template.tags, notes=template.notes, week=self.label)
            if task is not None:
                self.added.add((practice_id, template.id))
                chosen.discard(template.id)
                made.append(task.title)
        return made


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
