"""The detection engine: Gerbang's Presidio recognizers, run fast and offline.

Presidio's AnalyzerEngine runs an NLP pipeline and a lemma-based context enhancer over every
recognizer for every text; that machinery, not the regular expressions, is what makes stock
Presidio slow. The engine keeps Presidio's recognizers, patterns and validation, and replaces the
machinery around them: a recognizer runs only when its cheap trigger occurs in the text, context
words are looked up in a character window around each match, and overlapping findings are
resolved once at the end. Built once, it holds no per-call state, so threads may share it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from pii.entities import ENTITY_TYPES, LANGUAGES, category_of
from pii.findings import Finding
from pii.offline import ensure_offline
from pii.recognizers import default_recognizers
from pii.recognizers.base import CONTEXT_BOOST, Recognizer

DEFAULT_THRESHOLD = 0.5


class PiiEngineError(ValueError):
    """A bad argument to the engine (unknown language or entity type)."""


_NO_CONTEXT = 1 << 30


@dataclass(frozen=True, slots=True)
class _Candidate:
    finding: Finding
    priority: int
    context_distance: int


class PiiEngine:
    """Finds personal data in Indonesian and English text (and both mixed in one message)."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        ensure_offline()
        self._recognizers = tuple(recognizers if recognizers is not None else default_recognizers())
        self._threshold = threshold

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The entity types this engine can report."""
        return tuple(t for t in ENTITY_TYPES if any(t == r.ENTITY for r in self._recognizers))

    def analyze(
        self, text: str, language: str = "id", entities: Collection[str] | None = None
    ) -> list[Finding]:
        """Non-overlapping findings in `text`, ordered by position.

        `language` is "id" or "en"; the recognizers carry both languages' context words, so a
        message mixing both is handled either way. `entities` limits the types reported.
        """
        if language not in LANGUAGES:
            raise PiiEngineError(f"language must be one of {', '.join(LANGUAGES)}")
        if entities is not None and (unknown := set(entities) - set(ENTITY_TYPES)):
            raise PiiEngineError(f"unknown entity types: {', '.join(sorted(unknown))}")
        candidates: list[_Candidate] = []
        for recognizer in self._recognizers:
            if entities is not None and recognizer.ENTITY not in entities:
                continue
            if not recognizer.may_match(text):
                continue
            candidates.extend(self._run(recognizer, text))
        return _resolve_overlaps(candidates)

    def _run(self, recognizer: Recognizer, text: str) -> Iterable[_Candidate]:
        for result in recognizer.analyze(text, [recognizer.ENTITY]):
            score = result.score
            distance = recognizer.context_distance(text, result.start, result.end)
            if distance is not None:
                score = min(1.0, score + CONTEXT_BOOST)
            elif recognizer.CONTEXT_REQUIRED:
                continue
            if score < self._threshold:
                continue
            finding = Finding(
                type=result.entity_type,
                start=result.start,
                end=result.end,
                score=round(score, 4),
                recognizer=recognizer.name,
                category=category_of(result.entity_type),
            )
            yield _Candidate(
                finding, recognizer.PRIORITY, _NO_CONTEXT if distance is None else distance
            )


def _resolve_overlaps(candidates: list[_Candidate]) -> list[Finding]:
    """Keep the strongest of overlapping findings.

    Higher score first; then the finding whose context word stands nearer (`KK 3273...` is a KK
    number even when `NIK` appears earlier in the sentence); then the longer span; then priority.
    """
    ranked = sorted(
        candidates,
        key=lambda c: (
            -c.finding.score,
            c.context_distance,
            -(c.finding.end - c.finding.start),
            -c.priority,
            c.finding.start,
        ),
    )
    kept: list[Finding] = []
    for candidate in ranked:
        f = candidate.finding
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end))
