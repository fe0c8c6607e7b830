"""PHONE_NUMBER: Indonesian mobile and landline numbers, and international numbers with `+`.

Accepted forms (spaces, dots, dashes and parentheses between digit groups):
- mobile, no context needed: `0812-3456-7890`, `0812 3456 7890`, `(0812) 3456 7890`, `62812...`,
  `+62 812-3456-7890`, `+62 (0) 812...`, `(+62) 812...`, `wa.me/6281234567890`;
- landline `(022) 730 1234`, `021-5551234`: only next to a context word (telp, telepon, tel,
  phone, HP, WA, hubungi, kontak, nomor...), because a bare `021-5551234` is as likely a code;
- international with `+` and a real country code: `+44 20 7946 0958`, `+62 21 5551234`.

Validation: Google's libphonenumber (`phonenumbers`, region ID) must call the number valid and of
the type the form promises (a mobile form must be a mobile number, a landline form a fixed line).
Numbers that are not personal are rejected: toll-free (0800), premium rate, shared cost and
universal access numbers (1500-xxx call centres); the short codes 112, 110 and 14xxx never match
because every accepted form starts with `0`, `62` or `+`, and service numbers behind an area code
(`021-14017`, `(021) 1500 123`: a subscriber number starting with 1) are rejected too. A number
glued to letters, to a dash or underscore after a word (GUIDs, hashes, order numbers like
`INV-0812...`), or to more digits (a longer number, `4111 0812 ...`) is not a phone number, and
a landline followed by an extension (`(024) 6349966 ext. 105`, `psw. 12`) is a switchboard's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberType
from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import GerbangRecognizer, digits

# Between digit groups: a space, dot or dash, or a parenthesis with an optional one of those.
_SEP = r"(?:[ .\-]|\)[ .\-]?|[ .\-]?\()?"
# Not glued to a word, `+` or `#`, to `word-`/`word_` (GUID groups, order numbers like
# `INV-0812...`), to `1.`/`1,` (decimals) or to a preceding group of digits (`4111 0812...`).
# A slash is fine: `0812.../0813...` lists two numbers, `wa.me/62812...` is a WhatsApp link.
_LEFT = r"(?<![\w+#])(?<!\w[\-_])(?<!\d[.,])(?<!\d )"
# Up to two of these between the first groups (what `_SEP` can be).
_GAP = r"[ .\-()]{0,2}"


def _left_of(first: str) -> str:
    """`_LEFT` tested after the number's first character `first` (so a pattern opens with it)."""
    return rf"(?<![\w+#]{first})(?<!\w[\-_]{first})(?<!\d[.,]{first})(?<!\d {first})"


# ... and the same after the number, where a full stop may meet the next sentence's first letter
# (`HP 081234567890.Terima kasih`, typed without a space) but not a digit (`0812.5`).
_RIGHT = r"(?!\w)(?![\-_]\w)(?![.,]\d)(?! \d)"

# A parenthesis opens the number only around its first group: `(0812) 3456 7890`, `(+62) 812...`;
# in `(0812 3456 7890)` the parentheses stay outside the span.
MOBILE_REGEX = rf"{_LEFT}(?:62|0|\((?=0\d{{2,4}}\))0){_SEP}8[1-35-9](?:{_SEP}\d){{7,10}}{_RIGHT}"
LANDLINE_REGEX = rf"{_LEFT}(?:\(0[2-79]\d{{1,3}}\)|0[2-79]\d{{1,3}})(?:{_SEP}\d){{5,8}}{_RIGHT}"
INTERNATIONAL_REGEX = rf"{_LEFT}(?:\(\+\d{{1,3}}\)|\+\d{{1,3}})(?:{_SEP}\d){{6,13}}{_RIGHT}"

# Numbers that reach an institution, not a person.
_NOT_PERSONAL = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.UNKNOWN,
    }
)
# An extension after a landline means a switchboard: `(024) 6349966 ext. 105`, `psw. 12`.
_EXTENSION_AFTER = re.compile(
    r"[ \t]*,?[ \t]*(?:ext|extension|ekst|psw|pes|pesawat)\.?[ \t]*\d", re.I
)
_MOBILE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_FIXED = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            if depth > 1:
                return False
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _indonesian_national_pattern() -> re.Pattern[str]:
    """What libphonenumber takes for a national number in Indonesia (its metadata for ID)."""
    metadata = PhoneMetadata.metadata_for_region("ID")
    general = metadata.general_desc if metadata is not None else None
    pattern = general.national_number_pattern if general is not None else None
    if not isinstance(pattern, str):
        raise RuntimeError("phonenumbers has no national number pattern for Indonesia")
    return re.compile(pattern)


_ID_NATIONAL = _indonesian_national_pattern()


