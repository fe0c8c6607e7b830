"""Shared helpers of the recognizer tests: what an engine finds, and what a test expects it to find.

Both sides are (type, start, end) spans, so a test compares them with `==`.
"""

from __future__ import annotations

from pii.engine import PiiEngine
from pii.recognizers.base import Recognizer

Span = tuple[str, int, int]


def found_by(engine: PiiEngine, text: str) -> list[Span]:
    """Spans of the findings `engine` reports in `text`."""
    return [(f.type, f.start, f.end) for f in engine.analyze(text)]


def spans(text: str, *expected: tuple[str, str]) -> list[Span]:
    """(type, value) pairs located in order in `text`."""
    result: list[Span] = []
    position = 0
    for entity, value in expected:
        start = text.index(value, position)
        result.append((entity, start, start + len(value)))
        position = start + len(value)
    return result


class RecognizerProbe:
    """One recognizer alone in an engine; the spans it expects carry the recognizer's entity."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.entity = recognizer.ENTITY
        self.engine = PiiEngine(recognizers=[recognizer])

    def found(self, text: str) -> list[Span]:
        """Spans of the findings the engine reports in `text`."""
        return found_by(self.engine, text)

    def spans(self, text: str, *values: str) -> list[Span]:
        """Spans of `values`, typed with the entity, located in order in `text`."""
        return spans(text, *((self.entity, value) for value in values))
