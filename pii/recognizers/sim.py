"""ID_SIM: Surat Izin Mengemudi (driving licence) numbers, 12-14 digits, only near a SIM word.

Accepts the digits bare (`900812345678`) or in groups with one kind of separator
(`9008-1234-567890`, `9008 1234 5678`). The first four digits are the holder's birth year and
month (YYMM): the month must be 01-12. One digit repeated is a placeholder, not a licence.

There is no check digit, so a finding needs a SIM word: `SIM` (also `SIM A`, `SIM C`, ...),
`no. SIM`, `surat izin mengemudi`, `driving licence/license`, `driver's license`. `SIM` that means
a phone's SIM card does not count: `kartu SIM`, `SIM card`, `dual SIM`, `slot SIM`, `SIM 1`/`SIM 2`,
`SIM Telkomsel` (and other operators), nor the information system `SIM RS`. A mobile-number shape
(`0812-3456-7890`) near `SIM` is kept at a low score (0.55) so that the phone recognizer wins.

Since mid-2024 new licences carry the holder's NIK as their number; those 16 digits are reported
by the NIK recognizer as ID_NIK.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pii.recognizers.bank_account import (
    demote_phone_shaped,
    digit_count_between,
    grouped_digits_regex,
)
from pii.recognizers.base import GerbangRecognizer, digits
from pii.recognizers.kk import LabelContext

_OPERATORS = r"telkomsel|simpati|indosat|im3|xl|axis|tri|three|smartfren|by\.u"
# `SIM` as a driving licence: not a phone's SIM card, not an information system (`SIM RS`).
_SIM_WORD = (
    r"(?<!kartu )(?<!dual )(?<!slot )sim"
    r"(?![ \-]?card)(?!\s?[12](?!\d))"
    rf"(?!\s+(?:{_OPERATORS})\b)(?![ \-]?rs\b)"
)
_PHRASES = (
    "surat izin mengemudi", "surat ijin mengemudi", "driving licence", "driving license",
    "driver's license", "driver's licence", "drivers license", "driver license",
)  # fmt: skip
SIM_CONTEXT = re.compile(
    r"(?<!\w)(?:" + "|".join(map(re.escape, _PHRASES)) + "|" + _SIM_WORD + r")(?!\w)",
    re.IGNORECASE,
)

SIM_TRIGGER = re.compile(r"\d{2}")  # 12 digits in at most six groups


def valid_sim(number: str) -> bool:
    """True for 12-14 digits starting with a birth YYMM (month 01-12), not one digit repeated."""
    return digit_count_between(number, 12, 14) and 1 <= int(number[2:4]) <= 12


class SimRecognizer(GerbangRecognizer):
    """Finds driving licence numbers next to a SIM word (not a SIM card word)."""

    ENTITY = "ID_SIM"
    PATTERNS = (Pattern("sim", grouped_digits_regex(12, 14), 0.6),)
    # For Presidio's metadata; `context_distance` reads `SIM_CONTEXT`, which knows SIM cards.
    CONTEXT = ("sim", "no. sim", "nomor sim", *_PHRASES)
    TRIGGER = SIM_TRIGGER
    CONTEXT_REQUIRED = True
    PRIORITY = 55

    def __init__(self) -> None:
        super().__init__()
        self._labels = LabelContext(SIM_CONTEXT)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's pattern matching; mobile-number shapes at a low score."""
        return demote_phone_shaped(
            text, super().analyze(text, entities, nlp_artifacts, regex_flags)
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject wrong lengths and impossible birth months; keep the pattern score otherwise."""
        return None if valid_sim(digits(pattern_text)) else False

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Distance to the nearest SIM word that means a driving licence."""
        return self._labels.distance(text, start, end)
