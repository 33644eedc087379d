"""Task ids: random, and short to type.

A new id is 16 random characters of Crockford's base32 (lower case, no i/l/o/u): 80 random bits, so
two machines adding tasks never pick the same one. People see and type a *short id*: the shortest
start of an id that no other task's id shares, at least SHORT_LENGTH (7) characters, as jj shows
change ids. Because new ids are random from their first character, a new task's first 7 characters
(35 bits) are already unique among ten thousand tasks; and `new_task_id` draws again in the rare case
they are not, so the short id printed for a new task stays valid as the plan grows.

Older plans have time-led ids (10 characters of creation time, then 6 random): tasks made close
together share their first 8 or 9 characters. They keep working untouched (a full id and any unique
start of one are always accepted) and are shown with as many characters as tell them apart.
"""

from __future__ import annotations

import os
import re
from typing import Callable, Iterable

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 16
SHORT_LENGTH = 7
ID_PATTERN = re.compile(rf"^[{ALPHABET}]{{{ID_LENGTH}}}$")


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def _urandom_bits(bits: int) -> int:
    # os.urandom, as secrets does, without importing secrets (hmac, hashlib) on every start.
    return int.from_bytes(os.urandom((bits + 7) // 8), "big") >> (-bits % 8)


def new_task_id(taken: Iterable[str] = (), random_bits: Callable[[int], int] = _urandom_bits) -> str:
    """A new random id whose first SHORT_LENGTH characters start no id in `taken` (the plan's ids),
    so that its short id is SHORT_LENGTH characters and stays unique. `random_bits(n)` gives n random
    bits (the demo plan passes a seeded generator)."""
    prefixes = {task_id[:SHORT_LENGTH] for task_id in taken}
    while True:
        candidate = _encode(random_bits(5 * ID_LENGTH), ID_LENGTH)
        if candidate[:SHORT_LENGTH] not in prefixes:
            return candidate


def derived_task_id(*parts: str) -> str:
    """An id made from `parts` alone (80 bits of a hash, in the alphabet of new ids): every machine
    derives the same one, so a task two machines make for the same thing is one file. The next
    occurrence of a repeating task is named by its series and date this way (planner.repeat)."""
    import hashlib  # here, as os.urandom above: most commands never derive an id

    digest = hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=ID_LENGTH * 5 // 8).digest()
    return _encode(int.from_bytes(digest, "big"), ID_LENGTH)


def is_task_id(text: str) -> bool:
    return bool(ID_PATTERN.fullmatch(text))  # match() would let "$" accept a trailing newline


def short_ids(ids: Iterable[str], minimum: int = SHORT_LENGTH) -> dict[str, str]:
    """Each id's short id: its shortest start, at least `minimum` characters, that no other id in
    `ids` begins with (the whole id when another id starts with all of it)."""
    ordered = sorted(set(ids))
    shown: dict[str, str] = {}
    shared_before = 0  # characters the id shares with the one before it in sorted order
    for index, task_id in enumerate(ordered):
        shared_after = _shared_start(task_id, ordered[index + 1]) if index + 1 < len(ordered) else 0
        shown[task_id] = task_id[: max(minimum, shared_before + 1, shared_after + 1)]
        shared_before = shared_after
    return shown


def _shared_start(first: str, second: str) -> int:
    """How many leading characters two strings share."""
    length = min(len(first), len(second))
    index = 0
    while index < length and first[index] == second[index]:
        index += 1
    return index
