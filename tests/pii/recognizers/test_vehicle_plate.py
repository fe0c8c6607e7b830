"""VehiclePlateRecognizer through the engine. All plates are made up."""

from __future__ import annotations

from functools import partial

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.vehicle_plate import (
    NOT_PLATES,
    PLATE_REGEX,
    PLATE_START,
    REGION_PREFIXES,
    VEHICLE_WORD_ROOTS,
    VEHICLE_WORDS,
    VehiclePlateRecognizer,
)
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), VehiclePlateRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("B 1234 XYZ", "B 1234 XYZ", id="jakarta-3-letters"),
        pytest.param("DD 123 AB", "DD 123 AB", id="makassar"),
        pytest.param("B1234XYZ", "B1234XYZ", id="no-spaces"),
        pytest.param("AB-1234-CD", "AB-1234-CD", id="dashes"),
        pytest.param("Mobil L 1234 AB parkir di depan", "L 1234 AB", id="sentence"),
        pytest.param("The car with plate AD 4321 ZZ left at 9.", "AD 4321 ZZ", id="english"),
        pytest.param("td liat motor N 5678 ABC ga?", "N 5678 ABC", id="whatsapp"),
        pytest.param("Kendaraan BK 99 XY ditilang", "BK 99 XY", id="two-digits"),
        pytest.param("Nopol : PT 1234 A\nMerk : Toyota", "PT 1234 A", id="form-new-papua-code"),
        pytest.param("(B 1234 XYZ)", "B 1234 XYZ", id="in-parentheses"),
        pytest.param("Kendaraan B  1234  XYZ", "B  1234  XYZ", id="double-spaces"),
        pytest.param("Mobil B\t1234\tXYZ", "B\t1234\tXYZ", id="tabs"),
        pytest.param("Nopol : B\u00a01234\u00a0XYZ", "B\u00a01234\u00a0XYZ", id="no-break-spaces"),
        pytest.param("plat mobil sy B1234 XYZ", "B1234 XYZ", id="glued-then-spaced"),
        pytest.param("nopol B 1234XYZ", "B 1234XYZ", id="spaced-then-glued"),
        pytest.param("motor AB-1234 CD", "AB-1234 CD", id="dash-then-space"),
        pytest.param("kendaraan B.1234.XYZ", "B.1234.XYZ", id="dots"),
        pytest.param("nopol motor sya pa 9212 as ganti pmlik", "pa 9212 as", id="chat-lower"),
        pytest.param("motor sy dk 4494 ps mati pajak", "dk 4494 ps", id="chat-motor"),
        pytest.param("pajak mobil b 1234 abc telat", "b 1234 abc", id="chat-mobil"),
        pytest.param("platnya b1234xyz min", "b1234xyz", id="chat-glued"),
        pytest.param("no pol sy b  1234  abc", "b  1234  abc", id="chat-double-spaces"),
        pytest.param("nopol B 1234 abc", "B 1234 abc", id="chat-mixed-case"),
        pytest.param("my car plate is be 9910 as", "be 9910 as", id="chat-english"),
        pytest.param("nopol: b 1234 rb", "b 1234 rb", id="chat-unit-series-with-nopol"),
        pytest.param("Kendaraan B 1234 DAN", "B 1234 DAN", id="word-series-capitals"),
    ],
)
def test_when_a_full_plate_is_written_then_it_is_found(text: str, value: str) -> None:
    assert found(text) == spans(text, ("ID_VEHICLE_PLATE", value))


