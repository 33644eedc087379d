"""Saving TOML files that people also edit by hand (board.toml, config.toml) without losing their
comments, key order or layout.

The new content is given as a plain document (what tomllib would read back). The file as it is on
disk is loaded with tomlkit and only what differs is changed in it: a key whose value is new is
set, a key that is gone is removed, a key that is new is appended to its table. Everything else,
comments and blank lines among it, is written back as it was.
"""

from __future__ import annotations

import tomllib
from typing import Any, Mapping


def dumps_preserving(current_text: str | None, document: Mapping[str, Any]) -> bytes:
    """`document` as TOML, laid out like `current_text` wherever their contents agree.

    With no current text, or one tomlkit cannot read (then it is replaced anyway), the file is
    written from scratch."""
    import tomlkit  # only when writing: reading a plan or the config never needs it
    from tomlkit.exceptions import TOMLKitError

    if current_text is None:
        return tomlkit.dumps(document).encode("utf-8")
    try:
        kept = tomlkit.parse(current_text)
    except TOMLKitError:
        return tomlkit.dumps(document).encode("utf-8")
    _merge_table(kept, document)
    text = kept.as_string()
    # tomlkit can misplace an appended table among dotted keys; a file that would read back
    # differently is written from scratch instead: the layout is lost, never a value.
    if tomllib.loads(text) != document:
        return tomlkit.dumps(document).encode("utf-8")
    return text.encode("utf-8")


def _merge_table(table: Any, wanted: Mapping[str, Any]) -> None:
    """Make tomlkit `table` hold `wanted`, touching only the keys that differ."""
    for key in [key for key in table if key not in wanted]:
        del table[key]
    for key, value in wanted.items():
        if key not in table:
            table[key] = value
            continue
        current = table[key]
        if _same(_plain(current), value):
            continue
        if isinstance(value, Mapping) and isinstance(_plain(current), dict):
            _merge_table(current, value)
        elif isinstance(value, list) and _mergeable_lists(current, value):
            _merge_list(current, value)
        else:
            table[key] = value


def _mergeable_lists(current: Any, value: list[Any]) -> bool:
    # Same length: the entries are changed in place (a column's wip, say) and keep their layout.
    # A list that grew or shrank is written anew; which entry went is guesswork.
    plain = _plain(current)
    return isinstance(plain, list) and len(plain) == len(value)


def _merge_list(current: Any, value: list[Any]) -> None:
    for index, item in enumerate(value):
        existing = current[index]
        plain = _plain(existing)
        if _same(plain, item):
            continue
        if isinstance(item, Mapping) and isinstance(plain, dict):
            _merge_table(existing, item)
        else:
            current[index] = item


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _same(left: Any, right: Any) -> bool:
    """Equal and of the same kinds all the way down: 1, 1.0 and true are three different TOML values."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    return type(left) is type(right) and left == right
