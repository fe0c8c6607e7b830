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

from pii.recognizers.bank_account import (
    demote_phone_shaped,
    digit_count_between,
    grouped_digits_regex,
)
from pii.recognizers.base import ContextWords, GerbangRecognizer, LabelContext, digits

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


def valid_sim(number: str) -> bool:
    """True for 12-14 digits starting with a birth YYMM (month 01-12), not one digit repeated."""
    return digit_count_between(number, 12, 14) and 1 <= int(number[2:4]) <= 12


class SimRecognizer(GerbangRecognizer):
    """Finds driving licence numbers next to a SIM word (not a SIM card word)."""

    ENTITY = "ID_SIM"
    PATTERNS = (Pattern("sim", grouped_digits_regex(12, 14), 0.6),)
    # For Presidio's metadata; context is found with `SIM_CONTEXT`, which knows SIM cards.
    CONTEXT = ("sim", "no. sim", "nomor sim", *_PHRASES)
    CONTEXT_REQUIRED = True
    MIN_DIGITS = 12
    PRIORITY = 55

    def context_words(self) -> ContextWords:
        """SIM words that mean a driving licence, read as form labels (see `LabelContext`)."""
        return LabelContext(("sim", *_PHRASES), pattern=SIM_CONTEXT)

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Mobile-number shapes at a low score."""
        return demote_phone_shaped(text, results)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject wrong lengths and impossible birth months; keep the pattern score otherwise."""
        return None if valid_sim(digits(pattern_text)) else False
