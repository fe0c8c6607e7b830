"""ID_NPWP: Nomor Pokok Wajib Pajak (tax number) in its three shapes.

- The old 15 digits in their punctuated layout `ST.sss.sss.C-OOO.BBB` (`01.234.567.4-901.000`),
  or the 16-digit form `0` + the old 15 in the same layout (`001.234.567.4-901.000`): reported
  without a context word, the layout and the check digit are distinctive enough.
- The same digits bare or with other separators (`012345674901000`, `0012345674901000`,
  `01 234 567 4 901 000`): only next to a tax word (`NPWP`, `nomor pokok wajib pajak`,
  `tax id`, `TIN`).
- Since PMK 112/2022 a resident's NPWP is the NIK: a valid NIK is reported as an NPWP only next to
  a tax word, and otherwise left to the NIK recognizer.

Validation is python-stdnum's `stdnum.id.npwp.is_valid` (the Luhn check digit over the first 9
digits of the old number); a NIK-shaped number must pass the NIK recognizer's checks instead
(district-level area code, birth date, serial: stricter than stdnum's NIK check). Tax words are
read as form labels (see `pii.recognizers.base.LabelContext`), so in
"NIK 3273012505900001, NPWP 3273012505900001" each number gets the type of its own label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from presidio_analyzer import Pattern, RecognizerResult
from stdnum.id import npwp

from pii.recognizers.base import (
    NOT_AFTER_NUMBER,
    NOT_BEFORE_NUMBER,
    PATTERN_NAME,
    SEPARATOR,
    ContextWords,
    GerbangRecognizer,
    LabelContext,
    digits,
    word_trie,
)
from pii.recognizers.nik import NIK_REGEX, valid_nik

# `ST.sss.sss.C-OOO.BBB`, optionally with the leading 0 of the 16-digit form.
_PUNCTUATED = r"0?\d{2}\.\d{3}\.\d{3}\.\d[\-.]\d{3}\.\d{3}"
NPWP_PUNCTUATED_REGEX = rf"{NOT_AFTER_NUMBER}{_PUNCTUATED}{NOT_BEFORE_NUMBER}"
# The same groups bare or with any single separators (15 digits, or 16 starting with 0); not the
# layout above, so that each number has one pattern and one rule about context.
NPWP_DIGITS_REGEX = (
    rf"{NOT_AFTER_NUMBER}(?!{_PUNCTUATED}{NOT_BEFORE_NUMBER})"
    rf"0?\d{{2}}{SEPARATOR}\d{{3}}{SEPARATOR}\d{{3}}{SEPARATOR}\d{SEPARATOR}\d{{3}}{SEPARATOR}\d{{3}}"
    rf"{NOT_BEFORE_NUMBER}"
)

TAX_WORDS = (
    "npwp", "no. npwp", "no npwp", "nomor npwp", "npwp16", "nomor pokok wajib pajak",
    "wajib pajak", "tax id", "tax identification number", "taxpayer id",
    "taxpayer identification number", "tax number", "tin",
)  # fmt: skip
# Patterns whose findings count only next to a tax word; they are not run without one.
_NEEDS_CONTEXT = frozenset({"npwp_digits", "npwp_nik"})
_TAX_WORD = re.compile(word_trie(TAX_WORDS, not_after=r"\w"))


def valid_npwp(number: str) -> bool:
    """True for a valid NPWP: the old 15 digits, `0` + those, or a valid NIK."""
    if len(number) == 16 and not number.startswith("0"):
        # stdnum checks this form as a NIK (province and birth date); ours also knows districts.
        return valid_nik(number)
    return bool(npwp.is_valid(number))


class NpwpRecognizer(GerbangRecognizer):
    """Finds NPWP tax numbers; validates the check digit (and the NIK rules for the NIK form)."""

    ENTITY = "ID_NPWP"
    PATTERNS = (
        Pattern("npwp_punctuated", NPWP_PUNCTUATED_REGEX, 0.6),
        Pattern("npwp_digits", NPWP_DIGITS_REGEX, 0.6),
        Pattern("npwp_nik", NIK_REGEX, 0.6),
    )
    CONTEXT = TAX_WORDS
    MIN_DIGITS = 15
    PATTERN_MIN_DIGITS: ClassVar[Mapping[str, int]] = {"npwp_nik": 16}
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "npwp_punctuated": re.compile(r"\d\.\d{3}\.\d{3}\.\d[\-.]\d{3}\.\d"),
        **dict.fromkeys(_NEEDS_CONTEXT, _TAX_WORD),
    }
    WINDOWED_TRIGGERS = frozenset({"npwp_punctuated"})  # the number itself, punctuated
    PRIORITY = 65  # above NIK (60): a NIK labelled `NPWP` is reported as the NPWP it also is

    def context_words(self) -> ContextWords:
        """Tax words read as form labels (see `LabelContext`)."""
        return LabelContext(self.CONTEXT)

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop the context-only shapes that have no tax word."""
        return [
            result
            for result in results
            if result.recognition_metadata.get(PATTERN_NAME) not in _NEEDS_CONTEXT
            or self.context_distance(text, result.start, result.end) is not None
        ]

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that fail the NPWP check; keep the pattern score otherwise."""
        return None if valid_npwp(digits(pattern_text)) else False
