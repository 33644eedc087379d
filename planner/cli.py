"""The `planner` command: every plan operation for scripts and quick edits, beside the TUI.

Errors print one line on stderr and exit 1 for a mistake in the command, 2 for bad data in the plan
folder; never a traceback. Nothing here imports Textual: commands have to start fast.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from datetime import date
from typing import Any, Callable, NoReturn, Sequence

from planner import __version__
from planner.config import ConfigError
from planner.dates import DateError, parse_minutes, resolve_day, resolve_week
from planner.model import (
    ModelError,
    Task,
    TaskChanges,
    WeekView,
    carry_task,
    complete_task,
    delete_task,
    edit_task,
    move_task,
    normalise_tags,
    rank_at_end,
    restore_task,
    tasks_of_week,
)
from planner.session import Session, UserError, tasks_matching
from planner.store import StoreError
from planner.terminal import COLOR_CHOICES
from planner.text import json_safe, printable

EXIT_USER_ERROR = 1
EXIT_BAD_DATA = 2
EXIT_BUG = 3  # an error in the planner itself: the traceback goes to a crash report
MAX_SCORE_WEEKS = 520


class AppCrashed(Exception):
    """The full-screen app stopped on an unexpected error (already shown on the terminal)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 1, like every other mistake."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see `{self.prog} --help`)")

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        for value in sys.argv[1:] if args is None else args:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
                shown = value.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
                raise UserError(f"an argument is not UTF-8 text: {shown!r}") from None
        return super().parse_args(args, namespace)


# --- argument types: each turns text into a value or a one-line complaint -----------------------

def _optional(text: str) -> str | None:
    return None if text.strip().lower() in ("", "none", "-") else text


def _impact(values: Sequence[str] | None) -> dict[str, float | None]:
    """`--impact minutes_saved_per_week=110` (repeatable; `metric=` or `metric=none` removes one)."""
    numbers: dict[str, float | None] = {}
    for value in values or ():
        metric, equals, number = value.partition("=")
        metric = metric.strip()
        if not equals or not metric:
            raise UserError(f"--impact {value!r}: write it as metric=number, e.g. minutes_saved_per_week=110")
        if _optional(number) is None:
            numbers[metric] = None
            continue
        try:
            numbers[metric] = int(number) if number.strip().lstrip("+-").isdigit() else float(number)
        except ValueError:
            raise UserError(f"--impact {metric}: {number.strip()!r} is not a number") from None
    return numbers


