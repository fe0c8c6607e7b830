"""What the engine reports: where personal data is, of which type, and how sure it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pii.entities import Category


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One detected span. Offsets are Python string indices; the value itself is not kept."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str
    category: Category

    def __init__(
        self, type: str, start: int, end: int, score: float, recognizer: str, category: Category
    ) -> None:
        # The generated __init__ of a frozen dataclass is interpreted code even when compiled
        # (about 2 us a call, a finding per match); these stores compile to direct ones.
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "recognizer", recognizer)
        object.__setattr__(self, "category", category)

    def __reduce__(self) -> tuple[Callable[..., Finding], tuple[object, ...]]:
        # Compiled (setup.py), a frozen dataclass is pickled and copied only through this.
        return (
            Finding,
            (self.type, self.start, self.end, self.score, self.recognizer, self.category),
        )

    def value_in(self, text: str) -> str:
        """The detected value, sliced from the text it was found in."""
        return text[self.start : self.end]
