"""ADDRESS: Indonesian street addresses, reported as one span with their administrative tail.

Accepted:
- a street, housing estate or hamlet with a house number or neighbourhood: `Jl./Jln./Jalan/Gg./
  Gang/Perum/Perumahan/Komp./Komplek/Kompleks/Kp./Kampung/Dusun/Dsn./Blok` + name + `No. 12`
  (`Nomor 12A`, `No.12/3`, `Kav. 52-53`), a block (`Blok C2`, `Blok AA-12`) or `RT 03/RW 04`:
  `Jl. H. Agus Salim No. 5`, `Perum Griya Asri Blok C2 No. 5`, `Kp. Cibogo RT 02/03`;
- followed, in any order and with or without commas, by `RT 03/RW 04` (`RT.003/RW.005`,
  `RT/RW 003/005`, `RT 02/03`), `Kel./Kelurahan/Desa/Ds. X`, `Kec./Kecamatan X`,
  `Kab./Kabupaten/Kota X`, `Prov./Provinsi X`, `kode pos 40111`, a bare postal code, or place
  names ending in a postal code (`Bandung, Jawa Barat 40111`). The span ends where the next
  part is none of these: a sentence end, a newline, a lowercase word. (An unlabelled village
  name after RT/RW in chat, `rt 4 rw 6 cibeureum`, stays outside: nothing tells it from the next
  word of the sentence.)
- `RT 003 RW 005` (with its tail) without a street, only near alamat/domisili/tinggal/address;
- the values of a KTP-style address block, one span each and without the label:
  `RT/RW : 007/007`, `Kel/Desa : SUKAJADI`, `Kecamatan : Sukasari`, `Kab/Kota : Bandung`, when an
  address word or another KTP address label (`RT/RW`, `Kel/Desa`) is near;
- a postal code alone only right after `kode pos`/`kodepos`/`postal code`/`zip code` (the code
  only) and near an address word. Other five-digit numbers are never postal codes.

Case: abbreviations match any case (`jl merdeka no 10` typed on a phone); the full words Jalan,
Gang, Kampung, Dusun, Perumahan, Komplek in lower case need an address context word, so
"jalan keluar nomor 1" and "Jalan-jalan ke mall" are not addresses. A street name without a house
number, block or RT/RW (`Jl. Sudirman`) is a public place, not a personal address, and so is an
institution's own address ("Kantor Disdukcapil ... beralamat di Jl. ...", "Puskesmas X terletak
di ...", "our office is located at ..."). Unlabelled place names are kept only when a postal
code follows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import GerbangRecognizer, word_trie

_SP = r"[ \t]"
# Labels of administrative areas; a place name never continues over one of them.
_AREA_LABEL = (
    r"(?i:(?:kel|ds|kec|kab|prov)(?:\.|\b)|kelurahan|desa|kecamatan|kabupaten|kota|kodya|"
    r"provinsi|propinsi)"
)
_STOP_WORD = (
    r"(?i:kel|kelurahan|desa|ds|kec|kecamatan|kab|kabupaten|kota|kodya|prov|provinsi|propinsi|"
    r"rt|rw|kode|kodepos|no|nomor)\b"
)
# A capitalised place name (`Sukajadi`, `Bandung Barat`, `Cimahi II`), or one lowercase word.
_CAP_WORD = r"(?-i:[A-Z](?:[\w'\-]|\.(?=\w))*)"
_PLACE_CAP = rf"{_CAP_WORD}(?:{_SP}+(?!{_STOP_WORD})(?:{_CAP_WORD}|[IVX]+\b|\d{{1,2}}\b))*"
_PLACE = rf"(?:{_PLACE_CAP}|(?-i:[a-z][\w'\-]*))"
_POSTAL = r"\d{5}(?!\d)"


def _rt_rw(label_end: str) -> str:
    """`RT 03/RW 04`, `RT.003/RW.005`, `RT/RW 003/005`, `RT 02/03`; `label_end` is what may
    stand between a label and its number."""
    return (
        rf"(?i:rt{_SP}*/{_SP}*rw){label_end}\d{{1,3}}{_SP}*/{_SP}*\d{{1,3}}"
        rf"|(?i:rt){label_end}\d{{1,3}}{_SP}*(?:[/,]{_SP}*)?(?:(?i:rw){label_end})?\d{{1,3}}(?!\d)"
    )


_RT_RW = _rt_rw(r"[ \t.:]*")
_TAIL_PART = (
    rf"(?:{_RT_RW}"
    rf"|{_AREA_LABEL}{_SP}*:?{_SP}*{_PLACE}"
    rf"|(?i:kode{_SP}*pos|kodepos|kd\.?{_SP}*pos){_SP}*:?{_SP}*{_POSTAL}"
    rf"|(?:{_PLACE_CAP}{_SP}*,{_SP}*){{0,3}}{_PLACE_CAP}{_SP}+{_POSTAL}"
    rf"|{_POSTAL})"
)
_TAIL = rf"(?:(?:{_SP}*,{_SP}*|{_SP}+){_TAIL_PART})*"
_HOUSE_NUMBER = (
    rf"(?i:no|nomor|nomer|nmr|kav|kavling)\.?{_SP}*[.:]?{_SP}*"
    r"\d{1,4}[a-zA-Z]?(?:[/\-]\d{1,4}[a-zA-Z]?)?(?![\w/])"
)
_BLOCK = rf"(?i:blok|blk\.?){_SP}*[A-Z]{{1,3}}[\-.]?{_SP}?\d{{1,3}}(?:[/\-]\d{{1,4}})?(?![\w/])"
# What makes a street a personal address: a house number, a block, or a neighbourhood.
_DWELLING = rf"(?:,?{_SP}*(?:{_HOUSE_NUMBER}|{_BLOCK}(?:{_SP}*,?{_SP}*{_HOUSE_NUMBER})?|{_RT_RW}))"
_NAME = rf"[\w'.\-/]+(?:{_SP}+[\w'.\-/]+){{0,5}}?"
_ABBREVIATED = rf"(?i:jl|jln|gg|perum|komp|kp|dsn)(?:\.{_SP}*|{_SP}+)"
_CAPITALISED = (
    r"(?:Jalan|JALAN|Gang|GANG|Perumahan|PERUMAHAN|Komplek|KOMPLEK|Kompleks|KOMPLEKS|"
    rf"Kampung|KAMPUNG|Dusun|DUSUN|Blok|BLOK){_SP}+"
)
_LOWERCASE = rf"(?:jalan|gang|perumahan|komplek|kompleks|kampung|dusun){_SP}+"

# Each pattern opens with a cheap check of its first letter (`\b(?=[...])`): several times faster
# than trying the case-insensitive alternations at every position.
STREET_REGEX = (
    rf"\b(?=[JjGgPpKkDdBb])(?<![\w\-])(?:{_ABBREVIATED}|{_CAPITALISED}){_NAME}{_DWELLING}{_TAIL}"
)
STREET_LOWERCASE_REGEX = rf"\b(?=[jgpkd])(?<![\w\-]){_LOWERCASE}{_NAME}{_DWELLING}{_TAIL}"
# Alone, without a colon: `RT/RW : 007/007` is a form field (below), reported as its value.
_RT_RW_NO_COLON = _rt_rw(r"[ \t.]*")
RT_RW_REGEX = rf"(?<![\w\-])(?:{_RT_RW_NO_COLON}){_TAIL}"
# A field of a KTP-style form, the value only: `RT/RW : 007/007`, `Kel/Desa : SUKAJADI`,
# `Kecamatan : Sukasari`, `Kab/Kota : Bandung`; the value ends its line or a comma follows.
_FORM_LABEL = (
    rf"(?i:rt{_SP}*/{_SP}*rw|kel(?:urahan)?\.?{_SP}*/{_SP}*desa|kelurahan|desa|kecamatan|"
    rf"kab(?:upaten)?\.?{_SP}*/{_SP}*kota|kabupaten|kota|provinsi)"
)
_FORM_VALUE = (
    rf"\d{{1,3}}{_SP}*/{_SP}*\d{{1,3}}(?!\d)"
    rf"|[A-Za-z][\w'.\-]*(?:{_SP}[A-Za-z0-9][\w'.\-]*){{0,3}}"
)
FORM_FIELD_REGEX = rf"(?<![\w/]){_FORM_LABEL}{_SP}*:{_SP}*\K(?:{_FORM_VALUE})(?={_SP}*(?:$|[\n,;]))"
POSTAL_CODE_REGEX = (
    rf"\b(?=[KkPpZz])(?i:kode{_SP}*pos|kodepos|postal{_SP}+code|zip{_SP}*code|postcode)"
    rf"{_SP}*:?{_SP}*\K{_POSTAL}"
)


# "Kantor Disdukcapil Kota Semarang beralamat di Jl. ...": an institution's own address.
_INSTITUTION_BEFORE = re.compile(
    r"\b(?:kantor|disdukcapil|dinas|kelurahan|kecamatan|puskesmas|rsud|rumah sakit|klinik|"
    r"sekolah|sd|smp|sma|smk|universitas|kampus|masjid|gereja|pura|vihara|klenteng|bank|toko|"
    r"pt|cv|mall|gedung|balai|polsek|polres|polda|pengadilan|kejaksaan|samsat|imigrasi|"
    r"kementerian|pemkot|pemkab|pemda|dprd|kua|bandara|stasiun|terminal|hotel|restoran|office|"
    r"hospital|school|company)\b[^.!?\n]{0,60}?\b(?:beralamat(?:kan)?|berlokasi|terletak|"
    r"berkantor|located|situated)(?:[ \t]+(?:di|at))?[ \t:]*$",
    re.IGNORECASE,
)
# ... which cannot match without one of its verbs (a quick test before the long pattern).
_LOCATED_WORDS = ("beralamat", "berlokasi", "terletak", "berkantor", "located", "situated")
_LOCATED = re.compile("|".join(_LOCATED_WORDS), re.IGNORECASE)


def _may_be_located(text: str) -> bool:
    """False when none of `_INSTITUTION_BEFORE`'s verbs occurs in `text` (any case)."""
    if text.isascii():  # then lowercasing is exactly what IGNORECASE does
        lower = text.lower()
        return any(word in lower for word in _LOCATED_WORDS)
    return _LOCATED.search(text) is not None