def _tags(values: Sequence[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return normalise_tags(tag for value in values for tag in value.split(","))


class Command:
    """Builds the subcommands; each `cmd_*` method is one command."""

    def __init__(self, session_factory: Callable[[Any], Session]) -> None:
        self.session_factory = session_factory
        self.session: Session
        self.out = sys.stdout

    # --- small helpers ---------------------------------------------------------------------------

    def print(self, text: str = "") -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        """Every line of text output goes here: plan and plugin text reach the terminal as data
        (planner.text.printable), whatever a report forgot to clean; on the Linux console, bars and
        marks in ASCII (its fonts lack them)."""
        text = printable(text, multiline=True)
        if self.ascii_terminal:
            from planner.terminal import ascii_text

            text = ascii_text(text)
        self.out.write(text)

    @functools.cached_property
    def ascii_terminal(self) -> bool:
        from planner.terminal import wants_ascii

        return _is_tty(self.out) and wants_ascii(os.environ)

    def print_json(self, value: Any) -> None:
        import json  # only the commands that print JSON load it

        # Indented for a person at a terminal; compact for a script (3x faster at 10k tasks).
        indent = 2 if self.out.isatty() else None
        self.out.write(json_safe(json.dumps(value, ensure_ascii=False, indent=indent)) + "\n")

    def day(self, text: str | None) -> date | None:
        if text is None or _optional(text) is None:
            return None
        return resolve_day(text, self.session.today())

    def week(self, text: str | None) -> str | None:
        if text is None or _optional(text) is None:
            return None
        return resolve_week(text, self.session.today(), self.session.board.week_start)

    def week_or_current(self, text: str | None) -> str:
        return self.week(text) or self.session.current_week()

    def minutes(self, text: str | None) -> int | None:
        if text is None or _optional(text) is None:
            return None
        return parse_minutes(text)

    def column(self, text: str) -> str:
        board = self.session.board
        wanted = text.strip().lower()
        for column in board.columns:
            if wanted in (column.id, column.title.lower()):
                return column.id
        matches = [column.id for column in board.columns if column.id.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        raise UserError(f"no column {text!r} (columns: {', '.join(column.id for column in board.columns)})")

    def labels(self) -> dict[str, str]:
        return {practice.id: practice.label for practice in self.session.host.practices.values()}

    def prompt_texts(self, week_label: str) -> dict[str, str]:
        session = self.session
        view = session.week_view(week_label)
        texts = {}
        for practice in session.host.enabled_practices(session.board):
            for phase in ("plan", "review"):
                for prompt in session.host.prompts(practice.id, phase, view, session.board):
                    texts[f"{practice.id}.{prompt.id}"] = prompt.text
        return texts

    def short_id(self, task: Task) -> str:
        return self.session.short_ids()[task.id]

    def show_task_line(self, verb: str, task: Task) -> None:
        self.print(f"{verb} {self.short_id(task)}  {task.title}")

    def show_next_occurrences(self) -> None:
        """The next occurrence a repeating task's done made, if any."""
        for upcoming in self.session.also_changed:
            self.show_task_line(f"Next on {upcoming.day:%a %Y-%m-%d}:" if upcoming.day else "Next:", upcoming)

    # --- commands --------------------------------------------------------------------------------

    def cmd_init(self, args: argparse.Namespace) -> None:
        from planner.dates import check_timezone, local_timezone, weekday_index
        from planner.model import Board

        session = self.session
        if session.store.exists() and not args.default:
            # a mistake in the command, not bad data: exit 1 (StoreError would be 2)
            raise UserError(f"{session.store.display_path(session.root)} already holds a plan (board.toml exists); "
                            "--default makes it your default plan folder")
        if session.store.exists():
            self.print(f"{session.root.resolve()} already holds a plan")
        else:
            board = Board(timezone=check_timezone(args.timezone) if args.timezone else local_timezone(),
                          week_start=weekday_index(args.week_start) if args.week_start else 0,
                          title=args.title or "My plan")
            session.create_plan(board)
            self.print(f"Created a plan folder at {session.root.resolve()}")
        self.print(self._after_init(args.default))

    def _after_init(self, make_default: bool) -> str:
        """How to go on with the plan just made: the next command must work on that folder, not on
        the default one. The first plan made on a machine becomes the default by itself."""
        import shlex

        from planner.config import config_dir, save_config_value

        session = self.session
        folder = session.root.resolve()
        config = session.config
        from_env = bool(os.environ.get("PLANNER_PLANS"))
        default = config.default_plans.expanduser().resolve()
        first_plan = not from_env and "plans" not in config.raw and not (default / "board.toml").is_file()
        lines = []
        if folder != default and (make_default or first_plan):
            path = save_config_value(("plans",), str(folder))
            lines.append(f"It is your default plan folder now (plans = \"{folder}\" in {path}).")
            if from_env:
                lines.append(f"PLANNER_PLANS={os.environ['PLANNER_PLANS']} still wins in this shell: unset it.")
            default = folder
        if folder == default:
            lines.append('Next: planner add "A first task" --practice skills --day fri')
            return "\n".join(lines)
        quoted = shlex.quote(str(folder))
        lines += [
            f"Your default plan folder is still {default}. To work on this one, either",
            f"  planner --plans {quoted} COMMAND      (one command)",
            f"  export PLANNER_PLANS={quoted}         (this shell)",
            f"  planner init {quoted} --default       (from now on, in {config_dir() / 'config.toml'})",
            f'Next: planner --plans {quoted} add "A first task" --practice skills --day fri',
        ]
        return "\n".join(lines)

    def cmd_add(self, args: argparse.Namespace) -> None:
        from planner.repeat import normalise_repeat

        session = self.session
        template = None
        practice = args.practice
        if args.template:
            practice, template = self.find_template(args.template, practice)
        title = args.title or (template.title if template else None)
        if not title:
            raise UserError("give a title, or --template PRACTICE.TEMPLATE")
        fields: dict[str, Any] = {
            "practice": session.check_practice(practice),
            "day": self.day(args.day),
            "week": self.week(args.week),
            "due": self.day(args.due),
            "estimate": self.minutes(args.estimate) if args.estimate else (template.estimate if template else None),
            "tags": normalise_tags((template.tags if template else ()) + (_tags(args.tag) or ())),
            "notes": args.notes if args.notes is not None else (template.notes if template else ""),
        }
        fields["repeat"] = normalise_repeat(args.repeat if args.repeat is not None else
                                            (template.repeat if template else ""))
        column = self.column(args.column) if args.column else None
        task = session.add_task(title, column=column, **fields)
        if args.json:
            from planner.report import task_json

            self.print_json(task_json(task, self.short_id(task)))
        else:
            self.show_task_line("Added", task)
            self.show_next_occurrences()

    def find_template(self, name: str, practice: str | None):
        session = self.session
        practice_id, _, template_id = name.rpartition(".")
        practice_id = practice_id or practice
        if not practice_id:
            raise UserError("name the template as PRACTICE.TEMPLATE (see `planner templates`)")
        session.check_practice(practice_id)
        for template in session.host.templates(practice_id, session.board):
            if template.id == template_id:
                return practice_id, template
        raise UserError(f"practice {practice_id!r} has no template {template_id!r} (see `planner templates`)")

    def cmd_templates(self, args: argparse.Namespace) -> None:
        session = self.session
        practices = [session.check_practice(args.practice)] if args.practice else list(session.host.practices)
        rows = []
        for practice_id in practices:
            for template in session.host.templates(practice_id, session.board):
                rows.append({"id": f"{practice_id}.{template.id}", "practice": practice_id, "title": template.title,
                             "estimate": template.estimate, "tags": list(template.tags)})
        if args.json:
            self.print_json(rows)
            return
        from planner.dates import format_minutes

        width = max((len(row["id"]) for row in rows), default=0)
        for row in rows:
            self.print(f"{row['id']:<{width}}  {row['title']}  ({format_minutes(row['estimate'])})")

    def cmd_list(self, args: argparse.Namespace) -> None:
        session = self.session
        # A column lists what is in it (the done column its done tasks); otherwise the open tasks.
        statuses: tuple[str, ...] = ("open", "done") if args.column else ("open",)
        if args.all:
            statuses = ("open", "done")
        if args.done:
            statuses = ("done",)
        if args.deleted:
            statuses = ("deleted",)
        column = self.column(args.column) if args.column else None
        tasks = tasks_matching(session.tasks.values(), session.board, column=column, practice=args.practice,
                               week=self.week(args.week), tag=args.tag.lstrip("#") if args.tag else None,
                               statuses=statuses)
        from planner import report

        short_ids = session.short_ids()
        if args.json:
            self.print_json([report.task_json(task, short_ids[task.id]) for task in tasks])
        elif not tasks:
            self.print(self._nothing_listed(statuses))
        else:
            self.print(report.task_table(tasks, session.board, self.labels(), short_ids))
        self.refuse_incomplete()

    def refuse_incomplete(self) -> None:
        """A task file that cannot be read may belong in the answer: say so, and exit 2, never
        leave it out in silence (the notices name each file)."""
        problems = self.session.problems
        if problems:
            count = len(problems)
            print(f"planner: {count} task file{'s' * (count != 1)} could not be read, so this answer may be "
                  "incomplete (`planner check` lists them)", file=sys.stderr)
            raise SystemExit(EXIT_BAD_DATA)

    def _nothing_listed(self, statuses: tuple[str, ...]) -> str:
        """An empty listing names the plan folder: the wrong folder is the likeliest surprise."""
        session = self.session
        folder = session.root.resolve()
        if not session.store.exists():
            return f"No plan folder at {folder} yet: `planner init` makes one (`planner add` does too)."
        counted = sum(task.status != "deleted" for task in session.tasks.values())
        if not counted:
            return f"No tasks yet in {folder}."
        hint = "; --all lists done ones too" if statuses == ("open",) else ""
        return f"No tasks match in {folder} ({counted} tasks in all{hint})."

    def cmd_show(self, args: argparse.Namespace) -> None:
        from planner import report

        task = self.session.find(args.id)
        if args.json:
            self.print_json(report.task_json(task, self.short_id(task)))
            return
        practice = self.session.host.practices.get(task.practice or "")
        self.print(report.task_detail(task, self.session.board, practice.name if practice else None,
                                      self.short_id(task)))

    def cmd_edit(self, args: argparse.Namespace) -> None:
        from planner.repeat import normalise_repeat

        session = self.session
        task = session.find(args.id)
        fields: dict[str, Any] = {}
        if args.title is not None:
            fields["title"] = args.title
        if args.practice is not None:
            fields["practice"] = session.check_practice(_optional(args.practice))
        if args.day is not None:
            fields["day"] = self.day(args.day)  # clearing the day keeps the week
        if args.week is not None:
            fields["week"] = self.week(args.week)
        if args.due is not None:
            fields["due"] = self.day(args.due)
        for key in ("estimate", "spent"):
            if getattr(args, key) is not None:
                fields[key] = self.minutes(getattr(args, key))
        if args.notes is not None:
            fields["notes"] = args.notes
        if args.tag is not None:
            fields["tags"] = _tags(args.tag)
        if args.repeat is not None:
            fields["repeat"] = normalise_repeat(args.repeat)
        if args.column:
            fields["column"] = self.column(args.column)
        # Operations, applied under the lock to the task as it is on disk then (TaskChanges).
        # Tags to remove are matched as written: a hand-written tag with a space can be removed too.
        removed = tuple(tag for value in args.remove_tag or () for tag in value.split(","))
        changes = TaskChanges(fields, _tags(args.add_tag) or (), removed)
        impact = _impact(args.impact)
        if not changes and args.outcome is None and not impact:
            raise UserError("nothing to change: give at least one option such as --title or --due (see --help)")

        def edit(current: Task, now, board) -> Task:
            from planner.model import with_outcome

            edited = changes.apply(current, now, board) if changes else current
            return with_outcome(edited, now, args.outcome, impact) if args.outcome is not None or impact else edited

        task = session.change_task(task, edit, f"edit {task.title!r}")
        self.show_task_line("Edited", task)

    def cmd_move(self, args: argparse.Namespace) -> None:
        session = self.session
        task = session.find(args.id, include_deleted=False)
        column = self.column(args.column)
        rank = rank_at_end((other for other in session.tasks.values() if other.id != task.id), column)
        task = session.change_task(task, lambda current, now, board: move_task(current, column, now, board, rank),
                                   f"move {task.title!r}")
        self.show_task_line(f"Moved to {session.board.column(column).title}:", task)
        self.show_next_occurrences()

    def cmd_done(self, args: argparse.Namespace) -> None:
        from planner.model import with_outcome

        session = self.session
        task = session.find(args.id, include_deleted=False)
        spent = self.minutes(args.spent)
        impact = _impact(args.impact)

        def finish(current: Task, now, board) -> Task:
            finished = complete_task(current, now, board)
            if spent is not None:
                finished = edit_task(finished, now, board, spent=spent)
            return with_outcome(finished, now, args.outcome, impact) if args.outcome is not None or impact \
                else finished

        self.show_task_line("Done:", session.change_task(task, finish, f"done {task.title!r}"))
        self.show_next_occurrences()

    def cmd_rm(self, args: argparse.Namespace) -> None:
        task = self.session.find(args.id, include_deleted=False)
        task = self.session.change_task(task, lambda current, now, board: delete_task(current, now),
                                        f"delete {task.title!r}")
        self.show_task_line("Deleted", task)
        self.print(f"(kept as a tombstone: `planner restore {self.short_id(task)}` brings it back)")

    def cmd_restore(self, args: argparse.Namespace) -> None:
        task = self.session.find(args.id)
        if task.status != "deleted":
            raise UserError(f"task {self.short_id(task)} is not deleted")
        self.show_task_line("Restored", self.session.change_task(task, restore_task, f"restore {task.title!r}"))

    def cmd_undo(self, args: argparse.Namespace) -> None:
        self._replay(self.session.undo, "Undid", "nothing to undo")

    def cmd_redo(self, args: argparse.Namespace) -> None:
        self._replay(self.session.redo, "Redid", "nothing to redo")

    def _replay(self, step: Callable[[], tuple[str, Task] | None], verb: str, nothing: str) -> None:
        result = step()
        if result is None:
            raise UserError(nothing)
        label, task = result
        self.print(f"{verb} {label}: {self.short_id(task)}  {task.title}")

    def cmd_week(self, args: argparse.Namespace) -> None:
        from planner import report

        session = self.session
        label = self.week_or_current(args.week)
        view = session.week_view(label)
        tasks = sorted(tasks_of_week(session.tasks.values(), view), key=lambda task: (task.day or date.max, task.rank))
        if args.json:
            self.print_json(report.week_json(view, tasks, session.short_ids()))
            return
        self.print(report.week_text(view, tasks, self.labels(), self.prompt_texts(label)))

    def cmd_prompts(self, args: argparse.Namespace) -> None:
        session = self.session
        label = self.week_or_current(args.week)
        view = session.week_view(label)
        phases = [args.phase] if args.phase else ["plan", "review"]
        rows = []
        for phase in phases:
            for practice in session.host.enabled_practices(session.board):
                for prompt in session.host.prompts(practice.id, phase, view, session.board):
                    key = f"{practice.id}.{prompt.id}"
                    rows.append({"id": key, "phase": phase, "practice": practice.id, "text": prompt.text,
                                 "hint": prompt.hint, "answer": view.plan.answers(phase).get(key)})
        if args.json:
            self.print_json(rows)
            return
        for phase in phases:
            self.print(f"{'Planning' if phase == 'plan' else 'Review'} prompts for {label}")
            for row in (row for row in rows if row["phase"] == phase):
                mark = "✓" if row["answer"] else " "
                self.print(f"  {mark} {row['id']}\n      {row['text']}")
            self.print()
        self.print(f"Answer one with: planner answer PROMPT_ID \"your answer\" --week {label}")

    def cmd_answer(self, args: argparse.Namespace) -> None:
        from planner.api import intention_prompt
        from planner.model import with_answer

        session = self.session
        label = self.week_or_current(args.week)
        practice_id, _, prompt_id = args.prompt.partition(".")
        session.check_practice(practice_id)
        view = session.week_view(label)
        for phase in ("plan", "review"):
            prompts = session.host.prompts(practice_id, phase, view, session.board)
            prompt = next((prompt for prompt in prompts if prompt.id == prompt_id), None)
            if prompt is not None:
                break
        else:
            raise UserError(f"no prompt {args.prompt!r} for {label} (see `planner prompts`)")
        text = sys.stdin.read().strip() if args.text == "-" else args.text.strip()
        states_intention = prompt is intention_prompt(prompts)
        before = view.plan.intentions.get(practice_id, "")
        saved = session.change_week(label, lambda week: with_answer(week, phase, practice_id, prompt_id, text,
                                                                    states_intention=states_intention))
        also = f" (and the {practice_id} intention)" if saved.intentions.get(practice_id, "") != before else ""
        self.print(f"{'Saved' if text else 'Cleared'} the answer to {args.prompt} for {label}{also}")

    def cmd_intend(self, args: argparse.Namespace) -> None:
        from planner.model import with_intention

        session = self.session
        if not args.practice.strip():
            raise UserError("name the practice the intention is for (see `planner plugins`)")
        practice = session.check_practice(args.practice)
        label = self.week_or_current(args.week)
        text = args.text.strip()
        session.change_week(label, lambda week: with_intention(week, practice, text))
        self.print(f"{'Saved' if text else 'Cleared'} the {practice} intention for {label}")

    def cmd_review(self, args: argparse.Namespace) -> None:
        from dataclasses import replace

        from planner import report
        from planner.scoring import score_week

        session = self.session
        wanted = args.week_option or args.week
        label, why = (self.week(wanted), "") if wanted and self.week(wanted) else session.week_to_review()
        if why:
            self.print(why)
        now = session.now()
        session.change_week(label, lambda week: replace(week, reviewed_at=now))
        view = session.week_view(label)
        result = score_week(session.host, session.board, view, session.tasks.values())
        session.host.week_reviewed(view, result.by_practice())
        self.print(f"Reviewed {label}\n")
        self.print(report.week_score_text(result))
        self.carry_over(label, view, args.carry)

    def carry_over(self, label: str, view: WeekView, carry: str | None) -> None:
        """The week's open tasks, carried as `--carry` says; without it, how to."""
        from planner.dates import shift_week

        session = self.session
        open_tasks = [task for task in tasks_of_week(session.tasks.values(), view) if task.is_open]
        if not open_tasks:
            return
        next_label = shift_week(label, 1, session.board.week_start)
        first = session.board.columns[0].title
        count = f"{len(open_tasks)} open task{'s' * (len(open_tasks) != 1)}"
        if carry is None:
            self.print(f"\n{count} left in {label}: `planner review {label} --carry next` moves them to "
                       f"{next_label}, `--carry backlog` puts them back in {first}")
            return
        to_week = next_label if carry == "next" else None
        for task in open_tasks:
            session.change_task(task, lambda current, now, board: carry_task(current, now, board, to_week),
                                f"move {task.title!r} to {next_label}" if to_week else
                                f"drop {task.title!r} from {label}")
        self.print(f"\n{count} moved to {next_label}" if to_week else f"\n{count} put back in {first}")

    def cmd_score(self, args: argparse.Namespace) -> None:
        from planner import report
        from planner.dates import week_of

        session = self.session
        if not 1 <= args.weeks <= MAX_SCORE_WEEKS:
            raise UserError(f"--weeks takes a number from 1 to {MAX_SCORE_WEEKS} (ten years)")
        label = self.week_or_current(args.week)
        board = session.board
        # One week more than shown, for the trend of the oldest week shown.
        results = session.score_weeks(label, args.weeks + 1)
        shown = results[1:]
        if args.json:
            self.print_json([report.score_json(result) for result in shown])
            return
        if len(shown) > 1:
            self.print(report.weeks_table(shown))
            self.print()
        if not results[-1].has_data:
            first = week_of(session.plan_start(), board.week_start)
            self.print(f"Week {label}: no data (the plan's first week is {first})")
            return
        self.print(f"Week {label}")
        self.print(report.week_score_text(results[-1], results[-2]))

    def cmd_brag(self, args: argparse.Namespace) -> None:
        from planner import brag
        from planner.dates import DateError, resolve_period

        session = self.session
        today = session.today()
        if args.period and (args.date_from or args.date_to):
            raise UserError("give a period or --from/--to, not both")
        try:
            start, end = resolve_period(args.period or "this-quarter", today)
            if args.date_from:
                start, end = resolve_period(args.date_from, today)[0], today
            if args.date_to:
                end = resolve_period(args.date_to, today)[1]
                start = start if args.date_from else resolve_period(args.date_to, today)[0].replace(month=1, day=1)
        except DateError as error:
            raise UserError(str(error)) from None
        if end < start:
            raise UserError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        board = session.board
        names = {practice.id: practice.name for practice in session.host.enabled_practices(board)}
        names.update({practice_id: practice.name for practice_id, practice in session.host.practices.items()
                      if practice_id not in names})
        evidence = brag.collect(session.tasks.values(), names, start, end, session.store.zone,
                                board.week_start, board.title)
        if args.format == "json":
            import json

            text = json_safe(json.dumps(brag.to_json(evidence, session.short_ids()), ensure_ascii=False, indent=2)) + "\n"
        else:
            text = brag.to_html(evidence) if args.format == "html" else brag.to_markdown(evidence)
        self.output(text.encode("utf-8"), args.output)
        if args.output:
            print(f"Wrote {args.output}: {evidence.done} tasks done, {len(evidence.highlights)} with an outcome "
                  f"({evidence.period})", file=self.out)
        self.refuse_incomplete()

    def output(self, data: bytes, path: str | None) -> None:
        """`data` into the file `path` (atomically: a reader never sees half of it), or as it is on
        standard output. What the planner writes in a file is the user's export, anywhere they say."""
        if path:
            from pathlib import Path

            from planner.store import atomic_write

            try:
                atomic_write(Path(path).expanduser(), data)
            except OSError as error:
                raise UserError(f"cannot write {path}: {error.strerror or error}") from None
        elif hasattr(self.out, "buffer"):
            self.out.flush()
            self.out.buffer.write(data)
            self.out.buffer.flush()
        else:
            self.out.write(data.decode("utf-8"))

    def cmd_plugins(self, args: argparse.Namespace) -> None:
        if args.plugins_command == "new":
            self.new_plugin(args)
            return
        host = self.session.host
        records = host.listing()  # with the ones refused as duplicates
        try:
            board = self.session.board
        except StoreError:
            board = None  # `planner check` tells what is wrong with board.toml; the plugins are still listed
        off = {record.name for record in records if board is not None and host.off_in_plan(record, board)}
        rows = [{"name": record.name, "origin": record.origin, "source": record.source, "status": record.status,
                 "off_in_plan": record.name in off, "error": record.error, "warnings": list(record.warnings),
                 "hooks": list(record.hooks), "practices": list(record.practices)}
                for record in records]
        if args.json:
            self.print_json(rows)
            return
        for record in records:
            status = "off in this plan" if record.name in off else record.status
            self.print(f"{record.name}  [{status}]  {record.describe_origin()}")
            if record.practices:
                self.print(f"    practices: {', '.join(record.practices)}")
            if record.hooks:
                self.print(f"    hooks: {', '.join(record.hooks)}")
            if record.error:
                self.print(f"    error: {record.error}")
            for warning in record.warnings:
                self.print(f"    warning: {warning}")

    def new_plugin(self, args: argparse.Namespace) -> None:
        from pathlib import Path

        from planner.scaffold import ScaffoldError, create_plugin

        try:
            target = create_plugin(args.name, Path(args.dir or ".").expanduser())
        except ScaffoldError as error:
            raise UserError(str(error)) from None
        self.print(f"Created the plugin package {target}")
        self.print(f"Next: cd {target} && pip install -e . && python -m pytest && planner plugins")
        self.print("(docs/plugins.md in Value Planner describes every hook)")

    def cmd_check(self, args: argparse.Namespace) -> None:
        """File problems (exit 2) first; then references the board or plugins cannot resolve, which
        are warnings: the data is fine, but a column was removed or a plugin is not loaded."""
        from planner.schema import locate_key

        session = self.session
        session.warn_about_problems = False
        if session.store.lost_its_board():
            raise session.store.no_board_error()
        if not session.store.exists():
            raise UserError(f"{session.root} is not a plan folder (no board.toml); "
                            "give --plans DIR, or run `planner init`")
        problems = [str(problem) for problem in session.store.check()]
        for problem in problems:
            self.print(problem)
        if problems:
            raise SystemExit(EXIT_BAD_DATA)
        column_ids = {column.id for column in session.board.columns}
        for task in session.tasks.values():
            unresolved = []
            if task.column and task.column not in column_ids:
                unresolved.append(("column", f"column {task.column!r} is not on the board; the task shows in the first column"))
            if task.practice and task.practice not in session.host.practices:
                unresolved.append(("practice", f"practice {task.practice!r} is not loaded (see `planner plugins`)"))
            for key, message in unresolved:
                path = session.store.task_path(task.id)
                line, column = locate_key(path.read_text(encoding="utf-8"), key)
                self.print(f"{session.store.display_path(path)}:{line}:{column}: warning: {message}")
        conflicts = self._kept_conflicts()
        self.print(f"{session.root}: {len(session.tasks)} tasks, {len(session.store.week_labels())} weeks, "
                   "no problems" + (f", {conflicts} conflicts kept by sync to resolve" if conflicts else ""))

    def _kept_conflicts(self) -> int:
        """List each conflict a sync kept (a warning: both values are safe in the file)."""
        from planner.merge import conflicts_in
        from planner.schema import locate_key

        session = self.session
        store = session.store
        documents: list[tuple[str, Any, Any]] = [("board", store.board_path, session.board.extra)]
        documents += [(session.short_ids()[task.id], store.task_path(task.id), task.extra)
                      for task in session.tasks.values() if "conflicts" in task.extra]
        for label in store.week_labels():
            week = session.week_plan(label)
            if week is not None and "conflicts" in week.extra:
                documents.append((label, store.week_path(label), week.extra))
        count = 0
        for target, path, extra in documents:
            for conflict in conflicts_in(extra):
                count += 1
                line, column = locate_key(path.read_text(encoding="utf-8"), "conflicts")
                other = "(no value)" if conflict.value is None else repr(conflict.value)
                self.print(f"{store.display_path(path)}:{line}:{column}: warning: {conflict.field} was changed on "
                           f"two machines; the other value was {other} "
                           f"(`planner resolve {target} {conflict.field} current|other`)")
        return count

    def cmd_export(self, args: argparse.Namespace) -> None:
        from planner import report
        from planner.scoring import score_week

        session = self.session
        if args.format == "ics" or args.date_from or args.date_to or args.output:
            self.export_calendar(args)
            return
        short_ids = session.short_ids()
        if args.week is None and args.format == "json":
            self.print_json({"board": {"title": session.board.title, "timezone": session.board.timezone},
                             "tasks": [report.task_json(task, short_ids[task.id]) for task in session.tasks.values()],
                             "weeks": [_without_tasks(report.week_json(session.week_view(label), [], short_ids))
                                       for label in session.store.week_labels()]})
            self.refuse_incomplete()
            return
        label = self.week_or_current(args.week)
        view = session.week_view(label)
        tasks = sorted(tasks_of_week(session.tasks.values(), view), key=lambda task: (task.day or date.max, task.rank))
        result = score_week(session.host, session.board, view, session.tasks.values())
        if args.format == "json":
            document = report.week_json(view, tasks, short_ids)
            document["score"] = report.score_json(result)
            self.print_json(document)
        else:
            self.write(report.week_markdown(view, tasks, self.labels(), self.prompt_texts(label), result))

    def export_calendar(self, args: argparse.Namespace) -> None:
        """`--format ics`: the days of a week (or --from/--to) as an iCalendar file."""
        from datetime import timedelta

        from planner.dates import week_days
        from planner.ics import export_calendar

        session = self.session
        if args.format != "ics":
            raise UserError("--from, --to and --output go with --format ics (for other formats, name a --week)")
        if args.week is not None and (args.date_from or args.date_to):
            raise UserError("give --week or --from/--to, not both")
        if args.date_from or args.date_to:
            first = self.day(args.date_from) if args.date_from else None
            last = self.day(args.date_to) if args.date_to else None
            first = first or (last - timedelta(days=6) if last else session.today())
            last = last or first + timedelta(days=6)
            if last < first:
                raise UserError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
        else:
            days = week_days(self.week_or_current(args.week), session.board.week_start)
            first, last = days[0], days[-1]
        names = {practice.id: practice.name for practice in session.host.practices.values()}
        data = export_calendar(session.tasks.values(), session.board, session.now().tzinfo, first, last,
                               practice_names=names)
        self.output(data, args.output)  # bytes as they are: iCalendar lines end in CRLF
        self.refuse_incomplete()

    def cmd_sync(self, args: argparse.Namespace) -> None:
        from planner import sync

        session = self.session
        session.warn_about_problems = False
        if args.init is None and not args.resolve and session.store.lost_its_board():
            raise session.store.no_board_error()

        def progress(step: str) -> None:
            print(f"planner: {step}...", file=sys.stderr, flush=True)

        try:
            if args.resolve:
                result = sync.resolve(session.store)
                self.print(f"Merged {len(result.resolved)} file{'s' * (len(result.resolved) != 1)}"
                           + (": " + ", ".join(result.resolved) if result.resolved else " (none needed it)"))
                return
            if args.init is not None:
                result = sync.init(session.store, args.init or None, progress)
            else:
                result = sync.sync(session.store, progress)
        except sync.SyncError as error:
            if error.status == EXIT_USER_ERROR:
                raise UserError(str(error)) from None
            for line in str(error).splitlines()[:-1]:
                print(printable(line), file=sys.stderr)
            _fail(str(error).splitlines()[-1], error.status)
            raise SystemExit(error.status) from None
        self.print(f"{'Not synced' if result.offline else 'Synced'} {session.root}: {result.summary()}")
        conflicts = _conflict_count(sync.PlanStore(session.root), result.received)
        if conflicts:
            self.print(f"{conflicts} field{'s' * (conflicts != 1)} changed on both sides: the later change is in "
                       "the file, the other is kept (`planner check` lists them, `planner resolve` settles them)")
        if result.offline:
            raise SystemExit(sync.EXIT_OFFLINE)

    def cmd_merge_driver(self, args: argparse.Namespace) -> None:
        from pathlib import Path

        from planner.sync import merge_driver

        raise SystemExit(merge_driver(Path(args.base), Path(args.ours), Path(args.theirs), args.path))

    def cmd_resolve(self, args: argparse.Namespace) -> None:
        target = self.session.resolve_conflict(args.target, args.field, take_other=args.keep == "other")
        self.print(f"Resolved {args.field} of {target}: {'took the other value' if args.keep == 'other' else 'kept the current value'}")

    def cmd_serve(self, args: argparse.Namespace) -> None:
        """An SSH server that lands each user in their own planner (planner/serve.py; asyncssh is
        imported here only)."""
        from pathlib import Path

        from planner import serve

        root = Path(args.root).expanduser().resolve() if args.root else serve.default_root()
        if args.serve_command == "add-user":
            for line in serve.add_user(root, args.name, Path(args.key).expanduser(), timezone=args.timezone):
                self.print(line)
            return
        durations = {name: serve.parse_duration(getattr(args, name)) for name in ("idle_timeout", "login_timeout")}
        for name in ("port", "max_sessions", "max_sessions_per_user"):
            value = getattr(args, name)
            if value < (0 if name == "port" else 1) or (name == "port" and value > 65535):
                raise UserError(f"--{name.replace('_', '-')} {value} is out of range")
        options = serve.ServeOptions(root=root, listen=args.listen, port=args.port, max_sessions=args.max_sessions,
                                     max_sessions_per_user=args.max_sessions_per_user, **durations)
        raise SystemExit(serve.run(options))

    def cmd_open(self, args: argparse.Namespace) -> None:
        """No command: the full-screen planner, on a demo plan until the user has one."""
        from planner.terminal import decide, full_screen_refusal

        session = self.session
        # A plan that lost or broke its board.toml is reported first, wherever this runs (reading only).
        if session.store.lost_its_board():
            raise session.store.no_board_error()
        if session.store.exists():
            session.board  # noqa: B018 - a malformed board.toml is reported here, before the screen clears
        refusal = full_screen_refusal(os.environ, stdin_tty=_is_tty(sys.stdin), stdout_tty=_is_tty(sys.stdout))
        if refusal:  # before anything is made or drawn: one line, no escape sequence
            raise UserError(refusal)
        if not session.store.exists():
            session = self.session = _demo_session(session)
        from planner.app import run_app

        terminal = decide(os.environ, color=getattr(args, "color", None), mouse=not getattr(args, "no_mouse", False),
                          low_bandwidth=getattr(args, "low_bandwidth", False))
        crash = run_app(session, terminal)
        if crash is not None:  # Textual printed the traceback; every change was saved as it was made
            raise AppCrashed(crash)


def _top_level_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    parser.add_argument("--plans", metavar="DIR", help="the plan folder (default: $PLANNER_PLANS, config, or "
                                                        "the platform's data folder)")
    # The full-screen planner's terminal (planner.terminal decides the rest from the environment).
    parser.add_argument("--color", choices=COLOR_CHOICES, help="colours of the full-screen planner (default: "
                        "auto, from $PLANNER_COLOR, NO_COLOR, COLORTERM and TERM)")
    parser.add_argument("--no-mouse", action="store_true", help="the full-screen planner ignores the mouse")
    parser.add_argument("--low-bandwidth", action="store_true",
                        help="no animations and no smooth scrolling, for a slow link")


def _is_tty(stream: Any) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed
        return False


class _NoCommandFound(Exception):
    pass


class _FirstLook(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NoCommandFound(message)


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The first word after the top-level options, read by argparse as the full parser reads it
    (`--plans DIR`, `--plans=DIR`, `--pl DIR`), or None, also for help before it (`planner -h sync`
    lists every command). `--version` answers here already."""
    first = _FirstLook(prog="planner", add_help=False)
    _top_level_options(first)
    first.add_argument("-h", "--help", action="store_true")
    first.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        found = first.parse_known_args(argv)[0]
    except _NoCommandFound:
        return None
    return found.rest[0] if found.rest and not found.help else None


class _Unbuilt:
    """Stands in for the parser of a command this run does not use: what is added to it is dropped."""

    usage: str | None = None

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        return None

    def add_subparsers(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self

    def add_parser(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The command line. Given `argv` that names a command, only that command's parser is built:
    building all of them took a tenth of a quick command's run. Help, no command, or a word that is
    no command: every command is built (help lists them, an error names them)."""
    wanted = _command_in(argv)
    parser = Parser(prog="planner", description="Plan your week around seven value-creation practices.")
    _top_level_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, help_text: str) -> Parser:
        if wanted is not None and name != wanted:
            return _Unbuilt()  # type: ignore[return-value]
        return commands.add_parser(name, help=help_text, description=help_text)

    def json_flag(sub: Parser) -> None:
        sub.add_argument("--json", action="store_true", help="print JSON for scripts")

    def task_fields(sub: Parser) -> None:
        sub.add_argument("--practice", "-p", help="practice id (see `planner plugins`)")
        sub.add_argument("--column", "-c", help="board column id or title")
        sub.add_argument("--week", "-w", help="2026-W48, this, next, last")
        sub.add_argument("--day", "-d", help="today, tomorrow, fri, next mon, 2026-12-01")
        sub.add_argument("--due", help="due day, same forms as --day")
        sub.add_argument("--estimate", "-e", help="45m, 1h, 1h30m")
        sub.add_argument("--tag", "-t", action="append", help="a tag (repeat, or comma-separated); @name for a person")
        sub.add_argument("--notes", "-n", help="notes text")
        sub.add_argument("--repeat", metavar="RULE",
                         help="repeat when done: \"every 2 weeks on tue\", every weekday, \"every month on the first mon\", "
                              "\"every 3 days\", \"every week on mon,thu\" (none stops it)")

    def outcome_options(sub: Parser) -> None:
        sub.add_argument("--outcome", "-o",
                         help="what it changed and for whom, e.g. \"report takes 10 min, not a day; used by @anna\"")
        sub.add_argument("--impact", action="append", metavar="METRIC=NUMBER",
                         help="a number of the outcome, e.g. minutes_saved_per_week=110 (repeat; METRIC= removes)")

    sub = command("init", "make a new plan folder")
    sub.add_argument("dir", nargs="?", help="where (default: the plan folder)")
    sub.add_argument("--default", action="store_true",
                     help="make DIR your default plan folder (saved in config.toml); works on an existing plan too")
    sub.add_argument("--timezone", help="e.g. Europe/Berlin (default: this machine's)")
    sub.add_argument("--week-start", help="first day of the week (default: monday)")
    sub.add_argument("--title", help="the plan's title")

    sub = command("add", "add a task")
    sub.add_argument("title", nargs="?", help="what to do")
    task_fields(sub)
    sub.add_argument("--template", help="start from a practice's template: PRACTICE.TEMPLATE")
    json_flag(sub)

    sub = command("templates", "list the practices' task templates")
    sub.add_argument("--practice", "-p")
    json_flag(sub)

    sub = command("list", "list tasks (open ones unless told otherwise)")
    sub.add_argument("--column", "-c")
    sub.add_argument("--practice", "-p")
    sub.add_argument("--week", "-w")
    sub.add_argument("--tag", "-t")
    sub.add_argument("--all", "-a", action="store_true", help="open and done tasks")
    sub.add_argument("--done", action="store_true", help="only done tasks")
    sub.add_argument("--deleted", action="store_true", help="only deleted tasks")
    json_flag(sub)

    sub = command("show", "show one task")
    sub.add_argument("id", help="task id or a unique start of it")
    json_flag(sub)

    sub = command("edit", "change a task's fields (`none` clears one)")
    sub.add_argument("id")
    sub.add_argument("--title")
    task_fields(sub)
    sub.add_argument("--spent", help="time actually spent: 45m, 1h")
    sub.add_argument("--add-tag", action="append")
    sub.add_argument("--remove-tag", action="append")
    outcome_options(sub)

    sub = command("move", "move a task to another column")
    sub.add_argument("id")
    sub.add_argument("column")

    sub = command("done", "mark a task done")
    sub.add_argument("id")
    sub.add_argument("--spent", help="time it took: 45m, 1h")
    outcome_options(sub)

    sub = command("rm", "delete a task (kept as a tombstone; `restore` brings it back)")
    sub.add_argument("id")

    sub = command("restore", "bring back a deleted task")
    sub.add_argument("id")

    command("undo", "undo the last change made on this machine (the app's too)")
    command("redo", "redo the last change undone")

    sub = command("week", "the plan for a week: days, tasks, intentions, answers")
    sub.add_argument("week", nargs="?", help="2026-W48, this, next, last (default: this)")
    json_flag(sub)

    sub = command("prompts", "the practices' planning and review questions for a week")
    sub.add_argument("--phase", choices=("plan", "review"))
    sub.add_argument("--week", "-w")
    json_flag(sub)

    sub = command("answer", "answer a prompt for a week (empty text clears, - reads stdin)")
    sub.add_argument("prompt", help="PRACTICE.PROMPT as `planner prompts` lists")
    sub.add_argument("text")
    sub.add_argument("--week", "-w")

    sub = command("intend", "set a practice's intention for a week")
    sub.add_argument("practice")
    sub.add_argument("text")
    sub.add_argument("--week", "-w")

    sub = command("review", "mark a week reviewed and show its score (early in a week: last week, if not "
                            "reviewed yet)")
    sub.add_argument("week", nargs="?")
    sub.add_argument("--week", "-w", dest="week_option", help="the week to review (same as WEEK)")
    sub.add_argument("--carry", choices=("next", "backlog"),
                     help="the week's open tasks: move them to the next week, or put them back in the first "
                          "column unscheduled (default: leave them where they are)")

    sub = command("score", "the weekly value score and each practice's score")
    sub.add_argument("week", nargs="?")
    sub.add_argument("--weeks", type=int, default=1, help="how many weeks up to WEEK (default 1)")
    json_flag(sub)

    sub = command("brag", "a brag document: the value created in a period, for a review (default: this quarter)")
    sub.add_argument("period", nargs="?", help="2026-Q3, 2026-H2, 2026, 2026-07, last-quarter, this-year")
    sub.add_argument("--from", dest="date_from", metavar="DAY", help="the first day: 2026-07-01 (or a period's first)")
    sub.add_argument("--to", dest="date_to", metavar="DAY", help="the last day (or a period's last)")
    sub.add_argument("--format", choices=("markdown", "html", "json"), default="markdown",
                     help="markdown renders on GitHub; html is one file that prints well; json for scripts")
    sub.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    sub = command("plugins", "list plugins with origin, hooks and status; `plugins new NAME` starts one")
    json_flag(sub)
    sub.usage = "%(prog)s [--json]\n       %(prog)s new NAME [--dir DIR]"
    # prog: without it argparse builds the actions' usage from the two-line usage above.
    actions = sub.add_subparsers(dest="plugins_command", metavar="ACTION", parser_class=Parser,
                                 prog="planner plugins")
    new = actions.add_parser("new", help="write a new practice plugin package, ready to install and test",
                             description="Write DIR/planner-NAME/: an installable practice plugin package with "
                                         "tests, for the practice id NAME.")
    new.add_argument("name", metavar="NAME", help="the practice id, e.g. deep-work")
    new.add_argument("--dir", metavar="DIR", help="where to put the package folder (default: here)")

    command("check", "check every file of the plan folder; exit 2 when any has a problem")

    sub = command("sync", "commit, fetch, merge field by field and push the plan folder with your own git")
    sub.add_argument("--init", nargs="?", const="", metavar="REMOTE",
                     help="make the plan folder a git repository (or adopt one, or clone REMOTE into an empty "
                          "folder) and set up the planner's merge driver")
    sub.add_argument("--resolve", action="store_true",
                     help="finish a merge a plain `git pull` left unfinished, with the planner's merge rules")

    sub = command("resolve", "settle a conflict a sync kept: keep the current value or take the other")
    sub.add_argument("target", help="a task id, a week (2026-W48) or `board`")
    sub.add_argument("field", help="the field in conflict, as `planner check` or `planner show` names it")
    sub.add_argument("keep", choices=("current", "other"), help="current: keep the value in the file; "
                                                                 "other: take the value that lost")

    sub = command("serve", "an SSH server that opens each user's own planner (public-key login only)")
    sub.usage = ("%(prog)s [--listen ADDR] [--port N] [--root DIR] [limits]\n"
                 "       %(prog)s add-user NAME --key FILE [--root DIR]")
    sub.add_argument("--listen", default="127.0.0.1", metavar="ADDR",
                     help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for all)")
    sub.add_argument("--port", type=int, default=2222, metavar="N", help="port (default: 2222; 0 picks a free one)")
    root_help = "the server's folder: host key, log, users/NAME/ (default: the data folder's serve/)"
    sub.add_argument("--root", metavar="DIR", help=root_help)
    sub.add_argument("--max-sessions", type=int, default=20, metavar="N", help="sessions at a time (default: 20)")
    sub.add_argument("--max-sessions-per-user", type=int, default=4, metavar="N",
                     help="sessions at a time for one user (default: 4)")
    sub.add_argument("--idle-timeout", default="30m", metavar="TIME",
                     help="close a session after this long without input: 90s, 30m, 1h, 0 for never (default: 30m)")
    sub.add_argument("--login-timeout", default="30s", metavar="TIME",
                     help="drop a connection that has not logged in by then (default: 30s)")
    actions = sub.add_subparsers(dest="serve_command", metavar="ACTION", parser_class=Parser, prog="planner serve")
    new = actions.add_parser("add-user", help="let NAME log in with the public key in FILE; makes their plan folder",
                             description="Add the OpenSSH public key in FILE to ROOT/users/NAME/authorized_keys "
                                         "(options such as from=\"10.0.0.*\" are kept) and make NAME's plan "
                                         "folder if it does not exist yet.")
    new.add_argument("name", metavar="NAME", help="the SSH user name: a-z, 0-9, _ and -, starting with a letter")
    new.add_argument("--key", required=True, metavar="FILE", help="a public key file, e.g. ~/.ssh/id_ed25519.pub")
    new.add_argument("--root", metavar="DIR", default=argparse.SUPPRESS, help=root_help)
    new.add_argument("--timezone", help="the new plan's time zone (default: this machine's)")

    # Run by git, not by people: `git config merge.planner.driver` (set by `planner sync`).
    sub = commands.add_parser("merge-driver") if wanted in (None, "merge-driver") else _Unbuilt()
    for name in ("base", "ours", "theirs", "path"):
        sub.add_argument(name)

    sub = command("export", "export a week (or, as JSON, the whole plan)")
    sub.add_argument("--format", choices=("markdown", "json", "ics"), default="markdown",
                     help="ics: an iCalendar file of the days' tasks (events) and due days (to-dos)")
    sub.add_argument("--week", "-w")
    sub.add_argument("--from", dest="date_from", metavar="DAY", help="with --format ics: the first day (same forms as --day)")
    sub.add_argument("--to", dest="date_to", metavar="DAY", help="with --format ics: the last day")
    sub.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    if wanted is not None and wanted not in commands.choices:
        return build_parser([])  # no such command: the whole parser says so, naming every command
    return parser


def main(argv: Sequence[str] | None = None, *, plugins: Sequence[tuple[str, Any]] = ()) -> int:
    """`plugins`: (name, plugin) pairs loaded beside the installed ones, for planner.testing.run_planner."""
    runner = Command(lambda args: Session(args.plans))
    failure = ""
    try:
        args = build_parser(argv).parse_args(argv)
        name = args.command or "open"
        if name == "init" and args.dir:
            args.plans = args.dir
        runner.session = runner.session_factory(args)
        if plugins:
            runner.session.host.add_plugins_under_test(plugins)
        getattr(runner, f"cmd_{name.replace('-', '_')}")(args)
        return 0
    except (UserError, DateError, ModelError) as error:
        failure = str(error)
        return _fail(failure, EXIT_USER_ERROR)
    except (StoreError, ConfigError) as error:
        failure = str(error)
        return _fail(failure, EXIT_BAD_DATA)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `planner list | head`: the reader left; not an error worth a message. Point stdout at
        # /dev/null so the flush at exit cannot fail again; stderr stays open for the notices below.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except OSError as error:
        # The plan folder cannot be read or written (a file where a folder should be, no permission...).
        where = f": {error.filename}" if error.filename else ""
        return _fail(f"{error.strerror or error}{where}", EXIT_BAD_DATA)
    except AppCrashed as crash:
        return _report_bug(crash.error, "the full-screen app", shown=True)
    except Exception as error:  # noqa: BLE001 - a bug: one line here, the whole traceback in a file
        session = getattr(runner, "session", None)
        if session is not None and session.config.strict_plugins:
            raise  # a plugin author's mode: the traceback itself, where it happened
        return _report_bug(error, f"planner {' '.join(sys.argv[1:] if argv is None else argv)}", shown=False)
    finally:
        session = getattr(runner, "session", None)
        for notice in session.messages() if session else ():
            if not _told_already(notice, failure):
                print(f"planner: {printable(notice)}", file=sys.stderr)


def _told_already(notice: str, failure: str) -> bool:
    """A notice about the very file the error was about (`path:line:col: ...`): one line is enough."""
    problem = notice.split(" (left out", 1)[0].split(" (week file left out", 1)[0]
    return bool(failure) and problem in failure


def _conflict_count(store: Any, paths: Sequence[str]) -> int:
    """Conflicts the merge kept in the files it changed."""
    from planner.merge import CONFLICTS_KEY, conflicts_in
    from planner.store import parse_toml, read_plan_file

    count = 0
    for path in paths:
        if path.endswith(".toml"):
            try:
                text = read_plan_file(store.root / path)
                if CONFLICTS_KEY in text:  # parse only the files that may keep one: a merge changes many
                    count += len(conflicts_in(parse_toml(text)))
            except (OSError, ValueError):
                continue
    return count


def _without_tasks(week: dict[str, Any]) -> dict[str, Any]:
    week.pop("tasks")
    return week


def _demo_session(session: Session) -> Session:
    """No plan yet: open a demo plan (made once, in the data folder) so there is something to see."""
    from planner.config import data_dir
    from planner.demo import build_demo_plan

    root = data_dir() / "demo-plan"
    demo = Session(root, session.config)
    if not demo.store.exists():
        build_demo_plan(root, session.today())
    demo.notices.append(f"no plan folder at {session.root} yet: showing a demo plan "
                        f"(`planner init` makes your own)")
    return demo


def _report_bug(error: BaseException, context: str, *, shown: bool) -> int:
    from planner.config import write_crash_report

    path = write_crash_report(error, context)
    where = f"the details are in {path}" if path else "the details could not be saved"
    what = "the error above" if shown else f"an unexpected {type(error).__name__}: {_one_line(str(error))}"
    return _fail(f"the planner stopped on {what} (a bug in the planner; every change made before it is saved; "
                 f"{where})", EXIT_BUG)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fail(message: str, status: int) -> int:
    print(f"planner: error: {printable(message)}", file=sys.stderr)
    return status
