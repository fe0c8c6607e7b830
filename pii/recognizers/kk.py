"""ID_KK: Nomor Kartu Keluarga (family card number), 16 digits `PP RR DD DDMMYY SSSS`.

Accepts the same layouts as a NIK (`3273010101120003`, `3273 0101 0112 0003`,
`327301 010112 0003`, `32.73.01.010112.0003`). Validates a known (current or historical)
Kemendagri area code, an issue date DDMMYY that exists in 19yy or 20yy (no +40: the date is not a
birth date) and a serial other than 0000.

A KK number cannot be told from a man's NIK by its digits, so it is reported only next to a KK
word (`KK`, `No. KK`, `NKK`, `kartu keluarga`, `family card`). Words are read as form labels:
a word before the number counts before one after it, and the spaces and label punctuation
between a label and its value (`No. KK : 3273...`) do not count as distance. So in
"NIK saya 3273012505900001, KK 3273010101120003" the first number stays a NIK (its KK word comes
after it and loses to the NIK label before it) and the second is a KK number.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from pii.recognizers.base import ContextWords, GerbangRecognizer, LabelContext, digits
from pii.recognizers.nik import NIK_REGEX, valid_birth_date
from pii.regions import is_known_area


def valid_kk(number: str) -> bool:
    """True for a structurally valid KK number (area, issue date, serial)."""
    return (
        len(number) == 16
        and is_known_area(number[:6])
        and valid_birth_date(number[6:12], female_offset=False)
        and number[12:] != "0000"
    )


class KkRecognizer(GerbangRecognizer):
    """Finds KK numbers next to a KK word; validates area code, issue date and serial."""

    ENTITY = "ID_KK"
    PATTERNS = (Pattern("kk", NIK_REGEX, 0.6),)
    CONTEXT = (
        "kk", "no. kk", "no kk", "nomor kk", "nkk", "no. nkk", "kartu keluarga",
        "nomor kartu keluarga", "no. kartu keluarga", "family card", "family card number",
        "family register", "family registration number",
    )  # fmt: skip
    CONTEXT_REQUIRED = True
    MIN_DIGITS = 16
    PRIORITY = 70  # above NIK (60): equal score and equal distance make it a KK number

    def context_words(self) -> ContextWords:
        """KK words read as form labels (see `LabelContext`)."""
        return LabelContext(self.CONTEXT)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that cannot be a KK number; keep the pattern score otherwise."""
        return None if valid_kk(digits(pattern_text)) else False