@pytest.mark.parametrize(
    ("text", "score"),
    [
        pytest.param("B 1234 XYZ", 0.6, id="full-alone"),
        pytest.param("Nopol: B 1234 XYZ", 0.95, id="full-with-nopol"),
        pytest.param("plat B 1 ABC", 0.65, id="one-digit-with-plat"),
        pytest.param("TNKB D 123", 0.65, id="no-letters-with-tnkb"),
        pytest.param("nomor polisi B 12", 0.65, id="short-with-nomor-polisi"),
        pytest.param("plat DK 1", 0.65, id="official-one-digit-no-letters"),
        pytest.param("B  1234  XYZ", 0.6, id="double-spaces-alone"),
        pytest.param("motor b 1234 abc", 0.65, id="chat-with-motor"),
        pytest.param("mobil B1234 XYZ", 0.65, id="mixed-separators-with-mobil"),
    ],
)
def test_when_a_plate_word_is_near_then_the_score_rises_and_short_shapes_count(
    text: str, score: float
) -> None:
    (finding,) = ENGINE.analyze(text)
    assert (finding.type, finding.score) == ("ID_VEHICLE_PLATE", score)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B 12", id="no-series-letters"),
        pytest.param("B 1 RI", id="one-digit"),
        pytest.param("X 1234 AB", id="unknown-prefix-x"),
        pytest.param("Q 1234 AB", id="unknown-prefix-q"),
        pytest.param("BC 1234 AB", id="unknown-prefix-bc"),
        pytest.param("B 0123 XY", id="leading-zero"),
        pytest.param("B 12345 XY", id="five-digits"),
        pytest.param("B 1234 WXYZ", id="four-letters"),
        pytest.param("b 1234 xyz", id="lower-case-without-vehicle-word"),
        pytest.param("B1234 XYZ", id="mixed-separators-without-vehicle-word"),
        pytest.param("B.1234.XYZ", id="dots-without-vehicle-word"),
        pytest.param("B 1234 DAN", id="word-series-without-vehicle-word"),
        pytest.param("AB1234CD5", id="inside-longer-code"),
        pytest.param("INVB1234XYZ", id="letters-before"),
        pytest.param("nopol B    1234 XYZ", id="four-spaces"),
        pytest.param("nopol x 1234 ab", id="chat-unknown-prefix"),
        pytest.param("nopol b 0123 xy", id="chat-leading-zero"),
        pytest.param("motor b 1234 wxyz", id="chat-four-letters"),
    ],
)
def test_when_the_text_cannot_be_a_plate_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Alamat RT 03/RW 04 Kel. Sukasari", id="rt-rw"),
        pytest.param("Jl. Mawar No 12 A", id="house-number"),
        pytest.param("Sesuai PP 71 Tahun 2019", id="pp"),
        pytest.param("Menurut UU 27 Tahun 2022 tentang PDP", id="uu"),
        pytest.param("Perpres 95 Tahun 2018 tentang SPBE", id="perpres"),
        pytest.param("Permendagri 108 Tahun 2019", id="permendagri"),
        pytest.param("Pilihan:\nA 1\nB 2\nC 3", id="list-items"),
        pytest.param("Lulusan S1 UI dan D3 UGM", id="degrees"),
        pytest.param("Sejarah G30S/PKI", id="g30s"),
        pytest.param("Perumahan Blok AB 12 C", id="housing-block"),
        pytest.param("Rapat di Ruang D 201 B", id="room"),
        pytest.param("Kamar B 12 A lantai 3", id="bedroom"),
        pytest.param("Ukuran kertas A4 dan F4", id="paper-sizes"),
        pytest.param("Pandemi COVID-19 tahun 2020", id="covid"),
        pytest.param("Penerbangan GA 404 dan JT 610", id="flights"),
        pytest.param("Hubungi 1500-537 atau 112", id="call-centre"),
        pytest.param("parkir motor di basement B1 dan B2.", id="floors-near-motor"),
        pytest.param("Parkir mobil di lantai B 2 gedung", id="floor-spaced"),
        pytest.param("PARKIR MOBIL LT. B 3 A", id="floor-with-letter"),
        pytest.param("the car park is on level B 2", id="level"),
        pytest.param("Ukuran kertas A4, untuk kendaraan dinas", id="paper-near-kendaraan"),
        pytest.param("Vitamin B12 untuk pengendara motor", id="vitamin-near-motor"),
        pytest.param("vitamin B 12 dan D 3", id="vitamins-spaced"),
        pytest.param("KTT G20 DI BALI, kendaraan delegasi", id="summit-capitals"),
        pytest.param("KTT G20 di Bali, mobil delegasi", id="summit"),
        pytest.param("lulusan S1 UI, punya motor", id="degree-near-motor"),
        pytest.param("Kendaraan R 2 dan R 4 bayar parkir", id="wheel-classes"),
        pytest.param("TARIF PARKIR R4 DAN R2", id="wheel-classes-capitals"),
        pytest.param("kredit motor dp 500 rb", id="down-payment"),
        pytest.param("kredit motor dp 5 jt aja", id="down-payment-millions"),
        pytest.param("pajak motor b 3 bln telat", id="months"),
        pytest.param("my car is a 2015 model", id="english-year"),
        pytest.param("Jalan Tol JORR Seksi W 2, kendaraan dialihkan", id="toll-section"),
        pytest.param("Bus koridor D 21 B, mobil pribadi dilarang", id="bus-route"),
        pytest.param("Jl. A 12 B dekat parkir mobil", id="road"),
        pytest.param("Lihat Tabel B 12 A", id="table"),
        pytest.param("Lampiran D 12 AB", id="annex"),
        pytest.param("mobil Mercedes-Benz E 200 AMG hitam", id="car-model"),
        pytest.param("Motor di Tower B 1234 A", id="tower"),
        pytest.param("Biaya Rp 3.273.012.505", id="amount"),
        pytest.param("Surat 470/123/Disdukcapil/2024", id="letter-number"),
    ],
)
def test_when_text_only_looks_like_a_plate_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_nik_and_a_plate_share_a_form_then_each_is_reported() -> None:
    text = "NIK 3273012505900001, nopol D 1234 ABC"
    assert found(text) == spans(
        text, ("ID_NIK", "3273012505900001"), ("ID_VEHICLE_PLATE", "D 1234 ABC")
    )


