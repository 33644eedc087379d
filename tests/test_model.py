"""Pure model functions: each takes a value and returns a changed copy; ids and ranks."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date, datetime, timedelta, timezone

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.ids import ALPHABET, ID_LENGTH, is_task_id, new_task_id, short_ids
from planner.model import (
    RANK_DIGITS,
    Board,
    Column,
    ModelError,
    Task,
    TaskChanges,
    WeekPlan,
    column_tasks,
    complete_task,
    delete_task,
    edit_task,
    make_week_view,
    move_task,
    new_task,
    normalise_tags,
    rank_at_end,
    rank_between,
    restore_task,
    schedule_task,
    tasks_of_week,
    with_answer,
    with_intention,
    with_outcome,
    with_skipped,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)  # Thursday of 2026-W48
LATER = NOW + timedelta(hours=2)
MUCH_LATER = NOW + timedelta(days=1)


@pytest.fixture
def board() -> Board:
    return Board()


def make(board: Board, title: str = "Write report", **fields) -> Task:
    return new_task("t1", title, NOW, board, **fields)


# --- new_task ------------------------------------------------------------------------------------

def test_new_task_defaults(board: Board) -> None:
    task = make(board, "  Write   the\treport ")
    assert task.title == "Write the report"
    assert task.column == "backlog"
    assert task.status == "open"
    assert task.created == task.updated == NOW
    assert task.done_at is None
    assert task.rank == "n"


@pytest.mark.parametrize(
    ("fields", "column", "week"),
    [
        ({"week": "2026-W48"}, "this-week", "2026-W48"),
        ({"day": date(2026, 11, 28)}, "this-week", "2026-W48"),
        ({"week": "2026-W49"}, "backlog", "2026-W49"),
        ({"day": date(2026, 12, 1)}, "backlog", "2026-W49"),
        ({"day": date(2026, 11, 22)}, "backlog", "2026-W47"),
    ],
)
def test_new_task_scheduled_into_the_current_week_goes_to_the_week_column(
    board: Board, fields: dict, column: str, week: str
) -> None:
    task = make(board, **fields)
    assert task.column == column
    assert task.week == week


def test_new_task_week_column_follows_the_board(board: Board) -> None:
    custom = replace(board, columns=(Column("inbox", "Inbox"), Column("now", "Now"), Column("done", "Done")),
                     week_column="now")
    assert make(custom).column == "inbox"
    assert make(custom, week="2026-W48").column == "now"


def test_new_task_sunday_week_start_uses_the_board_week(board: Board) -> None:
    sunday_board = replace(board, week_start=6)
    # Sunday 29 Nov belongs to 2026-W49 on a Sunday-start board, not to the current week W48.
    task = make(sunday_board, day=date(2026, 11, 29))
    assert task.week == "2026-W49"
    assert task.column == "backlog"


def test_new_task_explicit_column_and_rank(board: Board) -> None:
    task = make(board, column="doing", rank="c")
    assert (task.column, task.rank, task.status) == ("doing", "c", "open")


def test_new_task_into_done_column_is_done(board: Board) -> None:
    task = make(board, column="done")
    assert task.status == "done"
    assert task.done_at == NOW


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_new_task_refuses_an_empty_title(board: Board, title: str) -> None:
    with pytest.raises(ModelError, match="title"):
        make(board, title)


def test_new_task_refuses_an_unknown_column(board: Board) -> None:
    with pytest.raises(ModelError, match="no column 'later'"):
        make(board, column="later")


def test_tasks_are_frozen(board: Board) -> None:
    task = make(board)
    with pytest.raises(FrozenInstanceError):
        task.title = "changed"  # type: ignore[misc]


# --- moving, completing, deleting ----------------------------------------------------------------

def test_move_into_done_sets_status_and_done_at(board: Board) -> None:
    task = make(board)
    done = move_task(task, "done", LATER, board)
    assert (done.column, done.status, done.done_at, done.updated) == ("done", "done", LATER, LATER)
    assert task.status == "open"  # the original value is untouched


def test_moving_within_done_keeps_the_first_done_at(board: Board) -> None:
    done = complete_task(make(board), LATER, board)
    again = move_task(done, "done", MUCH_LATER, board, rank="b")
    assert again.done_at == LATER
    assert again.rank == "b"


def test_moving_out_of_done_reopens(board: Board) -> None:
    done = complete_task(make(board), LATER, board)
    reopened = move_task(done, "doing", MUCH_LATER, board)
    assert (reopened.column, reopened.status, reopened.done_at) == ("doing", "open", None)
    assert reopened.updated == MUCH_LATER


@pytest.mark.parametrize("column", ["done", "doing", "backlog"])
def test_a_deleted_task_stays_deleted_when_moved(board: Board, column: str) -> None:
    deleted = delete_task(make(board), LATER)
    moved = move_task(deleted, column, MUCH_LATER, board)
    assert moved.status == "deleted"
    assert moved.column == column
    assert moved.done_at is None


def test_move_to_the_same_place_does_not_touch_updated(board: Board) -> None:
    task = make(board)
    assert move_task(task, "backlog", LATER, board).updated == NOW
    assert move_task(task, "backlog", LATER, board, rank="b").updated == LATER


def test_delete_and_restore(board: Board) -> None:
    task = make(board)
    deleted = delete_task(task, LATER)
    assert (deleted.status, deleted.updated, deleted.column) == ("deleted", LATER, "backlog")
    restored = restore_task(deleted, MUCH_LATER, board)
    assert (restored.status, restored.updated) == ("open", MUCH_LATER)


def test_restore_a_deleted_done_task_is_done_again(board: Board) -> None:
    done = complete_task(make(board), LATER, board)
    restored = restore_task(delete_task(done, LATER), MUCH_LATER, board)
    assert restored.status == "done"
    assert restored.done_at == LATER


# --- editing and scheduling -----------------------------------------------------------------------

def test_edit_task_changes_fields_and_updated(board: Board) -> None:
    task = make(board)
    edited = edit_task(task, LATER, board, title="  New   title ", estimate=30, notes="a\nb",
                       tags=["#focus", "@maria", "focus"])
    assert edited.title == "New title"
    assert edited.estimate == 30
    assert edited.notes == "a\nb"
    assert edited.tags == ("focus", "@maria")
    assert edited.updated == LATER
    assert edited.created == NOW


def test_edit_task_column_goes_through_move(board: Board) -> None:
    edited = edit_task(make(board), LATER, board, column="done")
    assert (edited.column, edited.status, edited.done_at) == ("done", "done", LATER)


def test_edit_task_day_sets_the_week(board: Board) -> None:
    edited = edit_task(make(board), LATER, board, day=date(2027, 1, 1))
    assert edited.week == "2026-W53"


def test_edit_without_change_keeps_updated(board: Board) -> None:
    task = make(board)
    assert edit_task(task, LATER, board, title="Write report").updated == NOW


@pytest.mark.parametrize(
    ("changes", "error"),
    [({"title": " "}, "title"), ({"column": "nowhere"}, "no column"), ({"tags": ["two words"]}, "spaces")],
)
def test_edit_task_refuses(board: Board, changes: dict, error: str) -> None:
    with pytest.raises(ModelError, match=error):
        edit_task(make(board), LATER, board, **changes)


@pytest.mark.parametrize(
    ("week", "day", "expected_week", "week_start"),
    [
        ("2026-W50", None, "2026-W50", 0),
        (None, date(2026, 12, 3), "2026-W49", 0),
        ("2026-W01", date(2026, 12, 3), "2026-W49", 0),  # the day wins over a week that does not hold it
        (None, date(2026, 11, 29), "2026-W49", 6),
        (None, date(2026, 11, 29), "2026-W48", 0),
        (None, None, None, 0),
    ],
)
def test_schedule_task(board: Board, week, day, expected_week, week_start: int) -> None:
    scheduled_board = replace(board, week_start=week_start)
    task = make(scheduled_board, day=date(2026, 11, 27))
    scheduled = schedule_task(task, LATER, scheduled_board, week=week, day=day)
    assert (scheduled.week, scheduled.day) == (expected_week, day)
    assert scheduled.updated == LATER


@pytest.mark.parametrize(
    ("week", "day", "column"),
    [
        ("2026-W48", None, "this-week"),
        (None, date(2026, 11, 27), "this-week"),
        ("2026-W49", None, "backlog"),
        (None, date(2026, 12, 1), "backlog"),
        (None, date(2026, 11, 20), "backlog"),
        (None, None, "backlog"),
    ],
)
def test_scheduling_a_backlog_task_into_this_week_moves_it_to_the_week_column(
    board: Board, week, day, column: str
) -> None:
    scheduled = schedule_task(make(board), LATER, board, week=week, day=day)
    assert (scheduled.column, scheduled.status) == (column, "open")


def test_editing_the_schedule_follows_the_same_rule_as_new_task(board: Board) -> None:
    by_day = edit_task(make(board), LATER, board, day=date(2026, 11, 27))
    by_week = TaskChanges({"week": "2026-W48"}).apply(make(board), LATER, board)
    assert by_day.column == by_week.column == make(board, day=date(2026, 11, 27)).column == "this-week"


def test_this_week_is_the_week_of_now_not_of_the_task(board: Board) -> None:
    # Scheduled on Monday of next week, seen from Sunday night (before) and Monday morning (after).
    sunday_night = datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc)
    monday = date(2026, 11, 30)
    assert schedule_task(make(board), sunday_night, board, week=None, day=monday).column == "backlog"
    assert schedule_task(make(board), sunday_night + timedelta(hours=2), board, week=None, day=monday).column \
        == "this-week"


def test_only_a_change_of_schedule_moves_a_task_out_of_the_backlog(board: Board) -> None:
    put_back = move_task(make(board, week="2026-W48"), "backlog", NOW, board)
    assert edit_task(put_back, LATER, board, title="Renamed").column == "backlog"
    assert edit_task(make(board), LATER, board, day=date(2026, 11, 27), column="backlog").column == "backlog"


@pytest.mark.parametrize("column", ["doing", "done"])
def test_scheduling_leaves_tasks_outside_the_first_column_where_they_are(board: Board, column: str) -> None:
    task = make(board, column=column)
    assert schedule_task(task, LATER, board, week="2026-W48", day=None).column == column


def test_scheduling_follows_the_board_week_column(board: Board) -> None:
    custom = replace(board, columns=(Column("inbox", "Inbox"), Column("now", "Now"), Column("done", "Done")),
                     week_column="now")
    assert schedule_task(make(custom), LATER, custom, week="2026-W48", day=None).column == "now"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["work", "#work", " work "], ("work",)),
        (["#focus", "@maria", "deep-work"], ("focus", "@maria", "deep-work")),
        (["", "#", "  "], ()),
        (["b", "a", "b"], ("b", "a")),
        (["## x"], ("x",)),
    ],
)
def test_normalise_tags(tags: list[str], expected: tuple[str, ...]) -> None:
    assert normalise_tags(tags) == expected


@pytest.mark.parametrize("tag", ["not ok", "tab\tinside", "new\nline", "crlf\r\nline", "#a b"])
def test_normalise_tags_refuses_whitespace_inside(tag: str) -> None:
    with pytest.raises(ModelError, match="spaces"):
        normalise_tags(["ok", tag])


# --- ranks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("before", "after"),
    [(None, None), ("a", None), (None, "a"), ("a", "b"), ("a", "a1"), ("z", None), ("zz", None),
     (None, "01"), ("n", "n1"), ("ai", "b")],
)
def test_rank_between_is_strictly_between(before, after) -> None:
    rank = rank_between(before, after)
    assert set(rank) <= set(RANK_DIGITS)
    if before is not None:
        assert before < rank
    if after is not None:
        assert rank < after
    assert not rank.endswith("0")


@pytest.mark.parametrize(("before", "after"), [("b", "a"), ("n", "n")])
def test_rank_between_refuses_unordered_bounds(before: str, after: str) -> None:
    with pytest.raises(ModelError):
        rank_between(before, after)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_random_inserts_stay_strictly_ordered(positions: list[int]) -> None:
    ranks: list[str] = []
    for position in positions:
        index = position % (len(ranks) + 1)
        before = ranks[index - 1] if index > 0 else None
        after = ranks[index] if index < len(ranks) else None
        rank = rank_between(before, after)
        ranks.insert(index, rank)
        assert all(a < b for a, b in zip(ranks, ranks[1:])), ranks
    assert len(set(ranks)) == len(ranks)


def test_rank_at_end_and_column_order(board: Board) -> None:
    tasks = []
    for number in range(5):
        task = new_task(f"t{number}", f"task {number}", NOW, board, rank=rank_at_end(tasks, "backlog"))
        tasks.append(task)
    tasks.append(delete_task(new_task("gone", "gone", NOW, board, rank="0"), NOW))
    ordered = column_tasks(tasks, "backlog")
    assert [task.id for task in ordered] == ["t0", "t1", "t2", "t3", "t4"]
    assert rank_at_end(tasks, "doing") == rank_between(None, None)


# --- weeks ---------------------------------------------------------------------------------------

def test_tasks_of_week(board: Board) -> None:
    view = make_week_view("2026-W48", None, board.week_start, NOW.date())
    scheduled = new_task("a", "scheduled", NOW, board, week="2026-W48")
    other_week = new_task("b", "other week", NOW, board, week="2026-W49")
    done_here = complete_task(new_task("c", "done this week", NOW, board, week="2026-W47"), NOW, board)
    done_next_week = complete_task(new_task("d", "done later", NOW, board), NOW + timedelta(days=4), board)
    deleted = delete_task(new_task("e", "deleted", NOW, board, week="2026-W48"), NOW)
    unscheduled = new_task("f", "unscheduled", NOW, board)
    tasks = [scheduled, other_week, done_here, done_next_week, deleted, unscheduled]
    assert [task.id for task in tasks_of_week(tasks, view)] == ["a", "c"]


def test_week_view(board: Board) -> None:
    plan = WeekPlan("2026-W48", notes="focus")
    view = make_week_view("2026-W48", plan, 0, date(2026, 12, 1))
    assert (view.start, view.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert view.plan.notes == "focus"
    assert view.is_past
    assert view.contains(datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc))
    assert not view.contains(date(2026, 11, 30))
    assert not view.contains(None)
    assert make_week_view("2026-W48", None, 0, NOW.date()).plan == WeekPlan("2026-W48")


# --- Task properties -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("tags", "people"),
    [(("@maria", "work", "@li"), ("maria", "li")), (("@",), ()), (("email@x",), ()), ((), ())],
)
def test_task_people(board: Board, tags, people) -> None:
    assert make(board, tags=tags).people == people


@pytest.mark.parametrize(
    ("estimate", "spent", "minutes"),
    [(None, None, 0), (30, None, 30), (30, 45, 45), (None, 20, 20), (30, 0, 0)],
)
def test_task_minutes(board: Board, estimate, spent, minutes: int) -> None:
    assert make(board, estimate=estimate, spent=spent).minutes == minutes


@pytest.mark.parametrize(
    ("due", "done_at", "on_time"),
    [
        (None, NOW, None),
        (date(2026, 11, 30), None, None),
        (date(2026, 11, 26), NOW, True),
        (date(2026, 11, 30), NOW, True),
        (date(2026, 11, 25), NOW, False),
    ],
)
def test_task_done_on_time(board: Board, due, done_at, on_time) -> None:
    task = make(board, due=due)
    if done_at is not None:
        task = complete_task(task, done_at, board)
    assert task.done_on_time() is on_time


# --- ids -----------------------------------------------------------------------------------------

def test_new_task_id_shape() -> None:
    task_id = new_task_id()
    assert len(task_id) == ID_LENGTH == 16
    assert is_task_id(task_id)


def test_new_task_ids_are_random_from_their_first_character() -> None:
    ids = [new_task_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert len({task_id[:2] for task_id in ids}) > 100  # not a shared time-led start


def test_a_new_id_never_starts_like_an_id_the_plan_has() -> None:
    taken = ["7kq2m9xaaaaaaaaa", "01m8py1x2k00a0zz"]
    values = [_decode("7kq2m9xbbbbbbbbb"), _decode("01m8py1ccccccccc"), _decode("h3v5r8tccccccccc")]
    draws = iter(values)
    assert new_task_id(taken, lambda bits: next(draws)) == "h3v5r8tccccccccc"


def _decode(task_id: str) -> int:
    number = 0
    for char in task_id:
        number = number * 32 + ALPHABET.index(char)
    return number


def test_short_ids_of_ten_thousand_new_tasks_are_seven_characters() -> None:
    generator = random.Random(48)
    taken: set[str] = set()
    for _ in range(10_000):
        taken.add(new_task_id((), generator.getrandbits))
    assert {len(short) for short in short_ids(taken).values()} == {7}


@given(st.lists(st.text(alphabet="01ab", min_size=1, max_size=10), min_size=1, max_size=30))
def test_a_short_id_is_the_shortest_start_no_other_id_shares(ids: list[str]) -> None:
    shown = short_ids(ids, minimum=3)
    assert set(shown) == set(ids)
    for task_id, short in shown.items():
        others = [other for other in set(ids) if other != task_id]
        assert task_id.startswith(short)
        if short != task_id:  # the whole id, when another id starts with all of it
            assert not any(other.startswith(short) for other in others)
        if len(short) > 3:
            assert any(other.startswith(short[:-1]) for other in others)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("01hg7x2m3k4z9abc", True),
        ("0000000000000000", True),
        ("01HG7X2M3K4Z9ABC", False),  # upper case
        ("01hg7x2m3k4z9ab", False),  # 15 characters
        ("01hg7x2m3k4z9abcd", False),  # 17 characters
        ("01hg7x2m3k4z9abi", False),  # i, l, o, u are not in the alphabet
        ("01hg7x2m3k4z9abu", False),
        ("01hg7x2m3k4z9ab-", False),
        ("01hg7x2m3k4z9abc\n", False),
        ("", False),
    ],
)
def test_is_task_id(text: str, valid: bool) -> None:
    assert is_task_id(text) is valid


@pytest.mark.parametrize(("base", "mine", "theirs", "merged"), [
    ("a", "a\nmine", "a", "a\nmine"),  # only mine changed
    ("a", "a", "a\ntheirs", "a\ntheirs"),  # only theirs changed
    ("a", "a\nmine", "a\ntheirs", "a\nmine\ntheirs"),  # both added lines: both kept
    ("a\nb", "a", "a\nb\ntheirs", "a\ntheirs"),  # mine removed b, theirs added a line
    ("a", "same", "same", "same"),
])
def test_notes_changed_on_two_sides_keep_both_sides_lines(base: str, mine: str, theirs: str, merged: str) -> None:
    from planner.model import merge_notes

    assert merge_notes(base, mine, theirs) == merged


def test_a_column_that_grows_at_its_end_keeps_short_ranks() -> None:
    rank, ranks = "n", []
    for _ in range(10_000):  # a card added at the end, again and again
        rank = rank_between(rank, None)
        ranks.append(rank)
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert max(len(rank) for rank in ranks) <= 8
    assert not any(rank.endswith("0") for rank in ranks)
    assert ranks[0] < rank_between(ranks[0], ranks[1]) < ranks[1]  # room between any two, as before


# --- the week file's answers, intentions and focus -------------------------------------------------


def test_with_answer_sets_and_clears() -> None:
    plan = with_answer(WeekPlan("2026-W48"), "review", "skills", "progress", "  better  ")
    assert dict(plan.review_answers) == {"skills.progress": "better"}
    assert dict(with_answer(plan, "review", "skills", "progress", " ").review_answers) == {}


def test_the_answer_to_an_intention_prompt_is_the_intention_until_the_person_writes_another() -> None:
    plan = with_answer(WeekPlan("2026-W48"), "plan", "skills", "focus", "SQL\n  windows", states_intention=True)
    assert dict(plan.intentions) == {"skills": "SQL windows"}  # on one line
    plan = with_answer(plan, "plan", "skills", "focus", "Joins", states_intention=True)
    assert dict(plan.intentions) == {"skills": "Joins"}  # it follows the answer it came from
    plan = with_intention(plan, "skills", "Written by hand")
    plan = with_answer(plan, "plan", "skills", "focus", "Indexes", states_intention=True)
    assert dict(plan.intentions) == {"skills": "Written by hand"}  # the person's own words stay
    # A review answer or a prompt that does not state the intention never touches it.
    assert with_answer(WeekPlan("2026-W48"), "plan", "skills", "drill", "x").intentions == {}
    assert with_answer(WeekPlan("2026-W48"), "review", "skills", "focus", "x", states_intention=True).intentions == {}


def test_with_skipped_adds_once_and_removes() -> None:
    plan = with_skipped(with_skipped(WeekPlan("2026-W48"), "change", True), "change", True)
    assert plan.skipped == ("change",)
    assert with_skipped(plan, "change", False).skipped == ()


# --- outcomes ---------------------------------------------------------------------------------------


def test_with_outcome_sets_text_and_numbers_and_touches_the_task() -> None:
    task = Task("t", "Automate the report", NOW, NOW, status="done", done_at=NOW)
    changed = with_outcome(task, LATER, "  Saves @anna-b and @raj. a day \n", {"minutes_saved": 110})
    assert changed.outcome == "Saves @anna-b and @raj. a day"
    assert dict(changed.impact) == {"minutes_saved": 110} and changed.updated == LATER
    assert changed.outcome_people == ("anna-b", "raj")
    assert dict(with_outcome(changed, LATER, None, {"minutes_saved": None, "people": 4}).impact) == {"people": 4}
    assert with_outcome(changed, LATER, "").outcome == ""
    with pytest.raises(ModelError, match="lower-case"):
        with_outcome(task, LATER, None, {"Bad Name": 1})
    with pytest.raises(ModelError, match="not a number"):
        with_outcome(task, LATER, None, {"n": float("nan")})
    with pytest.raises(ModelError, match="at most"):
        with_outcome(task, LATER, "x" * 2001)
