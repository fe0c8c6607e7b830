"""ID_VEHICLE_PLATE: Indonesian registration plates (TNKB / nomor polisi), `B 1234 XYZ`.

A plate is a region prefix from `REGION_PREFIXES` (Korlantas codes, current and recently
replaced; a closed list), 1-4 digits not starting with 0, and 0-3 series letters. Between the
parts people write nothing, one to three spaces, a dash or a dot: `B 1234 XYZ`, `DD 123 AB`,
`B1234XYZ`, `AB-1234-CD`, `B  1234  XYZ`, `B.1234.XYZ`.

How much a shape needs a context word:
- none: the unmistakable shape (0.6): capital letters, 2-4 digits, 1-3 series letters and the
  same kind of separator twice (`B 1234 XYZ`, `B1234XYZ`, `AB-1234-CD`).
- any vehicle word (`nopol`, `plat`, `kendaraan`, `mobil`, `motor`, `stnk`, `plate`, ...): mixed
  separators (`B1234 XYZ`), dots, plates typed in lower case, as in chat (`nopol sy b 1234 abc`),
  and otherwise plain plates whose series is also a word or unit (`B 1234 DAN`, `B 1234 RB`).
  0.3 alone, so they count (0.65) only with the word.
- a plate word (`nopol`, `nomor polisi`, `TNKB`, `plat`, `pelat`, `plate`): one digit
  (`B 1 RI`, but also the degree `S1 UI`), no series letters (`DK 1`, `D 123`), and a series
  that is a word or unit in any other shape (`dp 500 rb` is a down payment next to `motor`).

Never plates: a prefix glued to its number with nothing or a word after (`B1`/`B2` floors, `A4`
paper, `B12` vitamin, `G20 DI BALI`, `S1`), `G30S`, and a letter and number after a place, road,
document or model word (`Blok AB 12 C`, `basement B 2`, `Jalan Tol Seksi W 2`, `Tabel B 12 A`,
`Mercedes-Benz E 200 AMG`). Regulations (`PP 71 Tahun 2019`, `UU 27`) have no valid prefix or no
series letters, and `RT 03` is not a prefix at all.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    PATTERN_NAME,
    GerbangRecognizer,
    LowercaseSearch,
    TextScan,
)

# Region prefixes (kode wilayah). DS: Papua before PA (2016). PS, PT, PY: South, Central and
# Southwest Papua since 2024.
REGION_PREFIXES: frozenset[str] = frozenset(
    {
        # Java, Bali
        "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z",
        "AA", "AB", "AD", "AE", "AG", "DK",
        # Sumatra
        "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP",
        # Nusa Tenggara
        "DR", "EA", "DH", "EB", "ED",
        # Kalimantan
        "DA", "KB", "KH", "KT", "KU",
        # Sulawesi
        "DB", "DL", "DM", "DN", "DD", "DP", "DW", "DC", "DT",
        # Maluku, Papua
        "DE", "DG", "PA", "PB", "PS", "PT", "PY", "DS",
    }
)  # fmt: skip
NOT_PLATES: frozenset[str] = frozenset({"G30S"})

# Series that are also chat words, units or amounts (`dp 500 rb`, `b 3 bln`, `G20 DI BALI`).
WORD_SERIES: frozenset[str] = frozenset(
    {
        "di", "ke", "dr", "dan", "yg", "dgn", "utk", "sy", "sya", "aku", "gw", "gue", "ya", "aja",
        "sih", "kok", "deh", "dong", "nya", "ini", "itu", "ada", "apa", "mau", "mw", "bs", "tp",
        "jg", "lg", "krn", "trs", "ga", "gak", "gk", "tdk", "blm", "udh", "sdh", "pak", "bu",
        "min", "kak", "mas", "rb", "rbu", "jt", "jta", "k", "x", "th", "thn", "bln", "hr", "jam",
        "mnt", "km", "kg", "cc", "m", "cm", "mm", "lt", "org", "pcs", "unit", "gb", "mb", "pm",
        "am", "wib", "wit",
    }
)  # fmt: skip


def prefix_regex(prefixes: frozenset[str], *, not_after: str = "") -> str:
    """The prefixes as a small trie (`B[ABDEGHKLMNP]?`, ...): far faster than an alternation.

    With `not_after` (a one-character class such as `[A-Za-z0-9]`), a prefix matches only where
    no such character precedes it, tested after its first letter (`B(?<![A-Za-z0-9]B)...`) so
    that the pattern still opens with a letter, which lets `re` skip to where one can start.
    """
    branches = []
    for first in sorted({p[0] for p in prefixes}):
        seconds = "".join(sorted(p[1] for p in prefixes if len(p) == 2 and p[0] == first))
        optional = "?" if first in prefixes else ""
        guard = f"(?<!{not_after}{first})" if not_after else ""
        branches.append(f"{first}{guard}[{seconds}]{optional}" if seconds else f"{first}{guard}")
    return "(?:" + "|".join(branches) + ")"


_SEP = r"(?:[ \t\u00a0]{1,3}|[\-.])?"
PLATE_REGEX = (
    rf"(?<![A-Za-z0-9]){prefix_regex(REGION_PREFIXES)}{_SEP}[1-9]\d{{0,3}}"
    rf"(?:{_SEP}[A-Z]{{1,3}})?(?![A-Za-z0-9])(?![.,\-]?\d)"
)
# The recognizer's cheapest test: a capital letter before a digit.
VEHICLE_PLATE_TRIGGER = re.compile(r"[A-Z][ \t\u00a0\-.]{0,3}[1-9]")
# How every plate in capitals begins (`PLATE_REGEX` up to the number's first digit): a closer test
# before the pattern scan, which pays for `regex`'s timeout. Bounded, so `re` runs it in linear
# time, and it opens with a letter, so `re` skips to the capitals.
PLATE_START = re.compile(rf"{prefix_regex(REGION_PREFIXES, not_after='[A-Za-z0-9]')}{_SEP}[1-9]")
# The same shape in any case, as typed in chat (`b 1234 abc`). Such a plate needs a vehicle word,
# so this runs only when one occurs in the text. Bounded length, no nested repetition: linear.
CHAT_PLATE = re.compile(PLATE_REGEX, re.IGNORECASE)
_PARTS = re.compile(r"([A-Za-z]+)([^A-Za-z0-9]*)(\d+)([^A-Za-z0-9]*)([A-Za-z]*)")

# Words after which a letter and a number name a place, a road, a document part or a car model.
NOT_PLATE_WORD_BEFORE = re.compile(
    r"(?<!\w)(?:blok|block|kav|kavling|ruang|room|kamar|gedung|tower|unit|lantai|lt|basement"
    r"|level|floor|pintu|gate|kelas|seksi|section|sektor|zona|zone|jalan|jl|jln|gang|gg|tol"
    r"|ruas|jalur|koridor|rute|route|halte|tabel|table|gambar|figure|lampiran|bab|chapter"
    r"|kertas|paper|ukuran|size|vitamin|tipe|type|seri|series|model|mercedes|benz|mercy|bmw)"
    r"\.?\s{0,2}\Z",
    re.IGNORECASE,
)
_PLATE_WORDS = (
    "nopol", "nopolnya", "no. pol", "no.pol", "no pol", "nomor polisi", "no. polisi",
    "no polisi", "tnkb", "nrkb", "plat", "platnya", "pelat", "pelatnya", "plat nomor",
    "pelat nomor", "nomor plat", "nomor pelat", "plate", "plates", "license plate",
    "licence plate", "number plate", "plate number", "registration plate",
)  # fmt: skip
PLATE_WORD = re.compile(
    r"(?<!\w)(?:"
    + "|".join(map(re.escape, sorted(_PLATE_WORDS, key=len, reverse=True)))
    + r")(?!\w)",
    re.IGNORECASE,
)


VEHICLE_WORDS: tuple[str, ...] = (
    *_PLATE_WORDS, "nomor kendaraan", "no kendaraan", "no. kendaraan", "kendaraan", "mobil",
    "motor", "motornya", "mobilnya", "truk", "stnk", "bpkb", "samsat", "tilang", "etle",
    "vehicle", "car", "motorcycle", "truck",
)  # fmt: skip
# Every vehicle word contains one of these (lower case): a cheap test before the chat pass.
VEHICLE_WORD_ROOTS: tuple[str, ...] = (
    "pol", "tnkb", "nrkb", "plat", "pelat", "kendaraan", "mobil", "motor", "truk", "truck",
    "stnk", "bpkb", "samsat", "tilang", "etle", "vehicle", "car",
)  # fmt: skip

_FREE, _ANY_WORD, _PLATE_WORD = 0, 1, 2  # which context a shape needs (see the docstring)


def _classify(plate: str) -> int | None:
    """Which context `plate` needs to count, or None when it is never a plate."""
    parts = _PARTS.fullmatch(plate)
    if parts is None:
        return None
    prefix, before_digits, number, before_series, series = parts.groups()
    if not before_digits and not series:
        return None  # B1, A4, B12, G20
    if f"{prefix}{number}{series}".upper() in NOT_PLATES:
        return None
    capitals = prefix.isupper() and series.isupper()
    same_separators = (before_digits == before_series and before_digits in ("", "-")) or (
        before_digits.isspace() and before_series.isspace()
    )
    plain = capitals and same_separators
    if series.lower() in WORD_SERIES and not plain:
        if not before_digits and before_series:
            return None  # `A1 dan`, `G20 DI`: a glued prefix and number, then a word
        return _PLATE_WORD
    if not series or len(number) == 1:
        return _PLATE_WORD
    if series.lower() in WORD_SERIES:
        return _ANY_WORD
    return _FREE if plain else _ANY_WORD


# Answered by the engine's keyword pass (the recognizer's GATE_WORDS) when it can.
_VEHICLE_WORD_ROOT = LowercaseSearch.literals(VEHICLE_WORD_ROOTS)


def _may_have_vehicle_word(scan: TextScan) -> bool:
    """Whether the text holds a vehicle word's root, in any case (a cheap test)."""
    return _VEHICLE_WORD_ROOT.occurs(scan)


