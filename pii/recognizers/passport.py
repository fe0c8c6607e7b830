"""ID_PASSPORT: passport numbers, only next to a passport word.

Accepts the Indonesian layout, one capital letter and 7 digits (`A1234567`, `X 1234567`), and
two capital letters with 6 or 7 digits (older books and many foreign passports, `AB1234567`).
Nothing in the number can be checked, so it is reported only near `paspor`, `passport`,
`no. paspor` or `nomor paspor`. Letters must be capitals (as printed); the pairs `RP` and `NO`
are an amount and a label, not a series; all zeros is a placeholder.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from pii.recognizers.base import GerbangRecognizer, digits

# One alternation-free pattern (the regex engine scans it far faster); `validate_result` then
# requires seven digits after a single letter.
PASSPORT_REGEX = r"(?<![A-Za-z0-9])(?!RP|NO)[A-Z]{1,2} ?\d{6,7}(?![A-Za-z0-9])(?![.,\-]\d)"

PASSPORT_TRIGGER = re.compile(r"\d{6}")


class PassportRecognizer(GerbangRecognizer):
    """Finds passport numbers next to a passport word."""

    ENTITY = "ID_PASSPORT"
    PATTERNS = (Pattern("passport", PASSPORT_REGEX, 0.6),)
    CONTEXT = (
        "paspor", "no. paspor", "no paspor", "nomor paspor", "passport", "passport no",
        "passport no.", "passport number", "no. passport", "nomor passport", "pasport",
    )  # fmt: skip
    TRIGGER = PASSPORT_TRIGGER
    CONTEXT_REQUIRED = True
    PRIORITY = 55

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject a single letter with 6 digits, and placeholders; keep the score otherwise."""
        number = digits(pattern_text)
        one_letter = not pattern_text[1].isalpha()
        if (one_letter and len(number) != 7) or set(number) == {"0"}:
            return False
        return None
