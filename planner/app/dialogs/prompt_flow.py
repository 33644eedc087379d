"""The weekly ritual: "plan the week" and "review the week" as a few pages, and the one-line editor
of a practice's intention.

    plan:   Last week & focus -> one page per practice in focus (its prompts, its templates) -> The week as planned
    review: one page per practice (its score and reason, its review prompts) -> Value & what to carry over

Tab moves between the fields of a page, Enter goes to the next page, ctrl+up back, Esc leaves. What
was typed is saved when its page is left (and on Esc), so leaving half way loses nothing. Planning
offers each prompt's most recent earlier answer as its default: confirming last week's plan is one
Enter per page. The answer to the prompt a practice marks as its intention (`Prompt.intention`)
becomes the week's intention for that practice (planner.model.with_answer). Templates chosen on a
page become tasks of the week when the page is left forwards or the flow is closed, once. The pages
themselves are in dialogs/flow_pages.py; here are the flows that hold and save them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, ContentSwitcher, Input, Select, Static

from planner.api import Phase, Practice, Prompt, TaskTemplate
from planner.app import look
from planner.app.dialogs.flow_pages import (
    AnswerInput,
    CarryPage,
    FlowPage,
    FocusPage,
    PlannedPage,
    PracticePage,
)
from planner.app.keymap import key_label
from planner.app.widgets.score_panel import change_style, format_change
from planner.dates import shift_week
from planner.model import WeekPlan, answer_key, with_answer, with_intention, with_skipped
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
        parts = []
        for result in self.app.session.score_weeks(self.label, TREND_WEEKS):
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
