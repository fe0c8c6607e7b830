"""ID_BANK_ACCOUNT: bank account numbers, 10-16 digits, only next to a banking word.

Accepts the digits bare (`1234567890`) or in groups separated by one kind of separator, as banks
print them: BCA `123-456-7890`, Mandiri `123-00-1234567-8`, BRI `0123-01-012345-50-1`,
`1234 5678 90`. There is no public checksum, so a finding needs a banking word nearby (`rek`,
`rekening`, `no. rek`, `a.n.`, `atas nama`, a bank's name, `account number`, `acct`).

Rejected: amounts (`Rp 3.273.012.505`, or any dotted thousands grouping), numbers after a `+`,
and one digit repeated. Mobile-number shapes (`0812...`, `62 812...`) are kept at a low score
(0.55 with context) so that the phone recognizer's reading wins. The score with context (0.65)
stays below a validated identifier with its own context word (0.95), and the priority is the
lowest, so a NIK, KK or card number next to `a.n.` keeps its own type.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import NOT_BEFORE_NUMBER, GerbangRecognizer, digits

# A number starts here: not inside a longer one, not after a digit group and a separator (the
# tail of a number written in groups), not after `+` (an international phone number).
NOT_INSIDE_NUMBER = r"(?<![\d+])(?<!\d[ .\-])"
# Digits of an amount, not an account: Rp 3.273.012.505, IDR 1500000000, USD 25 000 000 000.
_NOT_AFTER_CURRENCY = r"(?<!(?:Rp|RP|rp|IDR|USD|US\$|\$)\.?\s?)"
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
# An Indonesian mobile number: 08[1-35-9]... or 62 8[1-35-9]...
PHONE_SHAPED = re.compile(r"08[1-35-9]|62[ .\-]?8[1-35-9]")
PHONE_SHAPED_SCORE = 0.2  # 0.55 with a context word: below the phone recognizer's 0.6


def grouped_digits_regex(min_digits: int, max_digits: int, *, not_after: str = "") -> str:
    """A number of `min_digits`-`max_digits` digits: bare, or in groups with one separator.

    The digit count of the grouped form (up to six groups) is left to validation. `not_after`
    is a further lookbehind, tested only where a number may start.
    """
    return (
        rf"{NOT_INSIDE_NUMBER}{not_after}"
        rf"(?:\d{{{min_digits},{max_digits}}}|\d{{1,6}}([ .\-])\d{{1,7}}(?:\1\d{{1,7}}){{0,4}})"
        rf"{NOT_BEFORE_NUMBER}"
    )


def digit_count_between(number: str, min_digits: int, max_digits: int) -> bool:
    """True when `number` has `min_digits`-`max_digits` digits, not all the same one."""
    return min_digits <= len(number) <= max_digits and len(set(number)) > 1


def demote_phone_shaped(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Lower findings that look like a mobile number to `PHONE_SHAPED_SCORE`.

    A context-only number recognizer (account, licence, card) keeps such a finding, so that it is
    still masked when no phone recognizer runs, but loses it to the phone recognizer's reading.
    """
    for result in results:
        if PHONE_SHAPED.match(text, result.start):
            result.score = min(result.score, PHONE_SHAPED_SCORE)
    return results


class BankAccountRecognizer(GerbangRecognizer):
    """Finds bank account numbers next to a banking word."""

    ENTITY = "ID_BANK_ACCOUNT"
    PATTERNS = (
        Pattern(
            "bank_account",
            grouped_digits_regex(10, 16, not_after=_NOT_AFTER_CURRENCY),
            0.3,
        ),
    )
    CONTEXT = (
        "rek", "rek.", "rekening", "no. rek", "no rek", "no. rekening", "nomor rekening",
        "norek", "a.n.", "a.n", "a/n", "atas nama", "transfer", "tf", "bank", "bca", "bni",
        "bri", "mandiri", "btn", "cimb", "cimb niaga", "danamon", "permata", "bsi",
        "bank syariah indonesia", "bjb", "bank jago", "jago", "seabank", "ocbc", "panin",
        "maybank", "bank mega", "btpn", "jenius", "muamalat", "account number", "account no",
        "bank account", "acct", "acc no", "a/c",
    )  # fmt: skip
    CONTEXT_REQUIRED = True
    MIN_DIGITS = 10
    PRIORITY = 10  # the lowest: any other reading of the same digits wins a tie

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Mobile-number shapes at a low score."""
        return demote_phone_shaped(text, results)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject amounts and impossible lengths; keep the pattern score otherwise."""
        if _THOUSANDS.fullmatch(pattern_text):
            return False
        return None if digit_count_between(digits(pattern_text), 10, 16) else False
