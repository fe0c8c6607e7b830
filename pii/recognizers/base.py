"""The base of Gerbang's recognizers: a Presidio PatternRecognizer with a trigger and context.

A recognizer declares its patterns (Presidio `Pattern`s with a base score), context words in
Indonesian and English, an optional cheap trigger (the recognizer runs only if the trigger occurs
in the text) and whether a finding needs a context word to count at all. `validate_result` sees the
matched text and returns False to reject it (a failed check digit, an impossible date).
"""

from __future__ import annotations

import re
from typing import ClassVar, Protocol

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

PATTERN_NAME = "pattern_name"  # recognition_metadata key: which pattern matched
REGEX_TIMEOUT_S = 2.0  # per pattern and text; Presidio's default is 60 s
CONTEXT_BOOST = 0.35  # Presidio's default context similarity factor
CONTEXT_BEFORE = 48  # characters searched for a context word before a finding
CONTEXT_AFTER = 24  # ... and after it
SEPARATOR = r"[ .\-]?"  # what people put between digit groups: a space, a dot or a dash
NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[.\-])"  # a number starts here, not inside a longer one
NOT_BEFORE_NUMBER = r"(?!\d)(?![.\-]\d)"  # ... and ends here


def digits(text: str) -> str:
    """The digits of a number written with separators."""
    return "".join(ch for ch in text if ch.isdigit())


class DetectionTimeout(RuntimeError):
    """A pattern took too long on a text: the text is refused rather than passed unscanned."""


class Recognizer(Protocol):
    """What the engine needs of a recognizer (pattern-based or a model)."""

    ENTITY: ClassVar[str]
    CONTEXT_REQUIRED: ClassVar[bool]
    PRIORITY: ClassVar[int]
    name: str

    def may_match(self, text: str) -> bool:
        """A cheap test: False means this recognizer cannot find anything in `text`."""
        ...

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        ...

    def analyze(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        """Presidio's recognizer call: results for `entities` in `text`."""
        ...


class ContextWords:
    """Finds the nearest of a recognizer's context words around a span (whole words, any case)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        ordered = sorted(words, key=len, reverse=True)
        self._re = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)", re.IGNORECASE
            )
            if ordered
            else None
        )

    def distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        if self._re is None:
            return None
        window_start = max(0, start - CONTEXT_BEFORE)
        best: int | None = None
        for match in self._re.finditer(text, window_start, start):
            best = start - match.end()  # the last match before the span is the nearest
        for match in self._re.finditer(text, end, min(len(text), end + CONTEXT_AFTER)):
            gap = match.start() - end
            best = gap if best is None else min(best, gap)
            break
        return best


class GerbangRecognizer(PatternRecognizer):
    """Base class: subclasses set ENTITY, PATTERNS and CONTEXT, and may validate matches."""

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    TRIGGER: ClassVar[re.Pattern[str] | None] = None
    CONTEXT_REQUIRED: ClassVar[bool] = False
    FLAGS: ClassVar[int] = regex.DOTALL | regex.MULTILINE
    PRIORITY: ClassVar[int] = 50  # breaks ties between overlapping findings of equal score

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=list(self.CONTEXT),
            supported_language="id",
            global_regex_flags=self.FLAGS,
        )
        self._context = ContextWords(self.CONTEXT)
        self._compiled = tuple(
            (pattern.name, pattern.score, regex.compile(pattern.regex, flags=self.FLAGS))
            for pattern in self.PATTERNS
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's pattern matching and validation, without its per-call bookkeeping.

        Same semantics as PatternRecognizer.analyze (validate_result False drops a match, True
        raises it to the maximum score; invalidate_result True drops it), minus the timing,
        debug logging and explanation objects it builds for every pattern and match: on a dense
        message that bookkeeping costs more than the matching. Regexes run with a timeout; on
        timeout DetectionTimeout is raised (fail closed) where Presidio would skip the pattern.
        """
        results: list[RecognizerResult] = []
        for pattern_name, score, compiled in self._compiled:
            try:
                matches = list(compiled.finditer(text, timeout=REGEX_TIMEOUT_S))
            except TimeoutError:
                # Presidio would skip the pattern and find nothing: that fails open. A message
                # that makes a pattern run this long is refused instead.
                raise DetectionTimeout(f"{type(self).__name__} ran out of time") from None
            for match in matches:
                start, end = match.span()
                if start == end:
                    continue
                matched = text[start:end]
                valid = self.validate_result(matched)
                if valid is False or self.invalidate_result(matched):
                    continue
                results.append(
                    RecognizerResult(
                        self.ENTITY,
                        start,
                        end,
                        self.MAX_SCORE if valid else score,
                        recognition_metadata={PATTERN_NAME: pattern_name},
                    )
                )
        return results

    def may_match(self, text: str) -> bool:
        """A cheap test: False means this recognizer cannot find anything in `text`."""
        return self.TRIGGER is None or self.TRIGGER.search(text) is not None

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        return self._context.distance(text, start, end)
