"""KkRecognizer through the engine, next to the NIK recognizer it must share 16-digit numbers with.

All numbers are synthetic: real area codes, valid dates, made-up serials.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.kk import KkRecognizer, valid_kk
from pii.recognizers.nik import NikRecognizer
from tests.pii.recognizers.probe import Span, found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), KkRecognizer()])
KK_ONLY = PiiEngine(recognizers=[KkRecognizer()])


def found(text: str, engine: PiiEngine = ENGINE) -> list[Span]:
    return found_by(engine, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("No. KK 3273010101120003", "3273010101120003", id="no-kk"),
        pytest.param("No. KK : 3273010101120003", "3273010101120003", id="form-colon"),
        pytest.param("Nomor KK: 3273 0101 0112 0003", "3273 0101 0112 0003", id="groups-of-4"),
        pytest.param("NKK 327301 010112 0003", "327301 010112 0003", id="nkk-6-6-4"),
        pytest.param("kartu keluarga no 32.73.01.010112.0003", "32.73.01.010112.0003", id="dotted"),
        pytest.param(
            "Family card number: 3578-0102-0315-0012", "3578-0102-0315-0012", id="english-dashes"
        ),
        pytest.param(
            "kak ini kk aku 1101011506180001 ya, tolong dicek 🙏",
            "1101011506180001",
            id="whatsapp-lowercase",
        ),
        pytest.param(
            "Please verify the family card 3273010101120003 for the applicant.",
            "3273010101120003",
            id="english-sentence",
        ),
        pytest.param(
            "Nama Kepala Keluarga : Budi Santoso\nNo. KK : 3273010101120003\nAlamat : Jl. Mawar",
            "3273010101120003",
            id="form-layout",
        ),
        pytest.param("3273010101120003 adalah nomor KK kami", "3273010101120003", id="word-after"),
        pytest.param("KK lama: 3273010101990003", "3273010101990003", id="issued-19yy"),
    ],
)
def test_when_a_valid_kk_number_has_a_kk_word_then_it_is_reported_as_kk(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_KK", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Nomor 3273010101120003 sudah terdaftar", id="indonesian"),
        pytest.param("Reference 3273010101120003 is on file", id="english"),
    ],
)
def test_when_a_valid_kk_number_has_no_kk_word_then_it_is_reported_as_a_nik(text: str) -> None:
    assert found(text) == spans(text, ("ID_NIK", "3273010101120003"))
    assert found(text, KK_ONLY) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("KK 3273013202120003", id="day-32"),
        pytest.param("KK 3273010113120003", id="month-13"),
        pytest.param("KK 3273012902130003", id="29-feb-not-leap"),
        pytest.param("KK 9901010101120003", id="unknown-province"),
        pytest.param("KK 3273990101120003", id="unknown-district"),
        pytest.param("KK 3273010101120000", id="serial-0000"),
        pytest.param("KK 327301010112000", id="15-digits"),
        pytest.param("KK 32730101011200031", id="17-digits"),
        pytest.param("KK 12343273010101120003", id="inside-longer-number"),
        pytest.param("KK 3273010101120003-7", id="dash-digit-after"),
        pytest.param("KK 3273-0101-0112-0003.5", id="dot-digit-after"),
    ],
)
def test_when_the_digits_cannot_be_a_kk_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_kk_word_labels_a_date_plus_40_then_it_is_a_womans_nik() -> None:
    text = "KK 3273014101120003"  # day 41: a NIK birth date, never a KK issue date
    assert found(text) == spans(text, ("ID_NIK", "3273014101120003"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "NIK saya 3273012505900001, KK 3273010101120003",
            [("ID_NIK", "3273012505900001"), ("ID_KK", "3273010101120003")],
            id="nik-then-kk",
        ),
        pytest.param(
            "KK 3273010101120003, NIK 3273012505900001",
            [("ID_KK", "3273010101120003"), ("ID_NIK", "3273012505900001")],
            id="kk-then-nik",
        ),
        pytest.param(
            "No. KK : 3273010101120003, NIK : 3273012505900001",
            [("ID_KK", "3273010101120003"), ("ID_NIK", "3273012505900001")],
            id="form-labels-one-line",
        ),
        pytest.param(
            "NIK: 3273012505900001\nNo. KK: 3273010101120003",
            [("ID_NIK", "3273012505900001"), ("ID_KK", "3273010101120003")],
            id="form-labels-two-lines",
        ),
        pytest.param(
            "My NIK is 3273012505900001 and our family card is 3273010101120003.",
            [("ID_NIK", "3273012505900001"), ("ID_KK", "3273010101120003")],
            id="english",
        ),
        pytest.param(
            "NIK saya 32730125059000001, KK 3273010101120003",
            [("ID_KK", "3273010101120003")],
            id="17-digit-nik-typo",
        ),
        pytest.param(
            "KK 3273010101120003 dan NIK istri 3273014505920002",
            [("ID_KK", "3273010101120003"), ("ID_NIK", "3273014505920002")],
            id="womans-nik-after-kk",
        ),
    ],
)
def test_when_nik_and_kk_share_a_sentence_then_each_number_gets_its_own_label(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == spans(text, *expected)


def test_when_nik_is_labelled_then_it_stays_a_nik_even_if_it_is_kk_shaped() -> None:
    text = "NIK 3273012505900001"  # 25-05-90 is also a valid KK issue date
    assert found(text) == spans(text, ("ID_NIK", "3273012505900001"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Biaya cetak ulang KK Rp 3.273.012.505", id="amount"),
        pytest.param("Surat nomor 470/123/Disdukcapil/2024 tentang KK", id="letter-number"),
        pytest.param("KK diterbitkan 01-01-2012 di Bandung", id="date"),
        pytest.param("Resi pengiriman KK: 8800123456789012", id="shipment-number"),
        pytest.param("Info KK hubungi call center Dukcapil 1500-537", id="call-centre"),
        pytest.param("Permendagri 108 Tahun 2019 mengatur KK", id="regulation"),
        pytest.param("Tidak ada KK di sini", id="no-number"),
    ],
)
def test_when_text_only_looks_like_a_kk_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


AREAS = ("327301", "317101", "357801", "510101", "110101", "947101", "647101")
LAYOUTS: tuple[Callable[[str], str], ...] = (
    lambda n: n,
    lambda n: " ".join(n[i : i + 4] for i in range(0, 16, 4)),
    lambda n: "-".join(n[i : i + 4] for i in range(0, 16, 4)),
    lambda n: f"{n[:6]} {n[6:12]} {n[12:]}",
    lambda n: f"{n[0:2]}.{n[2:4]}.{n[4:6]}.{n[6:12]}.{n[12:]}",
)


@given(
    area=st.sampled_from(AREAS),
    issued=st.dates(datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)),
    serial=st.integers(1, 9999),
    layout=st.sampled_from(LAYOUTS),
    label=st.sampled_from(("No. KK", "KK", "NKK", "Nomor Kartu Keluarga:", "family card")),
)
def test_when_any_valid_kk_number_is_labelled_then_it_is_found_at_its_span(
    area: str, issued: datetime.date, serial: int, layout: Callable[[str], str], label: str
) -> None:
    number = f"{area}{issued:%d%m%y}{serial:04d}"
    assert valid_kk(number)
    written = layout(number)
    text = f"Mohon dicek {label} {written} ya."
    assert found(text) == spans(text, ("ID_KK", written))