class AddressRecognizer(GerbangRecognizer):
    """Finds street addresses with their RT/RW, village, district, city and postal code."""

    ENTITY = "ADDRESS"
    PATTERNS = (
        Pattern("address_street", STREET_REGEX, 0.65),
        Pattern("address_street_lowercase", STREET_LOWERCASE_REGEX, 0.3),  # needs context
        Pattern("address_rt_rw", RT_RW_REGEX, 0.3),  # needs context
        Pattern("address_form_field", FORM_FIELD_REGEX, 0.3),  # needs context
        Pattern("address_postal_code", POSTAL_CODE_REGEX, 0.3),  # needs context
    )
    CONTEXT = (
        "alamat", "alamat lengkap", "alamat rumah", "domisili", "berdomisili", "tinggal",
        "bertempat tinggal", "tempat tinggal", "rumah", "kediaman", "kos", "kost", "kontrakan",
        "kirim ke", "dikirim ke", "antar ke", "address", "home address", "lives at", "live at",
        "living at", "residence", "ship to", "deliver to", "rt/rw", "kel/desa",
    )  # fmt: skip
    # A street, neighbourhood or postal-code word (any case).
    TRIGGER_WORDS = (
        "jl", "jalan", "gang", "gg", "perum", "komp", "kp", "kampung", "dusun", "dsn", "blok",
        "rt", "pos", "postal", "postcode", "zip", "desa", "kecamatan", "kelurahan", "kota",
        "kabupaten", "provinsi",
    )  # fmt: skip
    TRIGGER = re.compile(
        r"jl|jalan|gang|gg\b|perum|komp|kp\b|kampung|dusun|dsn|blok|r(?<!\wr)t\b|pos\b|postal|postcode|"
        r"zip|desa|kecamatan|kelurahan|kota|kabupaten|provinsi"
    )
    TRIGGER_IN_LOWERCASE = True
    # How each pattern opens (in the lowercased text): a street word, `RT`, a form label before
    # its colon, a postal-code label.
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "address_street": re.compile(
            word_trie(
                (
                    "jl",
                    "gg",
                    "perum",
                    "komp",
                    "kp",
                    "dsn",
                    "jalan",
                    "gang",
                    "kampung",
                    "dusun",
                    "blok",
                ),
                not_after=r"[\w\-]",
            )
        ),
        "address_street_lowercase": re.compile(
            word_trie(
                ("jalan", "gang", "perumahan", "komplek", "kompleks", "kampung", "dusun"),
                not_after=r"[\w\-]",
            )
            + r"[ \t]"
        ),
        "address_rt_rw": re.compile(r"r(?<![\w\-]r)t"),
        "address_form_field": re.compile(
            r"(?:rw|desa|kelurahan|kecamatan|kota|kabupaten|provinsi)[ \t]*:"
        ),
        "address_postal_code": re.compile(r"pos|zip"),
    }
    PRIORITY = 50

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop addresses an institution gives as its own."""
        if not results or not _may_be_located(text):
            return results
        return [
            r
            for r in results
            if not _INSTITUTION_BEFORE.search(text, max(0, r.start - 100), r.start)
        ]
