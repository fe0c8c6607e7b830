"""CREDIT_CARD: payment card numbers, 13-19 digits, whole or in groups.

Accepted layouts: contiguous (`4111111111111111`), groups of four separated by spaces or dashes
(`4111 1111 1111 1111`, `6011-0000-0000-0004-123`) and the 4-6-5 / 4-6-4 layouts of Amex and
Diners (`3782 822463 10005`).

Validation: the Luhn check digit, and an issuer prefix (IIN) with a length that issuer uses:
Visa 4 (13, 16, 19); Mastercard 51-55 and 2221-2720 (16); Amex 34, 37 (15); JCB 3528-3589 (16-19);
Diners 300-305, 3095, 36, 38, 39 (14, 16-19); Maestro 50, 56-58 (16-19); and 6 (16-19) for
Discover, UnionPay, Maestro and domestic debit schemes. GPN (Gerbang Pembayaran Nasional) debit
cards carry their issuing bank's IIN and are covered when it falls in these ranges. RuPay's 81/82
range is left out: it collides with the NIKs of Maluku.

NIK collisions: NIKs of provinces 35, 36, 51-53 and 61-65 start like card numbers and one in ten
passes Luhn by chance. A 16-digit number that is also a structurally valid NIK or KK number
(`pii.recognizers.nik.valid_nik`), or that has a NIK context word (`NIK`, `KTP`...) near it, is
reported as a card only when a card context word (kartu kredit, credit card, CC, visa,
mastercard...) is near it on the same line too; the engine then picks between the card and the NIK
reading by score and by which context word stands nearer.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    ContextWords,
    GerbangRecognizer,
    digits,
)
from pii.recognizers.nik import NikRecognizer, valid_nik

_LEFT = r"(?<!\w)(?<!\w[.\-])"
_RIGHT = r"(?!\w)(?![.\-]\w)"
CARD_REGEX = (
    rf"{_LEFT}(?:\d{{4}}(?:[ \-]?\d{{4}}){{2}}(?:[ \-]?\d{{1,4}}){{1,2}}"
    rf"|\d{{4}}[ \-]?\d{{6}}[ \-]?\d{{4,5}}){_RIGHT}"
)

# (first digits, lengths): the issuer ranges accepted, most specific first is not needed.
_ISSUERS: tuple[tuple[tuple[int, int], frozenset[int]], ...] = (
    ((4, 4), frozenset({13, 16, 19})),  # Visa
    ((51, 55), frozenset({16})),  # Mastercard
    ((2221, 2720), frozenset({16})),  # Mastercard 2-series
    ((34, 34), frozenset({15})),  # Amex
    ((37, 37), frozenset({15})),  # Amex
    ((3528, 3589), frozenset({16, 17, 18, 19})),  # JCB
    ((300, 305), frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ((3095, 3095), frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ((36, 36), frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ((38, 39), frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ((50, 50), frozenset({16, 17, 18, 19})),  # Maestro
    ((56, 58), frozenset({16, 17, 18, 19})),  # Maestro
    ((6, 6), frozenset({16, 17, 18, 19})),  # Discover, UnionPay, Maestro, GPN debit
)


_ISSUER_WIDTHS = tuple((bounds, lengths, len(str(bounds[0]))) for bounds, lengths in _ISSUERS)


def luhn_valid(number: str) -> bool:
    """True when the last digit of `number` is its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def known_issuer(number: str) -> bool:
    """True when `number` starts with an accepted issuer prefix and has that issuer's length."""
    length = len(number)
    for (low, high), lengths, width in _ISSUER_WIDTHS:
        if length in lengths and low <= int(number[:width]) <= high:
            return True
    return False


def valid_card(number: str) -> bool:
    """True for a Luhn-valid number of 13-19 digits with a known issuer prefix."""
    return 13 <= len(number) <= 19 and known_issuer(number) and luhn_valid(number)


class CreditCardRecognizer(GerbangRecognizer):
    """Finds payment card numbers (Luhn, issuer prefix); defers to the NIK reading without card
    context."""

    ENTITY = "CREDIT_CARD"
    PATTERNS = (Pattern("credit_card", CARD_REGEX, 0.6),)
    CONTEXT = (
        "kartu kredit", "kartu debit", "kartu atm", "kartu gpn", "credit card", "debit card",
        "card number", "card no", "cc", "kredit", "debit", "visa", "mastercard", "master card",
        "amex", "american express", "jcb", "unionpay", "diners", "maestro", "gpn", "cvv", "cvc",
    )  # fmt: skip
    MIN_DIGITS = 13
    PRIORITY = 50

    def __init__(self) -> None:
        super().__init__()
        self._nik_context = ContextWords(NikRecognizer.CONTEXT)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that fail Luhn or have no known issuer prefix."""
        return None if valid_card(digits(pattern_text)) else False

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop card numbers that read as a NIK and have no card context."""
        return [r for r in results if not self._nik_reading_wins(text, r.start, r.end)]

    def _nik_reading_wins(self, text: str, start: int, end: int) -> bool:
        number = digits(text[start:end])
        if len(number) != 16:
            return False
        if not (valid_nik(number) or self._nik_context.distance(text, start, end) is not None):
            return False
        # Card context on the number's own line only: in a form, the next line's label
        # (`NIK : ...` above `Kartu Kredit : ...`) belongs to the next field.
        line_start = text.rfind("\n", max(0, start - CONTEXT_BEFORE), start) + 1
        line_start = max(line_start, start - CONTEXT_BEFORE)
        line_end = text.find("\n", end, end + CONTEXT_AFTER)
        if line_end < 0:
            line_end = min(len(text), end + CONTEXT_AFTER)
        line = text[line_start:line_end]
        return self.context_distance(line, start - line_start, end - line_start) is None
