"""`planner sync` from inside the app: a key and a palette command, and automatic syncs set in
board.toml (`[sync] on_start`, `on_quit`, `idle_minutes`).

A sync runs in a thread (git fetches over the network) with git told never to prompt; its steps
show in the title bar and its result in a notice. Files the merge changed reach the screens the way
any outside change does (the folder watcher), and the app's next save builds on the merged file.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from planner.app.app import PlannerApp
    from planner.sync import SyncResult

#: How often idleness is checked (the setting is in minutes, so this is fine-grained enough).
IDLE_CHECK_SECONDS = 20.0
#: Quitting waits this long for a sync on quit, then quits anyway (the commit is kept either way).
QUIT_WAIT_SECONDS = 60.0


class SyncSettings:
    """`[sync]` in board.toml; anything missing or of the wrong type is off."""

    def __init__(self, table: Any) -> None:
        table = table if isinstance(table, dict) else {}
        self.on_start = table.get("on_start") is True
        self.on_quit = table.get("on_quit") is True
        minutes = table.get("idle_minutes")
        self.idle_minutes = minutes if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) \
            and minutes > 0 else 0


class SyncRunner:
    """Runs one sync at a time for the app, and the automatic ones."""

    def __init__(self, app: "PlannerApp") -> None:
        self.app = app
        self.running = False
        self.step = ""
        self.last_activity = time.monotonic()
        self.synced_since_activity = True
        self.on_finish: list[Callable[[], None]] = []

    @property
    def settings(self) -> SyncSettings:
        return SyncSettings(self.app.session.board.extra.get("sync"))

    def is_repository(self) -> bool:
        return (self.app.session.root / ".git").exists()

    def start_automatic(self) -> None:
        """At start-up: the on-start sync, and the idle check."""
        settings = self.settings
        if not self.is_repository():
            return
        if settings.on_start:
            self.start("on start")
        if settings.idle_minutes:
            self.app.set_interval(min(IDLE_CHECK_SECONDS, settings.idle_minutes * 15), self.check_idle)

    def touched(self) -> None:
        """A key was pressed: the user is here, and there may be something new to sync later."""
        self.last_activity = time.monotonic()
        self.synced_since_activity = False

    def check_idle(self) -> None:
        minutes = self.settings.idle_minutes
        if (minutes and not self.running and not self.synced_since_activity
                and time.monotonic() - self.last_activity >= minutes * 60):
            self.start(f"after {minutes:g} idle minutes")

    def start(self, reason: str = "") -> bool:
        """Start a sync in the background; False when one is running already."""
        if self.running:
            self.app.notify("A sync is already running", timeout=3)
            return False
        self.running = True
        self.synced_since_activity = True
        self.show_step("Syncing" + (f" ({reason})" if reason else ""))
        self.app.run_worker(self._sync, thread=True, group="sync", exit_on_error=False)
        return True

    def _sync(self) -> None:
        from planner.sync import SyncError, sync

        app = self.app
        try:
            result = sync(app.session.store, lambda step: app.call_from_thread(self.show_step, step),
                          interactive=False)
        except SyncError as error:
            app.call_from_thread(self.finished, None, str(error), error.status)
        except Exception as error:  # noqa: BLE001 - git or the disk failed in a way not foreseen: say so
            app.call_from_thread(self.finished, None, f"{type(error).__name__}: {error}", 3)
        else:
            app.call_from_thread(self.finished, result, "", 0)

    def show_step(self, step: str) -> None:
        self.step = step
        self.app.status_changed.publish(self.app.header_status())

    def finished(self, result: "SyncResult | None", error: str, status: int) -> None:
        self.running = False
        self.step = ""
        app = self.app
        app.status_changed.publish(app.header_status())
        if result is None:
            app.notify(error, title="Sync failed" if status != 1 else "Cannot sync", severity="error", timeout=12)
        elif result.offline:
            app.notify(result.summary(), title="Sync: remote unreachable", severity="warning", timeout=10)
        else:
            app.notify(result.summary(), title="Synced", timeout=6)
        if result is not None and result.received:
            app.files_changed_by_sync(result.received)
        callbacks, self.on_finish = self.on_finish, []
        for callback in callbacks:
            callback()
