"""ID_NIK: Nomor Induk Kependudukan, 16 digits `PP RR DD DDMMYY SSSS`.

Validated, not just matched: a known (current or historical) Kemendagri area code, a birth date
that exists (day + 40 for women; 19yy or 20yy), and a serial other than 0000. Written with
spaces, dots or dashes between groups too. Without a context word the score stays below a
validated match with one, so a KK number with `KK` next to it wins over this reading.
"""

from __future__ import annotations

import datetime

from presidio_analyzer import Pattern

from pii.recognizers.base import (
    NOT_AFTER_NUMBER,
    NOT_BEFORE_NUMBER,
    SEPARATOR,
    GerbangRecognizer,
    digits,
)
from pii.regions import is_known_area

# 16 digits; a separator may follow any pair up to the serial: 3273012505900001,
# 3273 0125 0590 0001, 327301 250590 0001, 32.73.01.250590.0001. Not part of a longer number.
NIK_REGEX = (
    rf"{NOT_AFTER_NUMBER}\d{{2}}(?:{SEPARATOR}\d{{2}}){{5}}{SEPARATOR}\d{{4}}{NOT_BEFORE_NUMBER}"
)


def valid_birth_date(ddmmyy: str, *, female_offset: bool) -> bool:
    """True when DDMMYY (day + 40 allowed when `female_offset`) is a real date in 19yy or 20yy."""
    day, month, year = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    if female_offset and day > 40:
        day -= 40
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def valid_nik(number: str) -> bool:
    """True for a structurally valid NIK (area, birth date, serial)."""
    return (
        len(number) == 16
        and is_known_area(number[:6])
        and valid_birth_date(number[6:12], female_offset=True)
        and number[12:] != "0000"
    )


class NikRecognizer(GerbangRecognizer):
    """Finds NIKs; validates area code, birth date and serial."""

    ENTITY = "ID_NIK"
    PATTERNS = (Pattern("nik", NIK_REGEX, 0.6),)
    CONTEXT = (
        "nik", "no. ktp", "no ktp", "nomor ktp", "ktp", "e-ktp", "ektp",
        "nomor induk kependudukan", "nomor induk", "identity number", "id number",
        "national id", "kependudukan",
    )  # fmt: skip
    MIN_DIGITS = 16
    PRIORITY = 60

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that cannot be a NIK; keep the pattern score otherwise."""
        return None if valid_nik(digits(pattern_text)) else False
