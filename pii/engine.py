"""The detection engine: Gerbang's Presidio recognizers, run fast and offline.

Presidio's AnalyzerEngine runs an NLP pipeline and a lemma-based context enhancer over every
recognizer for every text; that machinery, not the regular expressions, is what makes stock
Presidio slow. The engine keeps Presidio's recognizers, patterns and validation, and replaces the
machinery around them: each text is read once into a `TextScan` the recognizers share, a
recognizer runs only when what it needs occurs in the text (a long enough number, a trigger word,
a context word: tested for all recognizers at once), context words are looked up in a character
window around each match, and overlapping findings are resolved once at the end. None of these
shortcuts changes a finding (`shortcuts=False` runs without them). Built once, it holds no
per-call state, so threads may share it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from mypy_extensions import mypyc_attr
from presidio_analyzer import RecognizerResult

from pii.entities import ENTITY_TYPES, LANGUAGES, category_of
from pii.findings import Finding
from pii.offline import ensure_offline
from pii.recognizers import default_recognizers
from pii.recognizers.base import (
    CONTEXT_BOOST,
    REGEX_TIMEOUT_S,
    GerbangRecognizer,
    KeywordGate,
    Recognizer,
    TextScan,
)

DEFAULT_THRESHOLD = 0.5

# Run once when an engine is built, so that the tables the recognizers load on first use (area
# codes, phone metadata, the public suffix list) are in memory before the first real message.
# Synthetic values only.
_WARM_UP_TEXT = (
    "NIK 3273012505900001, 3273990101900001, KK 3273010101120003, NPWP 01.234.567.4-901.000, "
    "NIP 19670110 199203 1 001, HP 0812-3456-7890, telp (022) 730 1234, +44 20 7946 0958, "
    "budi@contoh.co.id, kartu kredit 4111 1111 1111 1111, IP 203.0.113.7, "
    "lahir 12 Mei 1990, Jl. Merdeka No. 10 RT 03/RW 04 Bandung 40111, saya menderita diabetes"
)


class PiiEngineError(ValueError):
    """A bad argument to the engine (unknown language or entity type)."""


_NO_CONTEXT = 1 << 30


@dataclass(frozen=True, slots=True, init=False)
class _Candidate:
    finding: Finding
    priority: int
    context_distance: int

    def __init__(self, finding: Finding, priority: int, context_distance: int) -> None:
        object.__setattr__(self, "finding", finding)  # direct stores when compiled (see Finding)
        object.__setattr__(self, "priority", priority)
        object.__setattr__(self, "context_distance", context_distance)


def _always(scan: TextScan) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _Runner:
    """How the engine runs one recognizer on a shared `TextScan`.

    Before `triggered` and `find` are called, the engine tests the gates it can test for many
    recognizers at once: the longest number's digits against `min_digits`, and the keywords
    found in the text against `trigger_words` and `context_words`, the lowercase words one of
    which the recognizer needs, or None (on a text with letters that fold differently, see
    `TextScan.has_folding_letters`, `trigger_words_occur` and `context_may_occur` instead).
    """

    recognizer: Recognizer
    min_digits: int
    trigger_words: frozenset[str] | None
    context_words: frozenset[str] | None
    trigger_words_occur: Callable[[TextScan], bool]  # the trigger word test with folding letters
    context_may_occur: Callable[[TextScan], bool]  # the context test with folding letters
    triggered: Callable[[TextScan], bool]
    find: Callable[[TextScan], list[RecognizerResult]]
    declared_triggers: Callable[[TextScan], bool]  # the recognizer's own tests, no shortcuts
    context_distance: Callable[[TextScan, int, int], int | None]

    @classmethod
    def of(cls, recognizer: Recognizer) -> _Runner:
        """Gerbang's recognizers share the scan and the gates; any other runs on the text alone."""
        entities = [recognizer.ENTITY]

        def may_match(scan: TextScan) -> bool:
            return recognizer.may_match(scan.text)

        def analyze(scan: TextScan) -> list[RecognizerResult]:
            return recognizer.analyze(scan.text, entities)

        def context_distance(scan: TextScan, start: int, end: int) -> int | None:
            return recognizer.context_distance(scan.text, start, end)

        if not isinstance(recognizer, GerbangRecognizer):
            return cls(
                recognizer,
                0,
                None,
                None,
                _always,
                _always,
                may_match,
                analyze,
                may_match,
                context_distance,
            )
        words = recognizer.TRIGGER_WORDS
        context = recognizer.required_context_words
        # A subclass that overrides `analyze` (not `refine`) keeps its own entry point.
        own_analyze = type(recognizer).analyze is not GerbangRecognizer.analyze
        return cls(
            recognizer,
            recognizer.MIN_DIGITS,
            frozenset(words) if words else None,
            frozenset(context) if context is not None else None,
            recognizer.trigger_words_occur,
            recognizer.context_may_occur if context is not None else _always,
            recognizer.triggered,
            analyze if own_analyze else recognizer.find,
            recognizer.declared_triggers,
            recognizer.context_distance_in,
        )


