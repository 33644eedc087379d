"""Task ids that sort by creation time and do not collide across machines.

An id is 10 characters of milliseconds since the epoch and 6 random characters, all in Crockford's
base32 (lower case, no i/l/o/u), so `ls tasks/` lists tasks in the order they were made and two
machines adding tasks in the same millisecond still pick different ids (30 random bits).
"""

from __future__ import annotations

import os
import re
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 16
ID_PATTERN = re.compile(rf"^[{ALPHABET}]{{{ID_LENGTH}}}$")


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def new_task_id(now_ms: int | None = None) -> str:
    """A new id for a task made at `now_ms` (milliseconds since the epoch; default: now)."""
    if now_ms is None:
        now_ms = time.time_ns() // 1_000_000
    # os.urandom, as secrets does, without importing secrets (hmac, hashlib) on every start.
    return _encode(now_ms, 10) + _encode(int.from_bytes(os.urandom(4), "big") >> 2, 6)


def is_task_id(text: str) -> bool:
    return bool(ID_PATTERN.fullmatch(text))  # match() would let "$" accept a trailing newline
