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

import re

from presidio_analyzer import Pattern

from pii.recognizers.base import CONTEXT_AFTER, CONTEXT_BEFORE, GerbangRecognizer, digits
from pii.recognizers.nik import NIK_REGEX, valid_birth_date
from pii.regions import is_known_area

# What may stand between a label and its value without making the value farther from it.
_LABEL_FILLER = re.compile(r"[\s:=#.\-]+")

KK_TRIGGER = re.compile(r"\d{4}")


def valid_kk(number: str) -> bool:
    """True for a structurally valid KK number (area, issue date, serial)."""
    return (
        len(number) == 16
        and is_known_area(number[:6])
        and valid_birth_date(number[6:12], female_offset=False)
        and number[12:] != "0000"
    )


class LabelContext:
    """Context words read as the label of a value, as in forms and chat messages.

    The distance to the nearest label before the span counts the characters between them other
    than spaces and label punctuation (`NPWP: 01.234...` is at distance 0). A word after the span
    counts only when there is none before it, and then as farther away than any label before a
    span (`CONTEXT_BEFORE` plus the gap), so that a value's own label wins over the label of the
    value that follows it.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self._re = pattern

    @classmethod
    def of_words(cls, words: tuple[str, ...]) -> LabelContext:
        """Whole words or phrases, any case (the longest alternative first)."""
        ordered = sorted(words, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, ordered))
        return cls(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))

    def distance(self, text: str, start: int, end: int) -> int | None:
        """Distance from the span to its label, or None when no context word is near."""
        last_before: re.Match[str] | None = None
        for match in self._re.finditer(text, max(0, start - CONTEXT_BEFORE), start):
            last_before = match
        if last_before is not None:
            return len(_LABEL_FILLER.sub("", text[last_before.end() : start]))
        after = self._re.search(text, end, min(len(text), end + CONTEXT_AFTER))
        if after is not None:
            return CONTEXT_BEFORE + after.start() - end
        return None


class KkRecognizer(GerbangRecognizer):
    """Finds KK numbers next to a KK word; validates area code, issue date and serial."""

    ENTITY = "ID_KK"
    PATTERNS = (Pattern("kk", NIK_REGEX, 0.6),)
    CONTEXT = (
        "kk", "no. kk", "no kk", "nomor kk", "nkk", "no. nkk", "kartu keluarga",
        "nomor kartu keluarga", "no. kartu keluarga", "family card", "family card number",
        "family register", "family registration number",
    )  # fmt: skip
    TRIGGER = KK_TRIGGER
    CONTEXT_REQUIRED = True
    PRIORITY = 70  # above NIK (60): equal score and equal distance make it a KK number

    def __init__(self) -> None:
        super().__init__()
        self._labels = LabelContext.of_words(self.CONTEXT)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that cannot be a KK number; keep the pattern score otherwise."""
        return None if valid_kk(digits(pattern_text)) else False

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Distance to the nearest KK label, read as in a form (see `LabelContext`)."""
        return self._labels.distance(text, start, end)