@mypyc_attr(allow_interpreted_subclasses=True)  # compiled (setup.py); subclassing stays open
class PiiEngine:
    """Finds personal data in Indonesian and English text (and both mixed in one message)."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        regex_timeout: float = REGEX_TIMEOUT_S,
        shortcuts: bool = True,
    ) -> None:
        """`regex_timeout` is the time one pattern may take on one text (seconds); past it,
        `analyze` raises DetectionTimeout rather than report a text unscanned. `shortcuts`
        False runs each recognizer whose declared triggers occur, every pattern on all of the
        text: the same findings, slower (a reference for tests)."""
        ensure_offline()
        if regex_timeout <= 0:
            raise PiiEngineError("regex_timeout must be positive")
        self._recognizers = tuple(recognizers if recognizers is not None else default_recognizers())
        gate_words: list[str] = []
        for recognizer in self._recognizers:
            if isinstance(recognizer, GerbangRecognizer):
                gate_words += recognizer.TRIGGER_WORDS
                gate_words += recognizer.required_context_words or ()
                gate_words += recognizer.GATE_WORDS
        self._gate = KeywordGate(gate_words)
        self._runners = tuple(_Runner.of(r) for r in self._recognizers)
        self._threshold = threshold
        self._regex_timeout = regex_timeout
        self._shortcuts = shortcuts
        self._analyze(TextScan(_WARM_UP_TEXT, shortcuts=shortcuts, gate=self._gate), None)

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
        Raises DetectionTimeout when a pattern runs out of time on the text.
        """
        if language not in LANGUAGES:
            raise PiiEngineError(f"language must be one of {', '.join(LANGUAGES)}")
        if entities is not None and (unknown := set(entities) - set(ENTITY_TYPES)):
            raise PiiEngineError(f"unknown entity types: {', '.join(sorted(unknown))}")
        scan = TextScan(text, self._regex_timeout, shortcuts=self._shortcuts, gate=self._gate)
        return self._analyze(scan, entities)

    def _analyze(self, scan: TextScan, entities: Collection[str] | None) -> list[Finding]:
        candidates: list[_Candidate] = []
        if not scan.shortcuts:
            for runner in self._runners:
                wanted = entities is None or runner.recognizer.ENTITY in entities
                if wanted and runner.declared_triggers(scan):
                    candidates.extend(self._run(runner, scan))
            return _resolve_overlaps(candidates)
        max_digits = scan.max_digits
        # A scan made without this engine's gate would report no keywords: search it here.
        keywords = scan.keywords if scan.gate is self._gate else self._gate.found(scan.lower)
        folding = scan.has_folding_letters  # then the keyword set alone could miss a word
        for runner in self._runners:
            if entities is not None and runner.recognizer.ENTITY not in entities:
                continue
            if runner.min_digits > max_digits:
                continue
            if runner.trigger_words is not None and (
                not runner.trigger_words_occur(scan)
                if folding
                else keywords.isdisjoint(runner.trigger_words)
            ):
                continue
            if runner.context_words is not None and (
                not runner.context_may_occur(scan)
                if folding
                else keywords.isdisjoint(runner.context_words)
            ):
                continue
            if runner.triggered(scan):
                candidates.extend(self._run(runner, scan))
        return _resolve_overlaps(candidates)

    def _run(self, runner: _Runner, scan: TextScan) -> Iterable[_Candidate]:
        recognizer = runner.recognizer
        for result in runner.find(scan):
            score = result.score
            distance = runner.context_distance(scan, result.start, result.end)
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
