"""ID_BPJS: BPJS Kesehatan / KIS card number (nomor kartu, `noka`), 13 digits.

Accepts the 13 digits bare (`0001234567890`, most start with 000) or in groups with one kind of
separator (`0001 2345 6789 0`, `0001-2345-67890`). The number has no check digit, so it is
reported only next to a health-insurance word: `BPJS`, `JKN`, `KIS`, `noka`, `no. kartu BPJS`,
`kartu indonesia sehat`, `askes`, `health insurance`. One digit repeated (`0000000000000`) is a
placeholder, not a card. A 13-digit mobile number (`0812...`) near `BPJS` is kept at a low score
(0.55) so that the phone recognizer's reading wins.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.bank_account import (
    demote_phone_shaped,
    digit_count_between,
    grouped_digits_regex,
)
from pii.recognizers.base import GerbangRecognizer, digits


class BpjsRecognizer(GerbangRecognizer):
    """Finds BPJS Kesehatan / KIS card numbers next to a health-insurance word."""

    ENTITY = "ID_BPJS"
    PATTERNS = (Pattern("bpjs", grouped_digits_regex(13, 13), 0.6),)
    CONTEXT = (
        "bpjs", "bpjs kesehatan", "no. bpjs", "nomor bpjs", "kartu bpjs", "no. kartu bpjs",
        "nomor kartu bpjs", "jkn", "jkn-kis", "kis", "kartu indonesia sehat", "noka",
        "no. kartu", "nomor kartu peserta", "askes", "health insurance", "insurance card",
        "national health insurance",
    )  # fmt: skip
    CONTEXT_REQUIRED = True
    MIN_DIGITS = 13
    PRIORITY = 55

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Mobile-number shapes at a low score."""
        return demote_phone_shaped(text, results)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject wrong lengths and placeholders; keep the pattern score otherwise."""
        return None if digit_count_between(digits(pattern_text), 13, 13) else False
