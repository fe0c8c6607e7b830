"""DATE_OF_BIRTH: a date, only when a birth context word stands on the same line.

Accepted dates: `12-05-1990`, `12/05/1990`, `12.05.1990`, `12-05-90` (day first; month first
only with slashes and when the day-first reading is impossible, `05/25/1990`; a dotted date needs
a four-digit year, `10.30.15` is a time), ISO `1990-05-12`, and month names
in Indonesian and English, full or abbreviated, any case: `12 Mei 1990`, `12-Agu-1990`,
`1 Agt. 1990`, `12 May 1990`, `12th May, 1990`, `May 12, 1990`.

Context (required, on the same line as the date; within 48 characters before or 24 after): TTL,
tempat/tanggal lahir, tgl lahir, tanggal lahir, lahir (and the chat spelling lhr), kelahiran,
dilahirkan, ulang tahun, date of birth, DOB, born, birthday. A date elsewhere ("rapat tanggal 12 Mei
2024") is not personal data and is not reported, nor is a date on the line after a birth word (a
letter's date above "Perihal: akta kelahiran"). A birth word belongs to the nearest date: in
"lahir 3 Maret 2015; kontrol 4 April 2025" only the first is a birth date.

Validation: the date must exist, with a year from 1900 up to the current year (two-digit years
are read as 19yy or 20yy, whichever is not in the future).

Span: the date only. In the `Tempat, tanggal lahir` layout (`TTL : Bandung, 12-05-1990`) the
place of birth stays outside: it is not a date, a birthplace alone identifies no one, and the
team's labelled corpus (tests/data/pii_corpus.jsonl) marks the date alone.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Mapping
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    GerbangRecognizer,
    word_trie,
    words_regex,
)

# Month names and abbreviations (Indonesian and English) -> month number; matched any case.
MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_LEFT = r"(?<![\w.\-/])"
_RIGHT = r"(?!\w)(?![.\-/]\d)"
# Dotted dates need a four-digit year: `10.30.15` is a time.
_NUMERIC_DATE = r"\d{1,2}(?:(?P<sep>[\-/])\d{1,2}(?P=sep)(?:\d{4}|\d{2})|\.\d{1,2}\.\d{4})"
_ISO_DATE = r"(?:19|20)\d{2}(?P<sep>[\-/.])\d{1,2}(?P=sep)\d{1,2}"
_DAY_MONTH_DATE = rf"\d{{1,2}}{_ORD}[ \t\-]+{_MONTH}[ \t\-]*,?[ \t\-]*\d{{4}}"
_MONTH_DAY_DATE = rf"{_MONTH}[ \t]+\d{{1,2}}{_ORD},?[ \t]+\d{{4}}"
_DATES = (_NUMERIC_DATE, _ISO_DATE, _DAY_MONTH_DATE, _MONTH_DAY_DATE)
NUMERIC_REGEX, ISO_REGEX, DAY_MONTH_REGEX = (rf"{_LEFT}{date}{_RIGHT}" for date in _DATES[:3])
# Month first: a month name must start here (a cheap check before the whole pattern).
MONTH_DAY_REGEX = rf"\b(?=(?:{word_trie(MONTHS)})){_LEFT}{_MONTH_DAY_DATE}{_RIGHT}"

_CONTEXT_WORDS = (
    "ttl", "tempat tanggal lahir", "tempat/tanggal lahir", "tgl lahir", "tanggal lahir", "lahir",
    "kelahiran", "dilahirkan", "ulang tahun", "ultah", "date of birth", "birth date", "birthdate",
    "dob", "d.o.b", "born", "birthday", "place of birth", "tempat lahir", "lhr", "tgl lhr",
)  # fmt: skip
_CONTEXT_RE = words_regex(_CONTEXT_WORDS)
_NUMBERS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d]+")
# What each kind of date cannot do without (searched in the lowercased text): numbers joined by
# `-`, `/` or `.`, or a month name (every one begins with one of these three letters) next to a
# number.
_NUMERIC_SHAPE = re.compile(r"\d[\-/.]\d{1,2}[\-/.]\d")
_MONTH_START = "(?:" + "|".join(sorted({month[:3] for month in MONTHS})) + ")"
_DAY_MONTH_SHAPE = re.compile(rf"\d(?:st|nd|rd|th)?[ \t\-]+{_MONTH_START}")
_MONTH_DAY_SHAPE = re.compile(rf"{_MONTH_START}[a-z]*\.?[ \t]+\d")


def _real_date(year: int, month: int, day: int, *, two_digit_year: bool) -> bool:
    today = datetime.date.today()
    years = (1900 + year, 2000 + year) if two_digit_year else (year,)
    for y in years:
        try:
            date = datetime.date(y, month, day)
        except ValueError:
            continue
        if datetime.date(1900, 1, 1) <= date <= today:
            return True
    return False


def valid_birth_date(date_text: str) -> bool:
    """True when `date_text` (one of the accepted layouts) is a real, past date."""
    numbers = [m.group() for m in _NUMBERS.finditer(date_text)]
    words = [w.lower() for w in _WORD.findall(date_text)]
    month_names = [MONTHS[w] for w in words if w in MONTHS]
    if month_names:
        if len(numbers) != 2:
            return False
        day, year = (int(n) for n in numbers)
        return _real_date(year, month_names[0], day, two_digit_year=False)
    if len(numbers) != 3:
        return False
    first, second, third = numbers
    if len(first) == 4:  # ISO: year, month, day
        return _real_date(int(first), int(second), int(third), two_digit_year=False)
    short = len(third) == 2
    if _real_date(int(third), int(second), int(first), two_digit_year=short):
        return True
    # Month first (US style, with slashes) only when day first is impossible: 05/25/1990.
    return (
        "/" in date_text
        and int(second) > 12
        and _real_date(int(third), int(first), int(second), two_digit_year=short)
    )


class DateOfBirthRecognizer(GerbangRecognizer):
    """Finds dates next to a birth word on the same line."""

    ENTITY = "DATE_OF_BIRTH"
    PATTERNS = (
        Pattern("dob_numeric", NUMERIC_REGEX, 0.5),
        Pattern("dob_iso", ISO_REGEX, 0.5),
        Pattern("dob_day_month", DAY_MONTH_REGEX, 0.5),
        Pattern("dob_month_day", MONTH_DAY_REGEX, 0.5),
    )
    CONTEXT = _CONTEXT_WORDS
    CONTEXT_REQUIRED = True
    TRIGGER_WORDS = ("lahir", "lhr", "ttl", "born", "birth", "dob", "d.o.b", "ulang tahun", "ultah")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "dob_numeric": _NUMERIC_SHAPE,
        "dob_iso": _NUMERIC_SHAPE,
        "dob_day_month": _DAY_MONTH_SHAPE,
        "dob_month_day": _MONTH_DAY_SHAPE,
    }
    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    PRIORITY = 50

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject dates that do not exist or lie outside 1900 up to today."""
        return None if valid_birth_date(pattern_text) else False

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Keep the dates with a birth word of their own on their line."""
        dates = sorted((r.start, r.end) for r in results)
        return [r for r in results if _has_birth_word(text, r.start, r.end, dates)]


def _has_birth_word(text: str, start: int, end: int, dates: list[tuple[int, int]]) -> bool:
    """True when a birth word on the line of `start:end` belongs to this date, not another one.

    Before: the last birth word within the window; after: the first. A date standing between
    the word and this date takes the word (`lahir 3 Maret 2015; kontrol 4 April 2025`).
    """
    before = None
    for match in _CONTEXT_RE.finditer(text, _line_start(text, start, CONTEXT_BEFORE), start):
        before = match
    if before is not None and not _date_within(dates, before.end(), start):
        return True
    after = _CONTEXT_RE.search(text, end, _line_end(text, end, CONTEXT_AFTER))
    return after is not None and not _date_within(dates, end, after.start())


def _line_start(text: str, position: int, limit: int) -> int:
    """Where the line of `position` starts, looking back at most `limit` characters."""
    window = max(0, position - limit)
    return max(window, text.rfind("\n", window, position) + 1)


def _line_end(text: str, position: int, limit: int) -> int:
    """Where the line of `position` ends, looking ahead at most `limit` characters."""
    window = min(len(text), position + limit)
    newline = text.find("\n", position, window)
    return window if newline < 0 else newline


def _date_within(dates: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when one of the sorted `dates` spans lies inside `start:end`."""
    for date_start, date_end in dates[bisect.bisect_left(dates, (start, -1)) :]:
        if date_start >= end:
            return False
        if date_end <= end:
            return True
    return False
