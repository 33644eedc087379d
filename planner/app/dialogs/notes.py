"""Edit a task's notes in the user's $EDITOR; inside the app when the terminal cannot be handed over
(a headless test, some SSH set-ups)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from planner.model import Task, merge_notes
from planner.text import shown_title


def edit_notes(app: App, task: Task) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        try:
            with app.suspend():
                notes = _run_editor(editor, task)
        except SuspendNotSupported:
            pass
        else:
            if notes is not None:
                save_notes(app, task, notes)
            return
    app.push_screen(NotesEditor(task), lambda notes: save_notes(app, task, notes) if notes is not None else None)


def _run_editor(editor: str, task: Task) -> str | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{task.id}-notes.md"
        # Text files end in a newline: an editor or a script that appends a line would otherwise glue it
        # to the last line of the notes. Saving strips it again (save_notes).
        text = task.notes if not task.notes or task.notes.endswith("\n") else task.notes + "\n"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if result.returncode != 0:
            return None
        return path.read_text(encoding="utf-8")


def save_notes(app: App, task: Task, notes: str) -> None:
    """Save the notes as edited from `task.notes`; notes another writer changed meanwhile are
    merged in (merge_notes), never overwritten."""
    text = notes.rstrip("\n")
    if text == task.notes:
        return

    def merged(current: Task, now, board) -> Task:
        return replace(current, notes=merge_notes(task.notes, text, current.notes), updated=now)

    saved = app.change_task(task.id, merged, f"notes of {task.title!r}")
    if saved is not None and saved.notes != text:
        app.notify("The notes were changed elsewhere too: both are kept", timeout=6)


class NotesEditor(ModalScreen[str | None]):
    DEFAULT_CSS = """
    NotesEditor { align: center middle; }
    NotesEditor > Vertical { width: 80%; height: 80%; border: thick $primary; background: $surface; }
    NotesEditor TextArea { height: 1fr; }
    NotesEditor #hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="notes.save"),
        Binding("escape", "cancel", "Cancel", id="notes.cancel"),
    ]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_notes = task.notes
        self.task_title = task.title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble(("Notes: ", "bold"), shown_title(self.task_title)))
            yield TextArea(self.task_notes, id="notes")
            yield Static(Content("ctrl+s save · Esc cancel"), id="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