def parse_indonesian(number: str, international: bool = False) -> PhoneNumber:
    """`phonenumbers.parse(("+" if international else "") + number, "ID")` for a string of
    digits, several times faster for the common Indonesian forms, which libphonenumber reads as
    country 62 and a national number it accepts (not starting with `0`):

    - domestic: `0` and the national number;
    - `+62` and the national number;
    - `62` and the national number, when the digits as a whole are no national number.

    Every other string (`00...` international dialling, other countries, odd lengths) goes to
    `phonenumbers.parse`. Raises `phonenumbers.NumberParseException` as `parse` does.
    """
    if international:
        national = number[2:] if number.startswith("62") else ""
    elif number.startswith("0"):
        national = number[1:]
    elif number.startswith("62") and _ID_NATIONAL.fullmatch(number) is None:
        national = number[2:]
    else:
        national = ""
    if (
        national
        and national[0] != "0"
        and national.isdigit()
        and national.isascii()
        and _ID_NATIONAL.fullmatch(national) is not None
    ):
        return PhoneNumber(country_code=62, national_number=int(national))
    return phonenumbers.parse("+" + number if international else number, "ID")


def valid_phone(text: str) -> bool:
    """True when `text` (a number as written) is a valid, personal phone number of its form."""
    if not _balanced(text):
        return False
    number = digits(text)
    international = text.lstrip("(").startswith("+")
    try:
        parsed = parse_indonesian(number, international)
    except phonenumbers.NumberParseException:
        return False
    # UNKNOWN is libphonenumber's type for an invalid number (what is_valid_number tests).
    kind = phonenumbers.number_type(parsed)
    if kind in _NOT_PERSONAL:
        return False
    national = str(parsed.national_number)
    if parsed.country_code == 62 and kind in _FIXED and not national.startswith("8"):
        # Subscriber numbers starting with 1 are services: `(021) 14017`, `021 1500 123`.
        area = phonenumbers.length_of_geographical_area_code(parsed)
        if national[area:].startswith("1"):
            return False
    if international:
        return True
    return kind in (_MOBILE if national.startswith("8") else _FIXED)


class PhoneRecognizer(GerbangRecognizer):
    """Finds phone numbers; validates them with libphonenumber and drops institutional ones."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = (
        Pattern("phone_mobile", MOBILE_REGEX, 0.6),
        Pattern("phone_international", INTERNATIONAL_REGEX, 0.6),
        Pattern("phone_landline", LANDLINE_REGEX, 0.3),  # only counts with a context word
    )
    CONTEXT = (
        "telp", "tlp", "telpon", "telepon", "tel", "phone", "telephone", "hp", "no hp",
        "handphone", "ponsel", "seluler", "wa", "whatsapp", "hubungi", "kontak", "contact",
        "nomor", "nomer", "nmr", "no", "call", "sms", "mobile", "cell", "fax", "faks",
    )  # fmt: skip
    TRIGGER = re.compile(r"0[ .\-()]{0,3}[1-9]|\+[ (]?\d|62[ .\-]?8")
    # Digits at least: `0` + `8x` + 7 for a mobile, `0` + 2 + 5 for a landline, 1 + 6 abroad.
    MIN_DIGITS = 7
    PATTERN_MIN_DIGITS: ClassVar[Mapping[str, int]] = {
        "phone_mobile": 10,
        "phone_landline": 8,
        "phone_international": 7,
    }
    NUMBER_LEAD = 2  # `(+62)`, `(0812)`: the number opens before its first digit
    # How each form opens: `08x`/`628x` (a bracket first, or a separator inside, allowed), a
    # landline's `0` + area digit not inside a longer number, a `+`.
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "phone_mobile": re.compile(
            rf"\(0{_GAP}8[1-35-9]|6{_left_of('6')}2{_GAP}8[1-35-9]|0{_left_of('0')}{_GAP}8[1-35-9]"
        ),
        "phone_landline": re.compile(rf"\(0[2-79]\d|0{_left_of('0')}[2-79]\d"),
        "phone_international": re.compile(r"\+"),
    }
    # Each opening is part of the number it opens: searched in the numbers' stretch only.
    WINDOWED_TRIGGERS = frozenset(PATTERN_TRIGGERS)
    PRIORITY = 50

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers libphonenumber calls invalid, of the wrong type, or institutional."""
        return None if valid_phone(pattern_text) else False

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop switchboard landlines (followed by an extension)."""
        return [
            r
            for r in results
            if _indonesian_mobile(text[r.start : r.end]) or not _EXTENSION_AFTER.match(text, r.end)
        ]


def _indonesian_mobile(number: str) -> bool:
    national = digits(number)
    national = national[2:] if national.startswith("62") else national.lstrip("0")
    return national.startswith("8")
