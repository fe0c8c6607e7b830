"""ID_PASSPORT: passport numbers, only next to a passport word.

Accepted shapes (a space may follow the letters):
- one letter and 7 digits: Indonesia (`A1234567`, `X 1234567`), India, Australia (`N1234567`);
- one letter and 8 digits: Malaysia (`A12345678`), China (`E12345678`), South Korea;
- one letter, 7 digits and a check letter: Singapore and the Philippines (`P1234567A`);
- two capital letters and 6 or 7 digits: older books and many foreign passports (`AB1234567`).

Nothing in the number can be checked, so it is reported only near `paspor`, `passport`,
`no. paspor` or `nomor paspor`. A single leading letter may be lower case, as typed in chat
(`paspor sy a1234567`); two-letter series and check letters must be capitals, as printed. `RP`,
`NO`, `HP` and `WA` are an amount and labels, not a series; all zeros is a placeholder. All-digit
numbers (US, UK: 9 digits) are not reported: without a letter they cannot be told from amounts
and reference numbers next to the same words.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from pii.recognizers.base import GerbangRecognizer

# One alternation-free pattern (the regex engine scans it far faster); `validate_result` then
# checks which letters go with how many digits.
PASSPORT_REGEX = r"(?<![A-Za-z0-9])[A-Za-z]{1,2} ?\d{6,8}[A-Za-z]?(?![A-Za-z0-9])(?![.,\-]\d)"
PASSPORT_TRIGGER = re.compile(r"\d{6}")
# Every passport context word contains one of these: without them nothing can be reported.
PASSPORT_WORD = re.compile(r"pas+por", re.IGNORECASE)

_PARTS = re.compile(r"([A-Za-z]{1,2}) ?(\d+)([A-Za-z]?)")
NOT_SERIES: frozenset[str] = frozenset({"RP", "NO", "HP", "WA"})


def valid_passport(number: str) -> bool:
    """True when `number` has one of the accepted passport shapes (see the module docstring)."""
    parts = _PARTS.fullmatch(number)
    if parts is None:
        return False
    series, serial, check = parts.groups()
    if series.upper() in NOT_SERIES or set(serial) == {"0"}:
        return False
    if len(series) == 2:
        return series.isupper() and len(serial) in (6, 7) and not check
    if check:
        return series.isupper() and check.isupper() and len(serial) == 7
    return len(serial) in (7, 8)


class PassportRecognizer(GerbangRecognizer):
    """Finds passport numbers next to a passport word."""

    ENTITY = "ID_PASSPORT"
    PATTERNS = (Pattern("passport", PASSPORT_REGEX, 0.6),)
    CONTEXT = (
        "paspor", "no. paspor", "no paspor", "nomor paspor", "passport", "passport no",
        "passport no.", "passport number", "no. passport", "nomor passport", "pasport",
        "paspornya", "pasportnya",
    )  # fmt: skip
    TRIGGER = PASSPORT_TRIGGER
    CONTEXT_REQUIRED = True
    PRIORITY = 55

    def may_match(self, text: str) -> bool:
        """Six digits in a row and a passport word: a finding needs both."""
        return PASSPORT_TRIGGER.search(text) is not None and PASSPORT_WORD.search(text) is not None

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject shapes no passport has, labels and placeholders; keep the score otherwise."""
        return None if valid_passport(pattern_text) else False