def _near(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    return (
        pattern.search(text, max(0, start - CONTEXT_BEFORE), start) is not None
        or pattern.search(text, end, min(len(text), end + CONTEXT_AFTER)) is not None
    )


_FREE_SCORE = 0.6  # the unmistakable shape, no context word needed


class VehiclePlateRecognizer(GerbangRecognizer):
    """Finds vehicle registration plates; the prefix must be a real region code."""

    ENTITY = "ID_VEHICLE_PLATE"
    # Any other shape: counts (0.65) only next to a context word.
    CONTEXT_SCORE: ClassVar[float] = 0.3
    PATTERNS = (Pattern("vehicle_plate", PLATE_REGEX, _FREE_SCORE),)
    CONTEXT = VEHICLE_WORDS
    GATE_WORDS = VEHICLE_WORD_ROOTS
    TRIGGER = VEHICLE_PLATE_TRIGGER
    PRIORITY = 50

    def triggered(self, scan: TextScan) -> bool:
        """A capital letter before a digit, or a vehicle word (for plates typed in lower case)."""
        return VEHICLE_PLATE_TRIGGER.search(scan.text) is not None or _may_have_vehicle_word(scan)

    def find(self, scan: TextScan) -> list[RecognizerResult]:
        """Plates in capitals (Presidio's pattern matching) and, next to a vehicle word, in any
        case; then each shape held to the context it needs."""
        text = scan.text
        # Most triggered texts hold no plate in capitals: a capital before a digit is common.
        found = self.match(scan) if PLATE_START.search(text) is not None else []
        if _may_have_vehicle_word(scan):  # each match still needs a vehicle word near it
            chat = [
                RecognizerResult(
                    self.ENTITY,
                    match.start(),
                    match.end(),
                    self.CONTEXT_SCORE,
                    recognition_metadata={PATTERN_NAME: "vehicle_plate_chat"},
                )
                for match in CHAT_PLATE.finditer(text)
                if not match.group().isupper()
            ]
            found = [
                r for r in found if not any(c.start <= r.start and r.end <= c.end for c in chat)
            ]
            found.extend(chat)
        return [result for result in found if self._counts(text, result)]

    def _counts(self, text: str, result: RecognizerResult) -> bool:
        """Whether a match is a plate, given the context its shape needs (lowers its score)."""
        start, end = result.start, result.end
        needs = _classify(text[start:end])
        if needs is None or NOT_PLATE_WORD_BEFORE.search(text, max(0, start - 16), start):
            return False
        if needs == _PLATE_WORD and not _near(PLATE_WORD, text, start, end):
            return False
        if needs != _FREE:
            if self.context_distance(text, start, end) is None:
                return False
            result.score = self.CONTEXT_SCORE
        return True
