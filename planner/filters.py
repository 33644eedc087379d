"""The board's filter: free text plus `practice:ID` and `tag:NAME` terms, as a person types them."""

from __future__ import annotations

from dataclasses import dataclass

from planner.model import Task


@dataclass(frozen=True)
class TaskFilter:
    words: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.words or self.practices or self.tags)

    def matches(self, task: Task) -> bool:
        """Every term must match: words anywhere in the title, notes, outcome or tags (any case); each
        `practice:` term the practice; each `tag:` term one of the tags."""
        if self.practices and (task.practice or "") not in self.practices:
            return False
        tags = {tag.casefold() for tag in task.tags}
        if any(tag not in tags for tag in self.tags):
            return False
        haystack = " ".join((task.title, task.notes, task.outcome, *task.tags)).casefold()
        return all(word in haystack for word in self.words)


def parse_filter(text: str) -> TaskFilter:
    words: list[str] = []
    practices: list[str] = []
    tags: list[str] = []
    for term in text.split():
        key, colon, value = term.partition(":")
        if colon and value and key.casefold() in ("practice", "p"):
            practices.append(value.casefold())
        elif colon and value and key.casefold() in ("tag", "t"):
            tags.append(value.lstrip("#").casefold())
        else:
            words.append(term.casefold())
    return TaskFilter(tuple(words), tuple(practices), tuple(tags))
