"""Generate tests/data/pii_corpus.jsonl: synthetic, labelled Indonesian public-service messages.

    .venv/bin/python tests/data/make_pii_corpus.py           # rewrite the corpus
    .venv/bin/python tests/data/make_pii_corpus.py --check   # exit 1 if the file is stale

Every value is invented: names are random first/last-name combinations, NIK and KK numbers are
built from real Kemendagri area codes, a valid date and a random serial, phone numbers use real
operator prefixes with random digits, e-mails live at example.org/.com/.id, IPs mostly in the
documentation ranges, cards are random Luhn-valid numbers (or the well-known test numbers).

Messages come from templates (TEMPLATES, per style) filled with the values of one or more
synthetic personas. Offsets are computed here, while the text is assembled, never by hand.
Template syntax:

    {kind}            a value of persona 1 (`{name}`, `{nik}`, `{dob}`, `{office}` ...)
    {kind.v1.v2}      a variant and/or case: `{dob.long}`, `{name.upper}`, `{address.chat}`
    {kind#2}          persona 2; flags after the digit fix it: m/f (sex), c (child),
                      w (foreign national): `{name#2cf}` is a girl
    [[TYPE:text]]     a fixed phrase labelled TYPE: `[[MARITAL_STATUS:Cerai Mati]]`

Kinds in ENTITY_KINDS produce a labelled span; every other kind is unlabelled filler. The same
marker (kind, variants, persona) renders the same text everywhere in one message.
See tests/data/PII_CORPUS.md for what is labelled and how spans are drawn.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import luhn
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

SEED = 20241128
CORPUS = Path(__file__).resolve().parent / "pii_corpus.jsonl"

ENTITY_KINDS: dict[str, str] = {
    "nik": "ID_NIK",
    "kk": "ID_KK",
    "npwp": "ID_NPWP",
    "nip": "ID_NIP",
    "bpjs": "ID_BPJS",
    "passport": "ID_PASSPORT",
    "sim": "ID_SIM",
    "plate": "ID_VEHICLE_PLATE",
    "rek": "ID_BANK_ACCOUNT",
    "phone": "PHONE_NUMBER",
    "email": "EMAIL_ADDRESS",
    "card": "CREDIT_CARD",
    "ip": "IP_ADDRESS",
    "name": "PERSON",
    "address": "ADDRESS",
    "street": "ADDRESS",
    "rtrw": "ADDRESS",
    "kel": "ADDRESS",
    "kec": "ADDRESS",
    "dob": "DATE_OF_BIRTH",
    "health": "HEALTH",
    "religion": "RELIGION",
    "marital": "MARITAL_STATUS",
    "gender": "GENDER",
    "nationality": "NATIONALITY",
    "criminal": "CRIMINAL_RECORD",
}

# ---------------------------------------------------------------------------------------------
# Reference tables (public geography and vocabulary; no personal data)

# Kemendagri district code, regency/city, district, plate prefix, phone area code, postal prefix,
# province. The codes are real (checked with python-stdnum below); everything else is invented.
AREAS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("327301", "Kota Bandung", "Sukasari", "D", "022", "401", "Jawa Barat"),
    ("327303", "Kota Bandung", "Babakan Ciparay", "D", "022", "402", "Jawa Barat"),
    ("317101", "Jakarta Pusat", "Gambir", "B", "021", "101", "DKI Jakarta"),
    ("317401", "Jakarta Selatan", "Tebet", "B", "021", "128", "DKI Jakarta"),
    ("317302", "Jakarta Barat", "Grogol Petamburan", "B", "021", "114", "DKI Jakarta"),
    ("350101", "Kab. Pacitan", "Donorojo", "AE", "0357", "635", "Jawa Timur"),
    ("357806", "Kota Surabaya", "Sawahan", "L", "031", "602", "Jawa Timur"),
    ("337401", "Kota Semarang", "Semarang Tengah", "H", "024", "501", "Jawa Tengah"),
    ("347101", "Kota Yogyakarta", "Tegalrejo", "AB", "0274", "552", "DI Yogyakarta"),
    ("127101", "Kota Medan", "Medan Kota", "BK", "061", "202", "Sumatera Utara"),
    ("737101", "Kota Makassar", "Mariso", "DD", "0411", "901", "Sulawesi Selatan"),
    ("517101", "Kota Denpasar", "Denpasar Selatan", "DK", "0361", "802", "Bali"),
    ("647101", "Kota Balikpapan", "Balikpapan Timur", "KT", "0542", "761", "Kalimantan Timur"),
    ("167101", "Kota Palembang", "Ilir Barat Dua", "BG", "0711", "301", "Sumatera Selatan"),
    ("137101", "Kota Padang", "Padang Selatan", "BA", "0751", "252", "Sumatera Barat"),
    ("327601", "Kota Depok", "Pancoran Mas", "B", "021", "164", "Jawa Barat"),
    ("320101", "Kab. Bogor", "Cibinong", "F", "021", "169", "Jawa Barat"),
    ("367101", "Kota Tangerang", "Tangerang", "B", "021", "151", "Banten"),
    ("617101", "Kota Pontianak", "Pontianak Selatan", "KB", "0561", "781", "Kalimantan Barat"),
    ("717101", "Kota Manado", "Bunaken", "DB", "0431", "952", "Sulawesi Utara"),
    ("917101", "Kota Jayapura", "Jayapura Utara", "PA", "0967", "991", "Papua"),
    ("147101", "Kota Pekanbaru", "Sukajadi", "BM", "0761", "281", "Riau"),
    ("187101", "Kota Bandar Lampung", "Kedaton", "BE", "0721", "351", "Lampung"),
    ("527101", "Kota Mataram", "Ampenan", "DR", "0370", "831", "Nusa Tenggara Barat"),
    ("340401", "Kab. Sleman", "Gamping", "AB", "0274", "552", "DI Yogyakarta"),
    ("351501", "Kab. Sidoarjo", "Tarik", "W", "031", "612", "Jawa Timur"),
    ("330101", "Kab. Cilacap", "Kedungreja", "R", "0282", "532", "Jawa Tengah"),
    ("360301", "Kab. Tangerang", "Balaraja", "B", "021", "156", "Banten"),
    ("110101", "Kab. Aceh Selatan", "Bakongan", "BL", "0656", "237", "Aceh"),
    ("510101", "Kab. Jembrana", "Negara", "DK", "0365", "822", "Bali"),
)

MALE_FIRST = (
    "Budi", "Agus", "Andi", "Bambang", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko",
    "Rizky", "Slamet", "Teguh", "Wahyu", "Yusuf", "Dimas", "Arif", "Gilang", "Rudi", "Hadi",
    "Anton", "Bayu", "Doni", "Ilham", "Reza", "Taufik", "Yoga", "Aditya", "Farhan", "Ketut",
    "Made", "Yohanes", "Daniel", "Stefanus", "Hamzah", "Ridwan", "Muhammad", "Ahmad", "Imam",
)  # fmt: skip
FEMALE_FIRST = (
    "Siti", "Dewi", "Rina", "Sri", "Ayu", "Fitri", "Indah", "Lestari", "Nurul", "Putri",
    "Ratna", "Wulan", "Yanti", "Kartika", "Maya", "Nadia", "Anisa", "Dian", "Eka", "Intan",
    "Novi", "Rahma", "Sari", "Tuti", "Yuli", "Fransiska", "Maria", "Agustina", "Veronika",
    "Hartini", "Nur", "Aisyah", "Citra",
)  # fmt: skip
MALE_MIDDLE = ("Adi", "Nur", "Dwi", "Tri", "Eka", "Putra", "Indra", "Budi", "Agung")
FEMALE_MIDDLE = ("Nur", "Dwi", "Tri", "Eka", "Ayu", "Sekar", "Putri", "Kusuma")
LAST = (
    "Santoso", "Wijaya", "Hidayat", "Saputra", "Pratama", "Kusuma", "Setiawan", "Gunawan",
    "Nugroho", "Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak", "Sinaga", "Hutapea",
    "Manurung", "Tanjung", "Wibowo", "Susanto", "Hakim", "Rahman", "Firmansyah", "Kurniawan",
    "Hasibuan", "Pattiasina", "Tuasikal", "Sitompul", "Purba", "Ginting", "Tarigan", "Halim",
    "Wenas", "Sembiring", "Maulana", "Syahputra",
)  # fmt: skip
FEMALE_LAST = (
    "Rahmawati", "Susanti", "Wulandari", "Handayani", "Permatasari", "Puspita", "Anggraini",
    "Kurniasih", "Maharani", "Safitri", "Oktaviani", "Pertiwi",
)  # fmt: skip
SINGLE_MALE = ("Paijo", "Supardi", "Wagiman", "Mulyono", "Sutrisno", "Karyo")
SINGLE_FEMALE = ("Sukarni", "Tukiyem", "Sumarni", "Painem", "Suparmi", "Ngatini")
# Foreign nationals: country (Indonesian), nationality (English), name builders, passport shape.
FOREIGN = (
    ("Malaysia", "Malaysian", (("Ahmad Faizal bin Rahman", True), ("Nur Aina binti Ismail", False),
                               ("Lim Wei Jie", True), ("Tan Mei Ling", False)), "A########"),
    ("Jepang", "Japanese", (("Hiroshi Tanaka", True), ("Yuki Sato", False),
                            ("Kenji Nakamura", True), ("Aiko Kobayashi", False)), "TK#######"),
    ("Belanda", "Dutch", (("Jan de Vries", True), ("Sanne Jansen", False),
                          ("Pieter Bakker", True), ("Anouk Visser", False)), "NX#######"),
    ("Australia", "Australian", (("Jack Wilson", True), ("Olivia Nguyen", False),
                                 ("Liam Brown", True), ("Chloe Smith", False)), "PA#######"),
)  # fmt: skip
STREETS = (
    "Melati", "Kenanga", "Flamboyan", "Cempaka", "Anggrek", "Dahlia", "Kamboja", "Teratai",
    "Nusa Indah", "Merpati", "Rajawali", "Kutilang", "Cendrawasih", "Pelita", "Sukaria",
    "Kebon Jeruk", "Mangga Dua", "Rambutan", "Nangka", "Kelapa Gading", "Sawo Kecik",
    "Bougenville", "Belimbing", "Jambu Air",
)  # fmt: skip
STREET_SUFFIX = ("", "", " Raya", " Dalam", " II", " III", " Timur", " Barat", " Utara")
KELURAHAN = (
    "Sukamaju", "Mekarsari", "Sindangsari", "Karangrejo", "Sumbersari", "Tegalsari",
    "Wonorejo", "Margahayu", "Sukaresmi", "Cibeureum", "Kebonsari", "Tanjungsari", "Sidomulyo",
    "Pasirjaya", "Kampung Baru", "Mulyorejo", "Jatimulya", "Sukatani",
)  # fmt: skip
PERUM = ("Griya Asri", "Bumi Indah Permai", "Taman Sari", "Graha Mulya", "Villa Mutiara")
OFFICE_STREETS = ("Jl. Merdeka", "Jl. Pemuda", "Jl. Ahmad Yani", "Jl. Veteran", "Jl. Pahlawan")
BANKS = (("BCA", 10), ("BNI", 10), ("BRI", 15), ("Mandiri", 13), ("BSI", 10), ("CIMB Niaga", 13))
OPERATOR_PREFIXES = (
    "811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856",
    "857", "858", "817", "818", "819", "859", "877", "878", "831", "832", "838", "881", "882",
    "887", "889", "895", "896", "897", "898", "899",
)  # fmt: skip
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
RELIGIONS = (  # Indonesian, English; weights roughly like the population
    ("Islam", "Muslim"), ("Islam", "Muslim"), ("Islam", "Muslim"), ("Islam", "Muslim"),
    ("Kristen", "Christian"), ("Katolik", "Catholic"), ("Hindu", "Hindu"),
    ("Buddha", "Buddhist"), ("Konghucu", "Confucian"),
)  # fmt: skip
# Indonesian phrase, ICD-10 code, English phrase.
HEALTH = (
    ("diabetes melitus tipe 2", "E11.9", "type 2 diabetes"),
    ("hipertensi", "I10", "hypertension"),
    ("TBC paru", "A15.0", "pulmonary tuberculosis"),
    ("gagal ginjal kronis", "N18.5", "chronic kidney disease"),
    ("asma", "J45.9", "asthma"),
    ("stroke", "I63.9", "a stroke"),
    ("HIV", "B24", "HIV"),
    ("kanker payudara", "C50.9", "breast cancer"),
    ("depresi berat", "F32.2", "severe depression"),
    ("epilepsi", "G40.9", "epilepsy"),
    ("hepatitis B", "B18.1", "hepatitis B"),
    ("skizofrenia", "F20.9", "schizophrenia"),
    ("penyakit jantung koroner", "I25.1", "coronary heart disease"),
    ("katarak", "H26.9", "cataracts"),
)
CRIMINAL = (
    ("mantan narapidana kasus pencurian", "a former prisoner convicted of theft"),
    ("pernah dipenjara 2 tahun karena penipuan", "served two years in prison for fraud"),
    ("terpidana kasus narkotika", "convicted in a narcotics case"),
    ("pernah ditahan dalam kasus penganiayaan", "was detained in an assault case"),
    ("residivis kasus curanmor", "a repeat offender for motorcycle theft"),
    ("bebas bersyarat setelah vonis 3 tahun kasus korupsi",
     "on parole after a 3-year corruption sentence"),
)  # fmt: skip
MARITAL = ("Kawin", "Belum Kawin", "Cerai Hidup", "Cerai Mati")
MARITAL_EN = {"Kawin": "married", "Belum Kawin": "single", "Cerai Hidup": "divorced",
              "Cerai Mati": "widowed"}  # fmt: skip
JOBS = (
    "Karyawan Swasta", "Wiraswasta", "Petani/Pekebun", "Mengurus Rumah Tangga", "Guru",
    "Buruh Harian Lepas", "Pedagang", "Pegawai Negeri Sipil", "Nelayan/Perikanan",
)  # fmt: skip
TITLES = ("S.H.", "S.Kom.", "M.Si.", "S.Pd.", "S.E.", "M.M.", "S.T.")
REGULATIONS = (
    "UU No. 27 Tahun 2022", "PP 71/2019", "Permendagri 108/2019", "UU 24/2013",
    "Perpres 96/2018", "PMK 112/2022", "PP No. 40 Tahun 2019", "Permendagri No. 73 Tahun 2022",
)  # fmt: skip
CALL_CENTRES = ("1500-537", "112", "14045", "1500-400", "165")


# ---------------------------------------------------------------------------------------------
# Personas


@dataclass
class Persona:
    """One synthetic person; every value a template asks for is derived from these fields."""

    male: bool
    child: bool
    foreign: int | None  # index into FOREIGN, None for an Indonesian citizen
    first: str
    full: str
    dob: datetime.date
    area: tuple[str, str, str, str, str, str, str]
    religion: int
    marital: str
    health: int
    criminal: int
    street: str
    house: str
    rt: int
    rw: int
    kel: str
    extra: dict[str, object] = field(default_factory=dict)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _date(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1).toordinal()
    end = datetime.date(last_year, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def make_persona(rng: random.Random, flags: str) -> Persona:
    """A random person; flags: m/f fix the sex, c makes a child, w a foreign national."""
    male = "m" in flags or ("f" not in flags and rng.random() < 0.5)
    child = "c" in flags
    foreign = rng.randrange(len(FOREIGN)) if "w" in flags else None
    if foreign is not None:
        candidates = [(n, m) for n, m in FOREIGN[foreign][2] if "m" not in flags or m]
        candidates = [(n, m) for n, m in candidates if "f" not in flags or not m]
        full, male = rng.choice(candidates)
        first = full.split()[0]
    else:
        roll = rng.random()
        firsts = MALE_FIRST if male else FEMALE_FIRST
        first = rng.choice(firsts)
        if roll < 0.1 and not child:
            first = full = rng.choice(SINGLE_MALE if male else SINGLE_FEMALE)
        elif roll < 0.3:
            full = (
                f"{first} {rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)} {rng.choice(LAST)}"
            )
        elif roll < 0.38 and male:
            full = f"{first} bin {rng.choice(('Abdullah', 'Sulaiman', 'Hasan', 'Usman'))}"
        else:
            lasts = LAST if male else LAST + FEMALE_LAST
            full = f"{first} {rng.choice(lasts)}"
    dob = _date(rng, 2016, 2023) if child else _date(rng, 1958, 2001)
    marital = "Belum Kawin" if child else rng.choice(MARITAL)
    return Persona(
        male=male,
        child=child,
        foreign=foreign,
        first=first,
        full=full,
        dob=dob,
        area=rng.choice(AREAS),
        religion=rng.randrange(len(RELIGIONS)),
        marital=marital,
        health=rng.randrange(len(HEALTH)),
        criminal=rng.randrange(len(CRIMINAL)),
        street=rng.choice(STREETS) + rng.choice(STREET_SUFFIX),
        house=str(rng.randint(1, 120)) + rng.choice(("", "", "", "A", "B")),
        rt=rng.randint(1, 15),
        rw=rng.randint(1, 12),
        kel=rng.choice(KELURAHAN),
    )


# ---------------------------------------------------------------------------------------------
# Numbers


def _group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    return sep.join(parts)


def _nik_like_format(rng: random.Random, number: str, variant: str) -> str:
    style = variant or rng.choice(("compact",) * 6 + ("spaced", "grouped", "dotted"))
    if style == "spaced":
        return _group(number, (4, 4, 4, 4), " ")
    if style == "grouped":
        return _group(number, (6, 6, 4), " ")
    if style == "dotted":
        return _group(number, (2, 2, 2, 6, 4), ".")
    if style == "odd":  # a typo-style grouping: 4-6-6
        return _group(number, (4, 6, 6), " ")
    return number


def make_nik(rng: random.Random, p: Persona) -> str:
    day = p.dob.day + (0 if p.male else 40)
    number = f"{p.area[0]}{day:02d}{p.dob:%m%y}{rng.randint(1, 2999):04d}"
    assert stdnum_nik.is_valid(number), number
    return number


def make_kk(rng: random.Random, p: Persona) -> str:
    issued = _date(rng, 2008, 2024)
    number = f"{p.area[0]}{issued:%d%m%y}{rng.randint(1, 1999):04d}"
    assert stdnum_nik.is_valid(number), number
    return number


def make_npwp(rng: random.Random) -> str:
    """An old-style 15-digit NPWP with a valid check digit."""
    head = rng.choice(("01", "02", "04", "05", "07", "08", "09")) + _digits(rng, 6)
    tail = rng.choice(("423", "441", "407", "511", "614", "701", "123")) + "000"
    for check in string.digits:
        if stdnum_npwp.is_valid(head + check + tail):
            return head + check + tail
    raise AssertionError("no check digit")


def make_nip(rng: random.Random, p: Persona) -> str:
    start_year = rng.randint(p.dob.year + 21, min(p.dob.year + 35, 2024))
    month = rng.choice((1, 1, 3, 4, 12))
    return f"{p.dob:%Y%m%d}{start_year}{month:02d}{1 if p.male else 2}{rng.randint(1, 60):03d}"


def make_card(rng: random.Random) -> str:
    prefix = rng.choice(("4", "4", "51", "52", "53", "54", "55", "37"))
    length = 15 if prefix == "37" else 16
    while True:
        body = prefix + _digits(rng, length - len(prefix) - 1)
        number = body + luhn.calc_check_digit(body)
        if not stdnum_nik.is_valid(number):  # a card must not also read as a NIK
            return number


def make_phone(rng: random.Random) -> str:
    """National significant number without the leading 0: 8xx + 7 to 9 digits."""
    return rng.choice(OPERATOR_PREFIXES) + _digits(rng, rng.choice((7, 8, 8, 8, 9)))


def fmt_phone(rng: random.Random, nsn: str, variant: str) -> str:
    style = variant or rng.choice(
        ("compact", "compact", "dash", "dash", "space", "intl", "intl_compact", "wa")
    )
    head, rest = nsn[:3], nsn[3:]
    rest_grouped = _group(rest, (4, len(rest) - 4), "{}")
    if style == "dash":
        return f"0{head}-" + rest_grouped.format("-")
    if style == "space":
        return f"0{head} " + rest_grouped.format(" ")
    if style == "intl":
        return f"+62 {head}-" + rest_grouped.format("-")
    if style == "intl_compact":
        return f"+62{nsn}"
    if style == "wa":
        return f"62{nsn}"
    if style == "odd":  # typo-style grouping
        return f"0{head}-{rest[:3]}-{rest[3:]}"
    return f"0{nsn}"


def make_order16(rng: random.Random) -> str:
    """16 digits that are neither a NIK (bad area code or date) nor a card (Luhn fails)."""
    while True:
        if rng.random() < 0.5:
            head = rng.choice(("00", "09", "20", "24", "28", "40", "45", "48", "58", "68", "80"))
            number = head + _digits(rng, 14)
        else:  # a real area code but an impossible date (month 13-59)
            area = rng.choice(AREAS)[0]
            number = area + f"{rng.randint(1, 28):02d}{rng.randint(13, 59):02d}" + _digits(rng, 6)
        if not stdnum_nik.is_valid(number) and not luhn.is_valid(number):
            return number


def make_billing(rng: random.Random) -> str:
    """A 15-digit payment code that is not a valid NPWP."""
    while True:
        number = rng.choice(("0", "1", "8")) + _digits(rng, 14)
        if not stdnum_npwp.is_valid(number):
            return number


# ---------------------------------------------------------------------------------------------
# Rendering one marker


def _fmt_date_id(rng: random.Random, d: datetime.date, variant: str) -> str:
    style = variant or rng.choice(("num", "num", "long", "long", "slash"))
    if style == "long":
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    if style == "slash":
        return f"{d:%d/%m/%Y}"
    if style == "iso":
        return d.isoformat()
    if style == "en":
        if rng.random() < 0.5:
            return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d:%d-%m-%Y}"


def _address(rng: random.Random, p: Persona, variant: str) -> str:
    code, city, kec, _plate, _tel, postal, _prov = p.area
    postal_code = postal + str(rng.randint(10, 99))
    road = rng.choice(("Jl.", "Jl.", "Jalan", "Jln.", "Gg."))
    style = variant or rng.choice(("full", "full", "mid", "short", "perum"))
    if style == "full":
        return (
            f"{road} {p.street} No. {p.house}, RT {p.rt:03d}/RW {p.rw:03d}, Kel. {p.kel}, "
            f"Kec. {kec}, {city} {postal_code}"
        )
    if style == "mid":
        return f"{road} {p.street} No. {p.house} RT {p.rt:02d} RW {p.rw:02d} Kel. {p.kel}"
    if style == "short":
        return f"{road} {p.street} No. {p.house}"
    if style == "perum":
        block = rng.choice("ABCDEFGH") + str(rng.randint(1, 12))
        return f"Perum {rng.choice(PERUM)} Blok {block} No. {p.house}, Kec. {kec}, {city}"
    if style == "chat":
        return f"jl {p.street.lower()} no {p.house.lower()} rt {p.rt} rw {p.rw} {p.kel.lower()}"
    if style == "desa":
        return f"Dusun Krajan RT {p.rt:02d}/RW {p.rw:02d}, Desa {p.kel}, Kec. {kec}, {city}"
    raise ValueError(f"unknown address variant {variant!r} ({code})")


def _plate(rng: random.Random, p: Persona, variant: str) -> str:
    prefix = p.area[3]
    number = str(rng.randint(1, 9999))
    letters = "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.choice((1, 2, 3, 3)))
    )
    if variant == "compact":
        return f"{prefix}{number}{letters}"
    return f"{prefix} {number} {letters}"


def _bank(rng: random.Random, p: Persona) -> tuple[str, str]:
    if "bank" not in p.extra:
        name, length = rng.choice(BANKS)
        p.extra["bank"] = (name, rng.choice("123456789") + _digits(rng, length - 1))
    value = p.extra["bank"]
    assert isinstance(value, tuple)
    return value


def _rek(rng: random.Random, p: Persona, variant: str) -> str:
    name, number = _bank(rng, p)
    if variant != "compact" and rng.random() < 0.4:
        if name == "BRI":
            return _group(number, (4, 2, 6, 2, 1), "-")
        if name == "Mandiri":
            return _group(number, (3, 2, 7, 1), "-")
    return number


def _email(rng: random.Random, p: Persona) -> str:
    parts = [w.lower() for w in p.full.replace("bin ", "").split()]
    first, last = parts[0], parts[-1]
    domain = rng.choice(("example.com", "example.org", "example.id"))
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}{p.dob:%y}",
            f"{first}_{last[0]}",
            f"{first}{rng.randint(1, 999)}",
        )
    )
    return f"{local.replace(' ', '')}@{domain}"


def _ip(rng: random.Random, variant: str) -> str:
    if variant == "v6":
        groups = (rng.randint(1, 0xFFFF), rng.randint(1, 0xFFFF), rng.randint(1, 0xFF))
        return "2001:db8:{:x}:{:x}::{:x}".format(*groups)
    net = rng.choice(
        ("192.0.2", "198.51.100", "203.0.113", "36.72", "103.147", "180.248", "192.168")
    )
    fill = [str(rng.randint(1, 254)) for _ in range(4 - net.count(".") - 1)]
    return ".".join((net, *fill))


def _sim(rng: random.Random, p: Persona, variant: str) -> str:
    number = f"{p.dob:%y%m}" + _digits(rng, rng.choice((8, 10)))  # birth year and month
    if variant == "compact":
        return number
    sep = rng.choice(("-", "-", " "))
    return _group(number, (4, 4, len(number) - 8), sep)


def _passport(rng: random.Random, p: Persona) -> str:
    if p.foreign is not None:
        shape = FOREIGN[p.foreign][3]
        return "".join(rng.choice(string.digits) if ch == "#" else ch for ch in shape)
    return rng.choice("ABCEX") + _digits(rng, 7)


def _gender(p: Persona, variant: str) -> str:
    table = {
        "en": ("male", "female"),
        "short": ("L", "P"),
        "word": ("pria", "wanita"),
        "lk": ("LK", "PR"),
    }
    male, female = table.get(variant, ("Laki-laki", "Perempuan"))
    return male if p.male else female


def _marital(p: Persona, variant: str) -> str:
    if variant == "en":
        return MARITAL_EN[p.marital]
    if variant == "chat":
        return {
            "Kawin": "sudah menikah",
            "Belum Kawin": "belum menikah",
            "Cerai Hidup": "cerai",
            "Cerai Mati": "duda" if p.male else "janda",
        }[p.marital]
    return p.marital


def _nationality(p: Persona, variant: str) -> str:
    if p.foreign is None:
        return {"en": "Indonesian", "country": "Indonesia"}.get(variant, "WNI")
    country, adjective, *_ = FOREIGN[p.foreign]
    return {"en": adjective, "country": country}.get(variant, "WNA")


def _filler(rng: random.Random, kind: str, p: Persona, variant: str) -> str | None:
    """Unlabelled text; None when `kind` is not a filler."""
    code, city, kec, _plate, tel, _postal, province = p.area
    short_city = city.removeprefix("Kota ").removeprefix("Kab. ")
    short_city = "Jakarta" if short_city.startswith("Jakarta") else short_city
    simple: dict[str, Callable[[], str]] = {
        "hon": lambda: "Bapak" if p.male else "Ibu",
        "pak": lambda: "Pak" if p.male else "Bu",
        "sdr": lambda: "Sdr." if p.male else "Sdri.",
        "tn": lambda: "Tn." if p.male else "Ny.",
        "bank": lambda: _bank(rng, p)[0],
        "city": lambda: city,
        "birthplace": lambda: short_city,
        "province": lambda: province,
        "office": lambda: f"Disdukcapil {city}",
        "office_addr": lambda: f"{rng.choice(OFFICE_STREETS)} No. {rng.randint(1, 80)}, {city}",
        "office_tel": lambda: f"({tel}) {rng.randint(2, 7)}{_digits(rng, 6)}",
        "pkm": lambda: f"Puskesmas {rng.choice(KELURAHAN)}",
        "job": lambda: rng.choice(JOBS),
        "title": lambda: rng.choice(TITLES),
        "amount": lambda: "Rp " + f"{rng.randint(15, 9_999) * 1000:,}".replace(",", "."),
        "amount_big": lambda: "Rp " + f"{rng.randint(10**8, 10**10):,}".replace(",", "."),
        "date": lambda: _fmt_date_id(rng, _date(rng, 2024, 2026), variant),
        "time": lambda: f"{rng.randint(7, 15):02d}.{rng.choice(('00', '15', '30', '45'))} WIB",
        "year": lambda: str(rng.randint(2019, 2025)),
        "letter_no": lambda: (
            f"{rng.choice(('470', '474', '400.12', '471.1', '800'))}/{rng.randint(10, 999)}/"
            f"{rng.choice(('Disdukcapil', 'Kec', 'Des', 'Setda', 'Dinkes'))}/"
            f"{rng.randint(2019, 2025)}"
        ),
        "reg": lambda: rng.choice(REGULATIONS),
        "callcentre": lambda: rng.choice(CALL_CENTRES),
        "order16": lambda: _nik_like_format(rng, make_order16(rng), variant or "compact"),
        "billing": lambda: make_billing(rng),
        "guid": lambda: "-".join(
            "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
        ),
        "version": lambda: ".".join(str(rng.randint(0, 20)) for _ in range(rng.choice((3, 3, 4)))),
        "ticket": lambda: f"REQ-{_date(rng, 2024, 2025):%Y%m%d}-{rng.randint(1, 9999):04d}",
        "queue": lambda: f"{rng.choice('ABCDF')}-{rng.randint(1, 150):03d}",
        "count": lambda: f"{rng.randint(1_000, 999_999):,}".replace(",", "."),
        "pct": lambda: f"{rng.randint(50, 99)},{rng.randint(0, 9)}%",
        "kec_office": lambda: kec,
        "small": lambda: str(rng.randint(10, 999)),
        "area_code": lambda: code,
    }
    maker = simple.get(kind)
    return None if maker is None else maker()


def render_value(rng: random.Random, kind: str, variant: str, p: Persona) -> str:
    """The text of one marker (before case modifiers)."""
    if kind == "name":
        return p.first if variant == "first" else p.full
    if kind == "nik":
        if "nik" not in p.extra:
            p.extra["nik"] = make_nik(rng, p)
        return _nik_like_format(rng, str(p.extra["nik"]), variant)
    if kind == "kk":
        if "kk" not in p.extra:
            p.extra["kk"] = make_kk(rng, p)
        return _nik_like_format(rng, str(p.extra["kk"]), variant)
    if kind == "npwp":
        number = make_npwp(rng)
        style = variant or rng.choice(("old", "old", "compact", "new"))
        if style == "old":
            return str(stdnum_npwp.format(number))
        return "0" + number if style == "new" else number
    if kind == "nip":
        number = make_nip(rng, p)
        if (variant or rng.choice(("spaced", "compact"))) == "spaced":
            return _group(number, (8, 6, 1, 3), " ")
        return number
    if kind == "bpjs":
        return "000" + _digits(rng, 10)
    if kind == "passport":
        return _passport(rng, p)
    if kind == "sim":
        return _sim(rng, p, variant)
    if kind == "plate":
        return _plate(rng, p, variant)
    if kind == "rek":
        return _rek(rng, p, variant)
    if kind == "phone":
        if variant == "land":
            tel = p.area[4]
            return f"({tel}) {rng.randint(2, 8)}{_digits(rng, 6)}"
        if "phone" not in p.extra:
            p.extra["phone"] = make_phone(rng)
        return fmt_phone(rng, str(p.extra["phone"]), variant)
    if kind == "email":
        return _email(rng, p)
    if kind == "card":
        if variant == "test":
            return rng.choice(("4111 1111 1111 1111", "5555 5555 5555 4444", "4012888888881881"))
        number = make_card(rng)
        if variant == "compact" or rng.random() < 0.3:
            return number
        return _group(number, (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4), " ")
    if kind == "ip":
        return _ip(rng, variant)
    if kind == "address":
        return _address(rng, p, variant)
    if kind == "street":
        return f"JL. {p.street.upper()} NO. {p.house}"
    if kind == "rtrw":
        return f"{p.rt:03d}/{p.rw:03d}"
    if kind == "kel":
        return p.kel.upper()
    if kind == "kec":
        return p.area[2].upper()
    if kind == "dob":
        return _fmt_date_id(rng, p.dob, variant)
    if kind == "health":
        idn, icd, eng = HEALTH[p.health]
        return {"icd": icd, "en": eng}.get(variant, idn)
    if kind == "religion":
        idn, eng = RELIGIONS[p.religion]
        if variant == "wrong":
            return rng.choice([r for r, _ in RELIGIONS if r != idn])
        return eng if variant == "en" else idn
    if kind == "marital":
        return _marital(p, variant)
    if kind == "gender":
        return _gender(p, variant)
    if kind == "nationality":
        return _nationality(p, variant)
    if kind == "criminal":
        idn, eng = CRIMINAL[p.criminal]
        return eng if variant == "en" else idn
    value = _filler(rng, kind, p, variant)
    if value is None:
        raise ValueError(f"unknown kind {kind!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Templates

MARK = re.compile(
    r"\[\[(?P<type>[A-Z_]+):(?P<text>[^\]]+)\]\]"
    r"|\{(?P<kind>[a-z_0-9]+)(?P<mods>(?:\.[a-z_0-9]+)*)(?:#(?P<idx>\d)(?P<flags>[mfcw]*))?\}"
)
CASES = {"upper": str.upper, "lower": str.lower, "title": str.title}


@dataclass(frozen=True)
class Template:
    text: str
    language: str = "id"


def T(text: str, language: str = "id") -> Template:  # noqa: N802 - reads like a constructor
    return Template(text, language)


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "formal": (
        T(
            "Yth. Kepala {office},\n\nDengan hormat, saya yang bertanda tangan di bawah ini:\n"
            "Nama: {name}\nNIK: {nik}\nAlamat: {address.full}\n"
            "mengajukan permohonan penerbitan ulang KTP-el karena hilang. Surat keterangan "
            "kehilangan dari kepolisian terlampir.\n\nHormat saya,\n{name}"
        ),
        T(
            "Dengan hormat, saya {name}, pemegang Kartu Keluarga nomor {kk}, bermaksud "
            "menambahkan anak kami {name#2c} yang lahir pada tanggal {dob.long#2c} ke dalam KK. "
            "Mohon informasi persyaratannya. Terima kasih."
        ),
        T(
            "Selamat siang. Saya ingin menanyakan status pengajuan akta kelahiran atas nama "
            "{name#2c} dengan nomor registrasi {ticket}. Pengajuan dilakukan pada {date} melalui "
            "aplikasi. Saya dapat dihubungi di nomor {phone}."
        ),
        T(
            "Kepada Yth. Petugas BPJS Kesehatan,\nSaya {name} (No. Kartu BPJS {bpjs}) ingin "
            "memindahkan faskes tingkat pertama ke {pkm} karena pindah domisili ke "
            "{address.mid}.\nAtas perhatiannya saya ucapkan terima kasih."
        ),
        T(
            "Dengan hormat, bersama ini saya sampaikan bahwa NPWP saya {npwp} belum terhubung "
            "dengan NIK {nik}. Mohon bantuan pemadanan data. Balasan dapat dikirim ke {email}."
        ),
        T(
            "Yth. Petugas Satpas Polres {birthplace},\nSaya {name}, pemilik SIM C nomor {sim}, "
            "yang masa berlakunya habis pada {date}. Apakah perpanjangan dapat dilakukan secara "
            "daring? Terima kasih."
        ),
        T(
            "Dengan hormat,\nSaya {name}, {title}, NIP {nip}, guru pada SD Negeri 3 "
            "{birthplace}, mengajukan cuti sakit selama 14 hari karena {health} sesuai surat "
            "keterangan dokter terlampir."
        ),
        T(
            "Dengan hormat, saya {name#1w}, warga negara {nationality.country#1w}, pemegang paspor "
            "nomor {passport#1w}, memohon informasi prosedur pencatatan kelahiran anak kami di "
            "Indonesia."
        ),
        T(
            "Yang bertanda tangan di bawah ini, {name}, beralamat di {address.full}, dengan ini "
            "memohon diterbitkan Surat Keterangan Pindah ke Kota Semarang untuk saya dan "
            "keluarga (No. KK {kk})."
        ),
        T(
            "Dengan hormat, pada KTP-el saya tertulis agama {religion.wrong}, padahal seharusnya "
            "{religion}. Mohon perbaikan data atas nama {name}, NIK {nik}."
        ),
        T(
            "Dengan hormat, kami sampaikan bahwa ayah kami, {name#2m}, telah meninggal dunia "
            "pada {date}. Mohon penerbitan akta kematian serta perubahan status perkawinan ibu "
            "kami, {name#3f}, menjadi [[MARITAL_STATUS:Cerai Mati]]."
        ),
        T(
            "Selamat pagi Bapak/Ibu, saya {name} ingin mengajukan keberatan atas tagihan pajak "
            "kendaraan {plate} sebesar {amount}. Kendaraan tersebut sudah saya jual pada {date}."
        ),
        T(
            "Dengan hormat, mohon pengembalian biaya PNBP yang terpotong dua kali. Rekening "
            "tujuan: {bank} {rek} atas nama {name}."
        ),
        T(
            "Yth. Admin Layanan Dukcapil Online,\nAkun saya ({email}) terkunci sejak login dari "
            "alamat IP {ip}. Mohon dibuka kembali. Nama: {name}, tanggal lahir {dob.long}."
        ),
        T(
            "Dengan hormat, saya {name}, {gender}, lahir di {birthplace} pada {dob.long}, "
            "mengajukan permohonan paspor baru untuk keperluan ibadah umrah."
        ),
        T(
            "Sehubungan dengan persyaratan SKCK, saya {name} menyatakan dengan jujur bahwa saya "
            "{criminal}. Mohon arahan mengenai proses selanjutnya."
        ),
        T(
            "Dengan hormat, bersama surat ini saya, {name}, NIK {nik}, status {marital}, "
            "memohon penerbitan surat keterangan tidak mampu untuk keperluan beasiswa anak."
        ),
        T(
            "Yth. Bank Penyalur Bansos,\nMohon konfirmasi pencairan BLT ke rekening {bank} "
            "{rek} a.n. {name}. Nomor HP terdaftar {phone}."
        ),
    ),
    "whatsapp": (
        T("pagi min 🙏 sy mau tanya, ktp sy hilang, nik {nik} , gmn cara urus yg baru ya?"),
        T(
            "kak tlg cek dong nik {nik.compact} udh terdaftar dtks blm? sy blm dpt bansos dr "
            "bulan lalu 😭"
        ),
        T("min knp ya bpjs sy no {bpjs} dinonaktifkan? pdhl sy rutin kontrol {health} tiap bulan"),
        T("halo, sy {name.lower} mau ganti no hp di data dukcapil jd {phone} bisa ga?"),
        T(
            "kk sy {kk} blm ada nama anak sy yg baru lahir, namanya {name.lower#2c}, lahir tgl "
            "{dob.num#2c}. syaratnya apa aja min?"
        ),
        T("wa sy {phone.wa} ya kak, nanti kirim link formnya kesitu 🙏"),
        T("email sy {email} blm dpt kode verifikasi IKD, tlg dicek ya min"),
        T("min sy udh bayar pajak motor {plate} tp di aplikasi blm update 😤"),
        T("tlg transfer ke rek {bank} {rek} an {name} ya kak utk pengembalian dana"),
        T("sy {marital.chat} skrg, perlu ubah status di KK ga min?"),
        T(
            "assalamualaikum, mau tanya ktp sy a.n. {name.lower} agama nya salah, harusnya "
            "{religion} 🙏"
        ),
        T("pak {name.first}, sy sdh kirim foto ktp ke nmr {phone} ya"),
        T("paspor sy no {passport} bentar lg habis, bisa perpanjang di kanim mana aja?"),
        T("blm bs login mpp online, nik {nik.compact} tgl lahir {dob.num} katanya tdk sesuai 😩"),
        T("min alamat sy {address.chat} masuk kecamatan mana ya?"),
        T("sim sy {sim} mati tgl {date}, msh bisa perpanjang ga ya?"),
        T("bayar paspor pake kartu kredit {card} gagal terus min, gmn?"),
        T("gan sy {gender.word} umur 35, {marital.chat}, blh daftar KIS mandiri?"),
        T("anak sy {name.lower#2c} lahir {dob.long#2c} di rs, akte nya blm jadi2 min"),
        T(
            "bapak sy {name#2m} lg sakit {health#2m}, ga bs dtg ke kantor. rekam ektp nya bs "
            "diwakilkan ga?"
        ),
        T(
            "sy [[NATIONALITY:WNI]] tp tinggal di malaysia, no hp sy {phone.intl}, bs urus ktp "
            "dr sana?"
        ),
        T("pak {name.first} nomor npwp sy {npwp} ya, tlg dicek udh aktif blm"),
        T("min td sy isi form pake ip {ip} kok ditolak? 🙏"),
        T("ok kak, nama lengkap {name}, nik {nik}, hp {phone}"),
        T("misi min, kk sy no {kk.spaced} mau pecah kk krn sy udh nikah"),
        T("sy mau lapor, suami sy {name#2m} {criminal#2m}, skrg mau bikin kk sendiri bs ga?"),
        T("min knp bpjs ibu sy {name#2f} ({bpjs#2f}) blm aktif, pdhl udh bayar 🙏🙏"),
        T("halo, no plat mobil sy {plate.compact}, kena tilang elektronik pdhl ga lewat situ"),
        T("bu {name.first}, ini nomor rekening sy: {rek} ({bank})"),
        T("td sdh email ke {email} tp blm dibls. sy {name}"),
        T("min ini ip wifi rumah sy {ip}, knp ga bs buka web imigrasi ya"),
    ),
    "typo": (
        T("slmt siang, sya mau tnya nomer nik sya {nik} knapa tdk trdaftar di bpjs ya"),
        T("tolomg di bantu,, kk sya nmr {kk} hilng krna bnjir kmrn"),
        T("nmr hp sya ganti jd {phone} tlong di update datanya ya kk"),
        T("nama sya {name.lower}, nik {nik.odd} , mau tnya ttg bansos pkh"),
        T("alamt sya {address.chat} apa msk zonasi sd negri 3?"),
        T("npwp sya {npwp} ga bsa di pake lapor spt knpa ya"),
        T("sya dlu {criminal}, apa msih bsa bkin skck?"),
        T("tgl lhr sya {dob.num} tp di ktp tertlis salah, gmna cra gantinya"),
        T("no rek bri sya {rek} atas nma {name} tlg di cek dana blt nya"),
        T("anak sya nma nya {name#2c} lhr {dob.long#2c}, akta blm jd smpe skrg"),
        T("hp sya {phone.odd} wa aj ya"),
        T("maaf sya slh ketik, email yg bnr {email}"),
        T("nopol motor sya {plate.lower} ganti pmlik, syrat nya apa"),
        T("istri sya {name#2f} skt {health#2f}, bs d wakilin ambl kis nya?"),
        T("sim sya no {sim.compact} ilang, bkin baru apa perpanjng?"),
        T("nik:{nik.compact} nama:{name.upper} mhon di cek status bansos"),
        T("sya {gender.word} , agma {religion} , status {marital} , udh bnr blm dtanya?"),
        T("paspor no {passport} mw perpanjng tp data nm {name} beda sma ktp"),
        T("nmr kartu bpjs {bpjs} ga kebaca di apotek, knpa y"),
        T("ip addres sya {ip} kena blokir wktu daftar cpns"),
        T("kartu kredt {card.compact} kepotong 2x bayar pajak kndaraan"),
    ),
    "form": (
        T(
            "PROVINSI {province.upper}\n{city.upper}\nNIK : {nik.compact}\nNama : {name.upper}\n"
            "Tempat/Tgl Lahir : {birthplace.upper}, {dob.num}\nJenis Kelamin : {gender.upper}\n"
            "Alamat : {street}\nRT/RW : {rtrw}\nKel/Desa : {kel}\nKecamatan : {kec}\n"
            "Agama : {religion.upper}\nStatus Perkawinan : {marital.upper}\n"
            "Pekerjaan : {job.upper}\nKewarganegaraan : {nationality}\n"
            "Berlaku Hingga : SEUMUR HIDUP"
        ),
        T(
            "FORMULIR BIODATA KELUARGA\nNo. KK : {kk}\nNama Kepala Keluarga : {name}\n"
            "Alamat : {address.mid}\nNo. HP : {phone}\nEmail : {email}"
        ),
        T(
            "Nama Lengkap : {name}\nNIK : {nik}\nTTL : {birthplace}, {dob.long}\n"
            "No. HP/WA : {phone}\nAlamat Domisili : {address.full}\nKeperluan : Pembuatan SKCK"
        ),
        T(
            "Nama Wajib Pajak : {name.upper}\nNPWP : {npwp.old}\nNIK : {nik}\n"
            "Alamat : {address.full}\nKPP : Pratama {birthplace}"
        ),
        T(
            "No. Kartu : {bpjs}\nNama Peserta : {name}\nTgl. Lahir : {dob.num}\n"
            "Faskes Tingkat I : {pkm}\nKelas Rawat : III"
        ),
        T(
            "NIP : {nip}\nNama : {name}, {title}\nJabatan : Analis Kebijakan\n"
            "Unit Kerja : Badan Kepegawaian Daerah {city}"
        ),
        T(
            "No. Polisi : {plate}\nNama Pemilik : {name.upper}\nAlamat : {address.mid.upper}\n"
            "Merk/Type : HONDA VARIO 125\nTahun Pembuatan : {year}"
        ),
        T(
            "Nama : {name#1w}\nNo. Paspor : {passport#1w}\nKewarganegaraan : {nationality#1w} "
            "({nationality.country#1w})\nJenis Kelamin : {gender#1w}\nTgl Lahir : {dob.num#1w}"
        ),
        T(
            "NIK : {nik}\nNo. KK : {kk}\nNama : {name}\nStatus Perkawinan : {marital}\n"
            "Pekerjaan : {job}\nPenghasilan/bulan : {amount}"
        ),
        T(
            "Nama Pasien : {name}\nTgl Lahir : {dob.num}\nNo. BPJS : {bpjs}\n"
            "Diagnosa : {health} ({health.icd})\nDokter : dr. {name#2}"
        ),
        T(
            "Nama : {name}\nNo. SIM : {sim}\nGol. SIM : A\nTgl Lahir : {dob.num}\n"
            "Alamat : {address.mid}"
        ),
        T(
            "Nama pada Kartu : {name.upper}\nNomor Kartu : {card}\nBerlaku s/d : 08/27\n"
            "Jumlah : {amount}"
        ),
        T("User : {email}\nIP : {ip}\nWaktu : {date.iso} {time}\nStatus : LOGIN GAGAL"),
        T("Nama : {name}\nNIK : {nik}\nRiwayat Perkara : {criminal}\nKeperluan : Melamar kerja"),
        T(
            "Nama Ayah : {name#2m}\nNIK Ayah : {nik#2m}\nNama Ibu : {name#3f}\n"
            "NIK Ibu : {nik#3f}\nNama Anak : {name#4c}\nTgl Lahir Anak : {dob.num#4c}\n"
            "Jenis Kelamin Anak : {gender#4c}"
        ),
        T("Nama Penerima : {name}\nNo. Rekening : {rek}\nBank : {bank}\nNo. HP : {phone}"),
        T("Telp. Rumah : {phone.land}\nHP : {phone}\nEmail : {email}"),
        T(
            "Metode Bayar : Kartu Kredit\nNo. Kartu : {card.test}\nAtas Nama : {name.upper}\n"
            "Jumlah : {amount}"
        ),
        T(
            "Data Pemohon\n- Nama: {name}\n- Jenis kelamin: {gender}\n- Agama: {religion}\n"
            "- Kewarganegaraan: {nationality}\n- Alamat: {address.desa}"
        ),
    ),
    "officer_note": (
        T(
            "Catatan petugas: pemohon {hon} {name} (NIK {nik}) datang ke loket 3 pada {date}. "
            "Berkas KK {kk} lengkap, diproses hari ini."
        ),
        T(
            "Pemohon a.n. {name} mengajukan perubahan status perkawinan dari "
            "[[MARITAL_STATUS:Belum Kawin]] menjadi [[MARITAL_STATUS:Kawin]]; buku nikah "
            "terlampir. Hub. {phone}."
        ),
        T(
            "Tindak lanjut: verifikasi lapangan ke {address.full} untuk calon penerima PKH "
            "{name} ({nik}). Kondisi rumah tidak layak huni."
        ),
        T(
            "Disposisi: cek data ganda NIK {nik} dan {nik#2}. Keduanya atas nama {name} tetapi "
            "tanggal lahir berbeda."
        ),
        T(
            "Pemohon WNA {name#1w}, paspor {passport#1w}, kebangsaan {nationality.country#1w}, "
            "mengajukan SKTT. Sponsor: {name#2}, {hp_label} {phone#2}."
        ),
        T(
            "Verifikasi wajib pajak {name}, NPWP {npwp}: status {marital}, tanggungan 2 anak. "
            "Tidak ada tunggakan."
        ),
        T(
            "Pasien rujukan {name}, BPJS {bpjs}, dx {health} ({health.icd}). Keluarga dapat "
            "dihubungi di {phone}."
        ),
        T("Laporan: pemohon SKCK {name} tercatat {criminal}; berkas diteruskan ke Kasat Intelkam."),
        T("Pengaduan dari {email}: akun SIAK terkunci setelah 5x gagal login dari IP {ip}."),
        T("Kendaraan {plate} milik {name} terdaftar di {address.mid}; pajak terutang {amount}."),
        T("Pemohon {sdr} {name} minta ganti nomor HP dari {phone} ke {phone.dash#2}."),
        T("Rekap: {name} ({gender.short}), lahir {dob.num}, agama {religion}, pekerjaan {job}."),
        T(
            "Pencairan BLT a.n. {name} ke rek. {bank} {rek} gagal: nama di rekening tidak sesuai "
            "dengan DTKS."
        ),
        T("Perekaman biometrik {tn} {name} ditunda, pemohon sedang dirawat karena {health}."),
        T(
            "Berkas akta kelahiran: anak {name#2c}, {gender#2c}, lahir {dob.long#2c}; ayah "
            "{name#3m} (NIK {nik#3m}), ibu {name#4f} (NIK {nik#4f})."
        ),
        T("SIM {sim} a.n. {name} diblokir sementara; pemilik {criminal}."),
        T("Konfirmasi: NIP {nip} a.n. {name}, {title} sudah dimutakhirkan di SIASN."),
        T("Pemohon {name} ({nationality}) mengajukan pindah datang dari {address.perum}."),
        T(
            "Catatan: pemohon atas nama {name} mengaku {marital.chat}, namun di KK tercatat "
            "[[MARITAL_STATUS:Kawin]]. Minta dokumen pendukung."
        ),
        T("Log akses mencurigakan ke data pemohon dari IP {ip.v6} memakai akun {email}."),
        T("Telah dilakukan konsolidasi NIK {nik.dotted} a.n. {name.upper}; data sudah sesuai."),
    ),
    "ai_answer": (
        T(
            "Baik, {hon} {name}. Berikut ringkasan data yang Anda kirim:\n- NIK: {nik}\n"
            "- No. KK: {kk}\n- Alamat: {address.full}\nUntuk penggantian KTP-el yang hilang, "
            "silakan bawa surat kehilangan dari kepolisian ke {office}."
        ),
        T(
            "Terima kasih. NPWP {npwp} atas nama {name} sudah saya catat. Sejak 2024, NIK "
            "Anda ({nik}) juga berlaku sebagai NPWP, sehingga Anda dapat login dengan NIK."
        ),
        T(
            "Nomor BPJS Kesehatan {bpjs} yang Anda sebutkan berstatus nonaktif. Karena Anda "
            "sedang menjalani pengobatan {health}, segera aktifkan kembali melalui aplikasi "
            "Mobile JKN atau hubungi {callcentre}."
        ),
        T(
            "Saya tidak dapat mengubah data Anda secara langsung. Untuk mengganti nomor HP "
            "terdaftar dari {phone} ke {phone#2}, datanglah ke {office} dengan membawa KTP-el."
        ),
        T(
            "Berdasarkan data yang Anda berikan ({name}, lahir {dob.long}, {gender}), Anda "
            "memenuhi syarat usia untuk membuat SIM A."
        ),
        T(
            "Permohonan akta kelahiran untuk {name#2c} (lahir {dob.long#2c}) dapat diajukan oleh "
            "orang tua, {hon} {name}, dengan melampirkan KK {kk} dan surat keterangan lahir."
        ),
        T(
            "Status perkawinan Anda akan diubah dari [[MARITAL_STATUS:Kawin]] menjadi "
            "[[MARITAL_STATUS:Cerai Hidup]] setelah akta cerai tertanggal {date} dicatat."
        ),
        T("Email {email} dan nomor {phone} sudah terverifikasi untuk akun IKD atas nama {name}."),
        T(
            "Kartu kredit {card} tidak dapat digunakan untuk membayar PNBP paspor. Gunakan kode "
            "billing SIMPONI melalui bank atau kantor pos."
        ),
        T(
            "Nomor rekening {bank} {rek} a.n. {name} sudah sesuai untuk pencairan bansos. Dana "
            "akan masuk paling lambat {date}."
        ),
        T(
            "Data kendaraan: {plate}, atas nama {name}, alamat {address.short}. Pajak dapat "
            "dibayar melalui SAMSAT online."
        ),
        T(
            "Catatan: Anda menyebutkan agama {religion} dan status {marital}. Data ini termasuk "
            "data pribadi; sebaiknya tidak dibagikan di percakapan."
        ),
        T(
            "Menurut informasi Anda, {hon} {name} {criminal}. Penerbitan SKCK tetap "
            "dimungkinkan; catatan tersebut akan tercantum di dalamnya."
        ),
        T(
            "Paspor nomor {passport} atas nama {name} akan habis berlaku pada {date}. "
            "Perpanjangan dapat diajukan melalui aplikasi M-Paspor."
        ),
        T(
            "Nomor SIM {sim} terdaftar atas nama {name}, tanggal lahir {dob.num}. Perpanjangan "
            "paling lambat pada hari ulang tahun Anda."
        ),
        T(
            "Sesuai {reg}, data seperti NIK {nik} dan nomor HP {phone} Anda tidak akan kami "
            "simpan setelah percakapan ini selesai."
        ),
        T(
            "Here is what I found for {name}: NIK {nik}, date of birth {dob.en}, "
            "{gender.en}, {religion.en}. Please confirm these details.",
            "en",
        ),
        T(
            "Login terakhir ke akun Anda berasal dari IP {ip} pada {date}. Jika itu bukan Anda, "
            "segera ganti kata sandi."
        ),
        T(
            "Untuk NIP {nip} ({name}), data kenaikan pangkat sudah tercatat. Silakan unduh SK "
            "melalui MyASN."
        ),
        T(
            "Berikut data yang akan dicetak pada KK baru:\n1. {name}, kepala keluarga, "
            "{gender}\n2. {name#2f}, istri, {gender#2f}\n3. {name#3c}, anak, lahir "
            "{dob.num#3c}"
        ),
    ),
    "mixed_en": (
        T(
            "Hi, I'm {name} and my NIK is {nik}. I lost my e-KTP last week, how do I get a new "
            "one?",
            "en",
        ),
        T(
            "Hello, my passport number is {passport#1w} and I'm a {nationality.en#1w} citizen. "
            "Can I apply for a KITAS online?",
            "en",
        ),
        T(
            "pls help, my BPJS card {bpjs} was deactivated. I have {health.en} and need my meds 🙏",
            "en",
        ),
        T("Can you check whether my email {email} is linked to my NPWP {npwp}? Thx", "en"),
        T("Halo admin, sorry mau tanya, my KK number {kk} not found in the system, kenapa ya?"),
        T(
            "Dear officer, I am writing on behalf of my mother, {name#2f}, born {dob.en#2f}, "
            "who is {marital.en#2f} and lives at {address.full#2f}.",
            "en",
        ),
        T(
            "My phone {phone.intl} is still registered under my old NIK {nik}, please update it.",
            "en",
        ),
        T(
            "I'm {gender.en}, {religion.en} and {marital.en}. Do I need to fill all of these "
            "in on the form?",
            "en",
        ),
        T("Refund ke account {bank} saya ya: {rek} a.n. {name}. Thanks!"),
        T("My address is {address.full}. Please send the new KTP there.", "en"),
        T("Our server logged the request from IP {ip}, user {email}.", "en"),
        T("My driving licence (SIM) number is {sim} and it expires on {date.en}.", "en"),
        T("the car plate is {plate}, owner {name}, can u check the tax?", "en"),
        T("My brother {name#2m} {criminal.en#2m}. Can he still get an SKCK?", "en"),
        T("I paid with card {card} but the visa-on-arrival payment failed.", "en"),
        T("NIP saya {nip}, I need my civil servant data corrected asap"),
        T("Hi, my name is {name}, born {dob.en}. My phone is {phone}.", "en"),
        T("Please send the form to {email}, my WA is {phone.wa}. Makasih!"),
        T(
            "Hello, I am {name#1w} ({nationality.en#1w}), married to {name#2} who is "
            "[[NATIONALITY:Indonesian]]. How do we register our marriage?",
            "en",
        ),
        T("Update: my KK {kk} and NIK {nik} are both correct now, thank you!", "en"),
        T("Can my wife {name#2f} use my BPJS {bpjs}? She has {health.en#2f}.", "en"),
        T("Patient {name}, DOB {dob.iso}, dx {health.icd}. Contact: {email}", "en"),
    ),
    "negative": (
        T(
            "Biaya pembuatan paspor elektronik 10 tahun sebesar {amount}, dibayar melalui kode "
            "billing {billing}."
        ),
        T(
            "Sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, data pribadi wajib "
            "dilindungi oleh setiap pengendali data."
        ),
        T(
            "Berdasarkan Permendagri 108/2019, KTP-el berlaku seumur hidup selama tidak ada "
            "perubahan elemen data."
        ),
        T(
            "PP 71/2019 mengatur penyelenggaraan sistem dan transaksi elektronik, termasuk "
            "kewajiban menjaga kerahasiaan data."
        ),
        T("Nomor surat: {letter_no}, perihal undangan rapat koordinasi pada {date}."),
        T("Layanan pengaduan Dukcapil: call center {callcentre}. Keadaan darurat hubungi 112."),
        T("Order ID {order16} sudah dikirim, estimasi tiba {date}."),
        T("Nomor invoice {order16.spaced} dengan total tagihan {amount} jatuh tempo {date}."),
        T("Aplikasi Identitas Kependudukan Digital versi {version} sudah tersedia di Play Store."),
        T("Request ID {guid} gagal diproses, silakan ulangi beberapa saat lagi."),
        T("Jadwal perekaman KTP-el keliling: {date} pukul {time} di Balai Desa Sukamaju."),
        T("Kantor {office} beralamat di {office_addr}, buka Senin-Jumat pukul 08.00-15.00."),
        T("Total anggaran bantuan sosial tahun ini {amount_big}, terserap {pct}."),
        T("Antrian nomor {queue} silakan menuju loket 2."),
        T(
            "Syarat membuat KK baru: surat pengantar RT/RW, buku nikah atau akta perkawinan, dan "
            "KTP-el kedua orang tua."
        ),
        T("Program skrining hipertensi dan diabetes gratis di {pkm} setiap Sabtu pagi."),
        T("Kantor tutup pada hari libur nasional Idul Fitri dan Natal; layanan daring tetap buka."),
        T(
            "Pencatatan perkawinan bagi pemeluk agama selain Islam dilakukan di Disdukcapil, "
            "bukan di KUA."
        ),
        T(
            "Formulir F-1.06 digunakan untuk pelaporan perubahan status perkawinan dan elemen "
            "data lainnya."
        ),
        T("Pasal 58 ayat (2) UU 24/2013 jo. UU 23/2006 mengatur elemen data perseorangan."),
        T("Kuota vaksinasi BCG untuk pencegahan TBC anak di kecamatan ini {count} dosis."),
        T("Pembayaran PBB paling lambat {date} melalui bank persepsi atau kantor pos."),
        T("Pemeliharaan server pada {date} pukul 22.00-02.00 WIB; versi API {version}."),
        T("Biaya pembuatan SIM A baru {amount}, perpanjangan Rp 80.000 sesuai PP 76/2020."),
        T("Loket pengambilan KTP-el ada di Ruang B 203, gedung MPP lantai 2."),
        T("Statistik: {count} penduduk telah memiliki KTP-el, {pct} dari target nasional."),
        T("Nomor tiket pengaduan Anda {ticket}; simpan untuk mengecek status."),
        T("Kantor Kecamatan {kec_office} melayani wilayah dengan kode pos 40132 sampai 40135."),
        T(
            "NIK terdiri dari 16 digit: 6 digit kode wilayah, 6 digit tanggal lahir, dan 4 digit "
            "nomor urut."
        ),
        T("Nomor referensi transaksi {order16} berhasil; simpan bukti pembayaran ini."),
        T("The office is closed on {date.en}; our helpdesk number is 14045.", "en"),
        T("Error 0x80070005 in build {version}; please retry later.", "en"),
        T("Jam layanan Samsat keliling: 08.00-12.00 WIB, Senin sampai Sabtu."),
        T("Nomor perkara {small}/Pdt.G/{year}/PA.Bdg dijadwalkan sidang pada {date}."),
        T("Dana desa tahap II sebesar {amount_big} telah cair pada {date}."),
        T("Ukuran pas foto untuk paspor 4x6 cm dengan latar belakang putih."),
        T(
            "Gunakan peramban versi terbaru, misalnya Chrome 120.0.6099.109, untuk mengakses "
            "layanan."
        ),
        T(
            "Jumlah pemohon bulan ini: {count} orang, terdiri dari laki-laki 1.702 dan "
            "perempuan 1.756."
        ),
        T(
            "Sanksi pidana penjara paling lama 6 tahun bagi pemalsu dokumen kependudukan "
            "(Pasal 94 UU 24/2013)."
        ),
        T("NIK yang valid tidak pernah diawali angka 00 dan tidak boleh bernomor urut 0000."),
        T("Jumlah WNA yang tercatat sebagai penduduk di kota ini {count} orang."),
        T("Pendaftaran nikah massal gratis dibuka sampai {date}."),
        T("Telepon kantor {office_tel} ext. 105, Senin sampai Jumat."),
        T("Kode booking tiket pesawat Anda XJ7K2P, terminal 3."),
        T("Indeks pembangunan manusia kota ini 82,35; rasio guru dan murid 1:18."),
        T("Surat edaran nomor {letter_no} berlaku mulai {date}."),
        T("Tanggal lahir pada KTP-el mengikuti tanggal yang tercantum di akta kelahiran."),
        T("Biaya administrasi transfer antarbank Rp 6.500 per transaksi."),
        T("Loket BPJS Kesehatan di MPP buka pukul 08.00 sampai 14.00."),
        T("Invoice {order16} total {amount}, due {date.en}.", "en"),
        T("Version {version} fixes a login bug reported on {date.en}.", "en"),
        T("Call 112 for emergencies or 1500-537 for civil registration questions.", "en"),
        T("Trace {guid} completed in 182 ms with status 200.", "en"),
        T("The PDP Law (UU No. 27 Tahun 2022) takes full effect in October 2024.", "en"),
        T("Sesuai {reg}, penyelenggara wajib menunjuk pejabat pelindungan data pribadi."),
        T("Realisasi penerimaan pajak daerah: {amount_big} atau {pct} dari target."),
        T("Nomor agenda {letter_no} tanggal {date} perihal sosialisasi KTP digital."),
        T("Waktu tunggu rata-rata layanan akta kelahiran 3 hari kerja; target 1 hari."),
        T("Bantuan pangan beras 10 kg disalurkan kepada {count} keluarga penerima manfaat."),
        T("Kode wilayah {area_code} dipakai dalam nomor induk penduduk yang terdaftar di sana."),
        T("Pengumuman seleksi CPNS: formasi lulusan S1 dengan IPK minimal 3,00."),
        T("Kapasitas gedung 1.500 orang; parkir motor di basement B1 dan B2."),
        T("Nomor pengaduan {ticket} telah diteruskan ke {office} pada {date}."),
        T("Rapat evaluasi layanan dihadiri 45 peserta dari 12 kecamatan."),
        T("Mohon maaf, layanan cetak KTP-el sedang gangguan sampai {date}."),
        # Chat-style and answer-style messages without personal data.
        T("min kantor dukcapil buka jam brp ya? 🙏"),
        T("kak syarat bikin akta kelahiran apa aja? yg lahir di rumah bidan"),
        T("halo, antrian online mpp kok penuh terus ya dr tgl {date}"),
        T("gmn cara cek status bansos? udh 3 bulan blm cair 😭"),
        T("tlg info biaya perpanjang sim c dong min"),
        T("apakah ktp digital (IKD) sdh bs dipake buat buka rekening bank?"),
        T("min link formulir pindah domisili yg baru apa ya? yg lama error 404"),
        T("ok makasih min 🙏🙏"),
        T("td sy dtg ke loket, nomor antrian {queue}, tp petugasnya blm ada"),
        T("kalau e-ktp rusak perlu surat kehilangan dr polsek ga?"),
        T("cara bayar pajak motor lewat aplikasi gmn ya, sy coba tp error kode 502"),
        T("Berapa lama proses pembuatan paspor di kantor imigrasi? Apakah bisa selesai 3 hari?"),
        T("Thanks, the KTP pickup counter is in building B, right?", "en"),
        T("How long does it take to get a birth certificate here?", "en"),
        T("Is the civil registry office open on Saturday, {date.en}?", "en"),
        T("Harga meterai Rp 10.000, fotokopi KK Rp 500 per lembar."),
        T("Berkas diterima: 1 lembar F-1.01, 2 lembar fotokopi KK, 1 surat pengantar RT/RW."),
        T("Rapat pukul 13.30 di ruang rapat lantai 3, agenda evaluasi SPM {year}."),
        T(
            "Untuk membuat KTP-el baru, siapkan fotokopi KK dan surat pengantar RT/RW, lalu "
            "datang ke Disdukcapil sesuai domisili. Layanan ini gratis."
        ),
        T(
            "Status bansos dapat dicek di cekbansos.kemensos.go.id dengan memilih wilayah "
            "terlebih dahulu."
        ),
        T("Nomor antrean Anda {queue}. Perkiraan dipanggil pukul {time}."),
        T("Perubahan data agama di KK memerlukan surat pernyataan dan dokumen pendukung."),
        T("Bagi WNA, izin tinggal diurus di kantor imigrasi, bukan di Disdukcapil."),
        T("Skrining kesehatan jiwa gratis bagi pelajar SMA diadakan di semua kecamatan."),
    ),
}

COUNTS = {
    "formal": 40,
    "whatsapp": 60,
    "typo": 35,
    "form": 45,
    "officer_note": 40,
    "ai_answer": 40,
    "mixed_en": 44,
    "negative": 130,
}


def _extra_fillers(kind: str, rng: random.Random) -> str | None:
    if kind == "hp_label":
        return rng.choice(("HP", "telp.", "WA"))
    return None


def render(template: Template, rng: random.Random) -> tuple[str, list[dict[str, object]]]:
    """The message text and its entity spans."""
    flags: dict[int, str] = {}
    for m in MARK.finditer(template.text):
        if m.group("kind"):
            idx = int(m.group("idx") or 1)
            flags[idx] = flags.get(idx, "") + (m.group("flags") or "")
    personas = {idx: make_persona(rng, flags[idx]) for idx in sorted(flags)}
    cache: dict[tuple[str, str, int], str] = {}
    out: list[str] = []
    entities: list[dict[str, object]] = []
    pos = last = 0
    for m in MARK.finditer(template.text):
        literal = template.text[last : m.start()]
        out.append(literal)
        pos += len(literal)
        last = m.end()
        if m.group("type"):
            label, value = m.group("type"), m.group("text")
        else:
            kind, mods = m.group("kind"), m.group("mods").lstrip(".")
            idx = int(m.group("idx") or 1)
            key = (kind, mods, idx)
            if key not in cache:
                names = [x for x in mods.split(".") if x]
                variant = next((x for x in names if x not in CASES), "")
                extra = _extra_fillers(kind, rng)
                value = (
                    extra if extra is not None else render_value(rng, kind, variant, personas[idx])
                )
                for name in names:
                    if name in CASES:
                        value = CASES[name](value)
                cache[key] = value
            value = cache[key]
            label = ENTITY_KINDS.get(kind, "")
        if label:
            assert value, template.text
            assert value == value.strip(), (template.text, value)
            entities.append({"type": label, "start": pos, "end": pos + len(value)})
        out.append(value)
        pos += len(value)
    out.append(template.text[last:])
    text = "".join(out)
    return text, entities


def build_corpus(seed: int = SEED) -> list[dict[str, object]]:
    """Every message of the corpus, in file order."""
    rng = random.Random(seed)
    messages: list[dict[str, object]] = []
    for style, templates in TEMPLATES.items():
        # Every template once, then more draws only from templates with a marker, so that no
        # message repeats word for word.
        varying = [t for t in templates if MARK.search(t.text)]
        for i in range(COUNTS[style]):
            if i < len(templates):
                template = templates[i]
            else:
                template = varying[(i - len(templates)) % len(varying)]
            text, entities = render(template, rng)
            if style == "negative":
                assert not entities, text
            else:
                assert entities, text
            messages.append(
                {
                    "id": f"{style}-{i + 1:03d}",
                    "style": style,
                    "language": template.language,
                    "text": text,
                    "entities": entities,
                }
            )
    texts = [m["text"] for m in messages]
    assert len(set(texts)) == len(texts), "a message repeats word for word"
    return messages


def serialize(messages: list[dict[str, object]]) -> str:
    return "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    content = serialize(build_corpus())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != content:
            print(f"{args.output} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(content, encoding="utf-8")
    print(f"wrote {args.output} ({content.count(chr(10))} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
