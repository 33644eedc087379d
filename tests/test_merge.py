"""The field-by-field merge of plan files (planner.merge), without git: its rules one by one, and a
property test over random edits on both sides."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.merge import (
    MergeError,
    conflicts_in,
    field_name,
    field_path,
    merge_documents,
    merge_files,
    merge_sets,
    merge_text,
    resolve_document,
    split_conflict_markers,
)
from planner.schema import dumps

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def task(**fields) -> dict:
    document = {"schema": 1, "id": "t1", "title": "Base", "status": "open", "column": "backlog", "rank": "i",
                "created": T0, "updated": T0}
    document.update(fields)
    return {key: value for key, value in document.items() if value is not None}


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_field_changed_on_one_side_takes_that_change() -> None:
    base = task()
    merged = merge_documents(base, task(title="Mine", updated=later(1)), task(due=date(2026, 12, 1), updated=later(2)))
    assert merged["title"] == "Mine" and merged["due"] == date(2026, 12, 1)
    assert merged["updated"] == later(2) and "conflicts" not in merged


def test_the_later_updated_wins_a_true_conflict_and_the_loser_is_kept() -> None:
    base = task()
    mine, theirs = task(title="Mine", updated=later(5)), task(title="Theirs", updated=later(3))
    for merged in (merge_documents(base, mine, theirs), merge_documents(base, theirs, mine)):
        assert merged["title"] == "Mine"
        assert merged["conflicts"] == [{"field": "title", "value": "Theirs", "updated": later(3)}]


def test_a_removed_field_against_a_changed_one_is_a_conflict_with_no_value() -> None:
    base = task(due=date(2026, 12, 1))
    mine, theirs = task(updated=later(1)), task(due=date(2026, 12, 9), updated=later(2))
    merged = merge_documents(base, mine, theirs)
    assert merged["due"] == date(2026, 12, 9)
    assert merged["conflicts"] == [{"field": "due", "updated": later(1)}]
    resolved = resolve_document(merged, "due", take_other=True)
    assert "due" not in resolved and "conflicts" not in resolved


def test_times_in_two_offsets_are_the_same_moment() -> None:
    base = task()
    berlin = timezone(timedelta(hours=1))
    mine = task(title="Mine", updated=later(5).astimezone(berlin))
    theirs = task(title="Theirs", updated=later(3))
    assert merge_documents(base, mine, theirs)["title"] == "Mine"


def test_a_move_is_decided_as_a_whole() -> None:
    base = task()
    doing = task(column="doing", rank="m", updated=later(1))
    done = task(column="done", status="done", done_at=later(2), updated=later(2))
    merged = merge_documents(base, doing, done)
    assert (merged["column"], merged["status"], merged["done_at"]) == ("done", "done", later(2))
    lost = {entry["field"]: entry.get("value") for entry in merged["conflicts"]}
    assert lost == {"column": "doing", "status": "open", "rank": "m", "done_at": None}
    resolved = resolve_document(merged, "status", take_other=True)  # one field of the group: all of it
    assert (resolved["column"], resolved["status"], resolved["rank"]) == ("doing", "open", "m")
    assert "done_at" not in resolved and "conflicts" not in resolved


def test_the_same_move_on_both_sides_is_no_conflict() -> None:
    """Two machines that both mark a task done (a repeating task's occurrence, say) agree that it
    is done: it was done when it was first done, and nobody has a conflict to resolve."""
    base = task()
    first = task(column="done", status="done", rank="m", done_at=later(2), updated=later(2))
    second = task(column="done", status="done", rank="t", done_at=later(9), updated=later(9))
    for merged in (merge_documents(base, first, second), merge_documents(base, second, first)):
        assert "conflicts" not in merged
        assert (merged["column"], merged["status"], merged["done_at"]) == ("done", "done", later(2))
        assert merged["rank"] == "t" and merged["updated"] == later(9)  # the later side's place
    # Different moves still conflict as a whole.
    doing = task(column="doing", rank="m", updated=later(1))
    assert {entry["field"] for entry in merge_documents(base, doing, second)["conflicts"]} == {
        "column", "status", "rank", "done_at"}


def test_an_edit_beats_a_delete_even_a_later_one() -> None:
    base = task()
    edited = task(title="Edited", updated=later(1))
    deleted = task(status="deleted", updated=later(9))
    for merged in (merge_documents(base, edited, deleted), merge_documents(base, deleted, edited)):
        assert merged["status"] == "open" and merged["title"] == "Edited"
    # Deleted on both sides: stays deleted.
    assert merge_documents(base, deleted, task(status="deleted", updated=later(3)))["status"] == "deleted"
    # Deleted on one side, nothing changed on the other: deleted.
    assert merge_documents(base, deleted, base)["status"] == "deleted"


def test_tags_merge_as_sets() -> None:
    assert merge_sets(["a", "b", "c"], ["a", "b", "d"], ["b", "c", "e"]) == ["b", "d", "e"]
    merged = merge_documents(task(tags=["x"]), task(tags=["x", "mine"], updated=later(1)),
                             task(tags=[], updated=later(2)))
    assert merged["tags"] == ["mine"] and "conflicts" not in merged


def test_a_weeks_skipped_practices_merge_as_sets() -> None:
    base = {"schema": 1, "week": "2026-W48", "skipped": ["change"]}
    mine = {**base, "skipped": ["change", "learning"]}
    theirs = {**base, "skipped": []}
    merged = merge_documents(base, mine, theirs)
    assert merged["skipped"] == ["learning"] and "conflicts" not in merged


def test_text_merges_line_by_line() -> None:
    assert merge_text("a\nb\nc", "a\nb\nc\nmine", "a\nb\nc\ntheirs") == "a\nb\nc\nmine\ntheirs"
    assert merge_text("a\nb\nc", "A\nb\nc", "a\nb\nC") == "A\nb\nC"
    assert merge_text("a\nb\nc", "a\nc", "a\nb\nc\nz") == "a\nc\nz"  # a removal applies too
    assert merge_text("", "mine", "theirs") == "mine\ntheirs"


def test_week_tables_merge_key_by_key() -> None:
    base = {"schema": 1, "week": "2026-W48", "intentions": {"skills": "Base"}}
    mine = {**base, "intentions": {"skills": "Mine"}, "plan": {"skills.focus": "A"}}
    theirs = {**base, "intentions": {"skills": "Base", "change": "Theirs"}, "plan": {"change.experiment": "B"}}
    merged = merge_documents(base, mine, theirs)
    assert merged["intentions"] == {"skills": "Mine", "change": "Theirs"}
    assert merged["plan"] == {"skills.focus": "A", "change.experiment": "B"}


def test_a_week_answer_conflict_is_named_by_its_toml_path_and_decided_the_same_on_both_sides() -> None:
    base = {"schema": 1, "week": "2026-W48", "plan": {"skills.focus": "Base"}}
    mine = {**base, "plan": {"skills.focus": "Mine"}}
    theirs = {**base, "plan": {"skills.focus": "Theirs"}}
    one, other = merge_documents(base, mine, theirs), merge_documents(base, theirs, mine)
    assert one == other  # no `updated` in a week file: the same value wins whichever side merges
    [conflict] = conflicts_in(one)
    assert conflict.field == 'plan."skills.focus"' and field_path(conflict.field) == ["plan", "skills.focus"]
    resolved = resolve_document(one, conflict.field, take_other=True)
    assert resolved["plan"]["skills.focus"] == conflict.value


def test_kept_conflicts_merge_as_a_set_and_resolving_on_one_side_removes_them() -> None:
    kept = [{"field": "title", "value": "Old"}]
    base = task(title="T", conflicts=kept)
    resolved_here = task(title="T", updated=later(1))
    untouched = task(title="T", conflicts=kept, due=date(2026, 12, 2), updated=later(2))
    merged = merge_documents(base, resolved_here, untouched)
    assert "conflicts" not in merged and merged["due"] == date(2026, 12, 2)


def test_a_side_that_is_not_toml_is_refused_by_name() -> None:
    with pytest.raises(MergeError, match="their version"):
        merge_files(b'id = "t1"\n', b'id = "t1"\n', b"id = <<<\n")


def test_both_added_the_same_file() -> None:
    merged = tomllib.loads(merge_files(b"", dumps(task(title="One", updated=later(1))),
                                       dumps(task(title="Two", updated=later(2)))).decode())
    assert merged["title"] == "Two" and merged["conflicts"][0]["value"] == "One"


def test_conflict_markers_split_into_the_sides() -> None:
    text = 'id = "t1"\n<<<<<<< HEAD\ntitle = "Mine"\n||||||| base\ntitle = "Base"\n=======\ntitle = "Theirs"\n>>>>>>> b\n'
    base, mine, theirs = split_conflict_markers(text)
    assert 'title = "Base"' in base and 'title = "Mine"' in mine and 'title = "Theirs"' in theirs
    assert "<<<<" not in base + mine + theirs


def test_field_names_round_trip() -> None:
    for path in (["title"], ["plan", "skills.focus"], ["practices", "deep-work", "weight"], ["a b", 'q"uote']):
        assert field_path(field_name(path)) == path


# --- the property: nothing one side changed alone is lost, and sides are symmetric ---------------

FIELDS = {
    "title": st.text(min_size=1, max_size=8),
    "due": st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    "estimate": st.integers(0, 600),
    "practice": st.sampled_from(["skills", "change", "learning"]),
    "notes": st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), max_size=4).map("\n".join),
    "tags": st.lists(st.sampled_from(["a", "b", "c", "d", "@e"]), max_size=4, unique=True),
    "week": st.sampled_from(["2026-W48", "2026-W49"]),
}
edits = st.dictionaries(st.sampled_from(sorted(FIELDS)), st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({key: st.one_of(st.none(), FIELDS[key]) for key in keys}))


@settings(max_examples=300, deadline=None)
@given(base_fields=edits, mine_edit=edits, theirs_edit=edits, mine_minutes=st.integers(1, 30),
       theirs_minutes=st.integers(1, 30))
def test_random_edits_on_both_sides(base_fields, mine_edit, theirs_edit, mine_minutes, theirs_minutes) -> None:
    base = task(**base_fields)

    def edited(change: dict, minutes: int) -> dict:
        document = dict(base)
        for key, value in change.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = value
        if document != base:
            document["updated"] = later(minutes)
        return document

    mine, theirs = edited(mine_edit, mine_minutes), edited(theirs_edit, theirs_minutes)
    merged = merge_documents(base, mine, theirs)
    other_way = merge_documents(base, theirs, mine)
    tomllib.loads(dumps(merged).decode())  # always a writable, readable file
    conflicted = {entry.field for entry in conflicts_in(merged)}
    for key in FIELDS:
        only_mine = mine.get(key) != base.get(key) and theirs.get(key) == base.get(key)
        only_theirs = theirs.get(key) != base.get(key) and mine.get(key) == base.get(key)
        if only_mine or only_theirs:
            # Changed on one side only: that change is in the result (week and day go together,
            # so a week changed alone can lose only to a day changed on the other side).
            changed = mine if only_mine else theirs
            if key == "week" and "day" in conflicted:
                continue
            assert merged.get(key) == changed.get(key), key
        if key in ("tags",) and only_mine is False and only_theirs is False and key in mine and key in theirs:
            added = (set(mine[key]) | set(theirs[key])) - set(base.get(key, []))
            assert added <= set(merged[key])
    # Symmetric apart from which side wins a true conflict: the same fields merged the same way,
    # and a field in conflict holds one side's value with the other side's kept.
    assert {entry.field for entry in conflicts_in(other_way)} == conflicted
    for key in set(merged) | set(other_way):
        if key in conflicted or key == "conflicts":
            continue
        if key == "tags":
            assert set(merged.get(key, [])) == set(other_way.get(key, [])), key
        else:
            assert merged.get(key) == other_way.get(key), key
    for entry in conflicts_in(merged):
        [key] = field_path(entry.field)
        values = {repr(merged.get(key)), repr(entry.value)}
        assert values == {repr(mine.get(key)), repr(theirs.get(key))}, key
    if mine_minutes != theirs_minutes:
        assert merged == other_way  # with different clocks, even the winner and notes' order are the same
