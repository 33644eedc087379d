"""The outcome of a task: what doing it changed, and for whom, in one line. Asked the moment a task
is marked done, in its practice's words (the `planner_outcome_prompt` hook), where Enter without
text skips it; opened from the task's details to write or change it later."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from planner.app.keymap import key_label
from planner.model import one_line, with_outcome
from planner.text import printable, shown_title


def ask_outcome(app, task_id: str, *, just_done: bool) -> None:
    """Open the outcome dialog for the task, with its practice's question."""
    task = app.tasks.get(task_id)
    if task is None:
        return
    question = app.session.host.outcome_prompt(task, app.session.board)
    app._tell_plugin_warnings()
    app.push_screen(OutcomeDialog(task_id, question, just_done=just_done))


class OutcomeDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    OutcomeDialog { align: center middle; }
    OutcomeDialog > Vertical {
        width: 84; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    OutcomeDialog #outcome-question { text-style: bold; margin-top: 1; }
    OutcomeDialog #outcome-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Skip", id="outcome.skip")]

    def __init__(self, task_id: str, question: str, *, just_done: bool) -> None:
        super().__init__()
        self.task_id = task_id
        self.question = question
        self.just_done = just_done
        task = self.app.tasks[task_id]
        #: The outcome as the field shows it (on one line): saved only when the person changes it.
        self.shown = one_line(task.outcome)

    def compose(self) -> ComposeResult:
        task = self.app.tasks[self.task_id]
        heading = ("✓ Done: " if self.just_done else "Outcome of ") + shown_title(task.title)
        skip = key_label(self.app, "outcome.skip", "Esc")
        keys = (f"Enter saves · empty Enter or {skip} skips (the details' O adds it later)" if self.just_done
                else f"Enter saves (blank clears) · {skip} cancels")
        with Vertical():
            yield Static(Content(heading).stylize("bold"))
            yield Static(Content(printable(self.question)), id="outcome-question")
            yield Input(self.shown, id="outcome-text",
                        placeholder="e.g. the report takes 10 min instead of a day; used by @anna and @raj")
            yield Static(Content(keys), id="outcome-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = one_line(event.value)
        if text != self.shown:
            self.app.change_task(self.task_id, lambda task, now, board: with_outcome(task, now, text),
                                 "outcome")
        self.dismiss()