@given(
    prefix=st.sampled_from(sorted(REGION_PREFIXES)),
    number=st.integers(10, 9999),
    series=st.from_regex(r"\A[A-Z]{1,3}\Z"),
    separator=st.sampled_from(("", " ", "-")),
)
def test_when_any_full_plate_is_written_then_it_is_found_at_its_span(
    prefix: str, number: int, series: str, separator: str
) -> None:
    assume(f"{prefix}{number}{series}" not in NOT_PLATES)
    written = f"{prefix}{separator}{number}{separator}{series}"
    text = f"Kendaraan {written} melanggar lampu merah."
    assert found(text) == spans(text, ("ID_VEHICLE_PLATE", written))


@given(
    prefix=st.sampled_from(sorted(REGION_PREFIXES)),
    number=st.integers(1, 9999),
    series=st.from_regex(r"\A[a-z]{1,3}\Z"),
    separator=st.sampled_from(("", " ", "  ")),
)
def test_when_a_plate_is_typed_in_lower_case_next_to_nopol_then_it_is_found(
    prefix: str, number: int, series: str, separator: str
) -> None:
    written = f"{prefix.lower()}{separator}{number}{separator}{series}"
    assume(f"{prefix}{number}{series}".upper() not in NOT_PLATES)
    text = f"nopol sy {written} ganti pemilik"
    assert found(text) == spans(text, ("ID_VEHICLE_PLATE", written))


@given(
    prefix=st.sampled_from(sorted(REGION_PREFIXES)),
    number=st.integers(1, 99),
    word=st.sampled_from(("motor", "mobil", "kendaraan", "nopol", "plat", "plate")),
)
def test_when_a_prefix_is_glued_to_a_number_without_letters_then_it_is_never_a_plate(
    prefix: str, number: int, word: str
) -> None:
    text = f"{word} parkir di {prefix}{number} dan {prefix.lower()}{number}"
    assert found(text) == []


def test_a_vehicle_word_written_with_a_folding_letter_still_lets_a_chat_plate_count() -> None:
    # "stnk" with a long s (U+017F) is "stnk" to case-insensitive matching, not to str.lower: the
    # engine's keyword pass cannot see it, so the cheap test must search the text itself.
    text = "pajak \u017ftnk b 1234 abc telat"
    assert found(text) == spans(text, ("ID_VEHICLE_PLATE", "b 1234 abc"))


def test_every_vehicle_word_contains_a_root_of_the_cheap_test() -> None:
    for word in VEHICLE_WORDS:
        assert any(root in word.lower() for root in VEHICLE_WORD_ROOTS), word


_SEPARATORS = st.sampled_from(["", " ", "  ", "   ", "    ", "-", ".", "\u00a0", "\t", "--", "/"])
_NOISE = st.text(st.sampled_from(list("aZx9 _-.(")), max_size=3)
# Plate-like strings (a prefix, a separator, digits, maybe letters) amid noise, and free soup.
_PLATE_LIKE = st.one_of(
    st.builds(
        "{}{}{}{}{}{}{}".format,
        _NOISE,
        st.sampled_from(sorted(REGION_PREFIXES)),
        _SEPARATORS,
        st.text("0123456789", min_size=1, max_size=5),
        _SEPARATORS,
        st.text("ABCXYZ", max_size=4),
        _NOISE,
    ),
    st.lists(
        st.sampled_from([*sorted(REGION_PREFIXES), *"0123456789", " ", "-", ".", "\u00a0", "x"]),
        max_size=14,
    ).map("".join),
)


@settings(max_examples=400)
@given(_PLATE_LIKE)
def test_every_plate_in_capitals_begins_where_the_quick_start_test_finds_one(text: str) -> None:
    # The pattern scan is skipped when the start test finds nothing: it must never miss a match.
    if regex.search(PLATE_REGEX, text) is not None:
        assert PLATE_START.search(text) is not None
