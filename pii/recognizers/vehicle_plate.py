"""ID_VEHICLE_PLATE: Indonesian registration plates (TNKB / nomor polisi), `B 1234 XYZ`.

A plate is a region prefix from `REGION_PREFIXES` (Korlantas codes, current and recently
replaced), 1-4 digits not starting with 0, and 0-3 series letters: `B 1234 XYZ`, `DD 123 AB`,
`B1234XYZ`, `AB-1234-CD`. Capital letters only, as on the plate and in police and insurance
documents; a lower-case `b 1234 xyz` is not matched.

Without a context word only the unmistakable shape counts (0.6): a prefix, 2-4 digits and 1-3
series letters. Shorter shapes (`B 1 RI`, `D 123`, `S1 UI` would be a degree and a university)
need a plate word nearby (`nopol`, `TNKB`, `plat`, `pelat`, `nomor polisi`, `kendaraan`,
`plate`...): 0.3 alone, 0.65 with one. Not plates: list items and labels (`A 1`, `RT 03`,
`No 12`), regulations (`PP 71 Tahun 2019`, `UU 27`, `Perpres 95`: no valid prefix or no series
letters), rooms and housing blocks (`Blok AB 12 C`, `Ruang D 201 B`), and `G30S`.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pii.recognizers.base import GerbangRecognizer

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


def prefix_regex(prefixes: frozenset[str]) -> str:
    """The prefixes as a small trie (`B[ABDEGHKLMNP]?`, ...): far faster than an alternation."""
    branches = []
    for first in sorted({p[0] for p in prefixes}):
        seconds = "".join(sorted(p[1] for p in prefixes if len(p) == 2 and p[0] == first))
        optional = "?" if first in prefixes else ""
        branches.append(f"{first}[{seconds}]{optional}" if seconds else first)
    return "(?:" + "|".join(branches) + ")"


_PREFIX = prefix_regex(REGION_PREFIXES)
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])(?![.,\-]?\d)"

PLATE_REGEX = rf"{_START}{_PREFIX}[ \-]?[1-9]\d{{1,3}}[ \-]?[A-Z]{{1,3}}{_END}"
SHORT_PLATE_REGEX = rf"{_START}{_PREFIX}[ \-]?[1-9]\d{{0,3}}(?:[ \-]?[A-Z]{{1,3}})?{_END}"

# Words after which a letter and a number name a place, not a vehicle: `Blok AB 12 C`.
PLACE_WORD_BEFORE = re.compile(
    r"(?<!\w)(?:blok|block|kav|kavling|ruang|room|kamar|gedung|tower|lantai|pintu|gate|kelas"
    r"|seksi|zona)\.?\s?\Z",
    re.IGNORECASE,
)

VEHICLE_PLATE_TRIGGER = re.compile(r"[A-Z][ \-]?[1-9]")


class VehiclePlateRecognizer(GerbangRecognizer):
    """Finds vehicle registration plates; the prefix must be a real region code."""

    ENTITY = "ID_VEHICLE_PLATE"
    PATTERNS = (
        Pattern("vehicle_plate", PLATE_REGEX, 0.6),
        Pattern("vehicle_plate_short", SHORT_PLATE_REGEX, 0.3),
    )
    CONTEXT = (
        "nopol", "no. pol", "no pol", "nomor polisi", "no. polisi", "tnkb", "plat", "pelat",
        "plat nomor", "pelat nomor", "nomor plat", "nomor pelat", "nomor kendaraan",
        "kendaraan", "mobil", "motor", "stnk", "bpkb", "license plate", "licence plate",
        "number plate", "plate", "plate number", "vehicle", "registration plate",
    )  # fmt: skip
    TRIGGER = VEHICLE_PLATE_TRIGGER
    PRIORITY = 50

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's pattern matching, minus rooms and housing blocks (`Blok AB 12 C`)."""
        return [
            result
            for result in super().analyze(text, entities, nlp_artifacts, regex_flags)
            if not PLACE_WORD_BEFORE.search(text, max(0, result.start - 10), result.start)
        ]

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject well-known non-plates; keep the pattern score otherwise."""
        compact = pattern_text.replace(" ", "").replace("-", "")
        return False if compact in NOT_PLATES else None
