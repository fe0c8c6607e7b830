"""NipRecognizer through the engine (with the NIK recognizer, which must not bite into a NIP).

All numbers are synthetic: made-up birth dates, service starts and serials.
"""

from __future__ import annotations

import datetime
from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.nip import NipRecognizer, valid_nip
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), NipRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("19670110 199203 1 001", "19670110 199203 1 001", id="bare-spaced"),
        pytest.param("NIP 196701101992031001", "196701101992031001", id="nip-digits"),
        pytest.param("NIP. 19880314 201403 2 007", "19880314 201403 2 007", id="nip-dot"),
        pytest.param("nip: 19950721-202001-1-012", "19950721-202001-1-012", id="dashes"),
        pytest.param(
            "PNS atas nama Budi Santoso, 19880314.201403.2.007",
            "19880314.201403.2.007",
            id="dots",
        ),
        pytest.param(
            "Nomor Induk Pegawai : 19670110 199203 1 001\nJabatan : Analis",
            "19670110 199203 1 001",
            id="form-layout",
        ),
        pytest.param(
            "Employee ID 19950721 202001 1 012 joined in January 2020.",
            "19950721 202001 1 012",
            id="english",
        ),
        pytest.param("NI PPPK 19920415 202221 1 003", "19920415 202221 1 003", id="pppk-21"),
        pytest.param(
            "NIP PPPK paruh waktu 19900105 202524 2 014", "19900105 202524 2 014", id="pppk-24"
        ),
        pytest.param(
            "pak nip sy 19670110 199203 1 001 ya, mohon dicek", "19670110 199203 1 001", id="wa"
        ),
        pytest.param(
            "appointed at 18: 20000315 201803 1 001", "20000315 201803 1 001", id="age-18"
        ),
    ],
)
def test_when_a_valid_nip_is_written_then_it_is_found(text: str, value: str) -> None:
    assert found(text) == spans(text, ("ID_NIP", value))


@pytest.mark.parametrize(
    ("text", "score"),
    [
        pytest.param("Nomor 19670110 199203 1 001 sudah terdaftar", 0.6, id="no-context"),
        pytest.param("NIP 19670110 199203 1 001", 0.95, id="nip"),
        pytest.param("Data ASN: 19670110 199203 1 001", 0.95, id="asn"),
        pytest.param("pegawai 19670110 199203 1 001", 0.95, id="pegawai"),
    ],
)
def test_when_a_nip_has_a_context_word_then_its_score_is_boosted(text: str, score: float) -> None:
    (finding,) = ENGINE.analyze(text)
    assert (finding.type, finding.score) == ("ID_NIP", score)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("NIP 19670230 199203 1 001", id="birth-30-feb"),
        pytest.param("NIP 19671310 199203 1 001", id="birth-month-13"),
        pytest.param("NIP 19390110 196003 1 001", id="born-before-1940"),
        pytest.param("NIP 19670110 199213 1 001", id="service-month-13"),
        pytest.param("NIP 19670110 199200 1 001", id="service-month-00"),
        pytest.param("NIP 19670110 198001 1 001", id="service-at-age-12"),
        pytest.param("NIP 20000315 201802 1 001", id="service-one-month-before-18"),
        pytest.param("NIP 19500110 201202 1 001", id="service-after-60"),
        pytest.param("NIP 19670110 199203 3 001", id="sex-digit-3"),
        pytest.param("NIP 19670110 199203 0 001", id="sex-digit-0"),
        pytest.param("NIP 19670110 199203 1 000", id="serial-000"),
        pytest.param("NIP 19670110 199221 1 001", id="pppk-code-before-2019"),
        pytest.param("NIP 19920415 202231 1 003", id="pppk-code-31"),
        pytest.param("NIP 19670110 199203 1 01", id="17-digits"),
        pytest.param("NIP 1967011019920310011", id="19-digits"),
        pytest.param("NIP 12196701101992031001", id="inside-longer-number"),
        pytest.param("NIP 1967 0110 1992 03 1 001", id="split-birth-date"),
    ],
)
def test_when_the_digits_cannot_be_a_nip_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Order ID 202401151030451234", id="timestamp-order-id"),
        pytest.param("Transaksi 202405201234567890 berhasil", id="transaction-id"),
        pytest.param("Gaji pegawai Rp 3.273.012.505", id="amount"),
        pytest.param("Surat 800/1234/BKPSDM/2024 tentang NIP", id="letter-number"),
        pytest.param("PP 11 Tahun 2017 tentang Manajemen PNS", id="regulation"),
        pytest.param("Periode 19670110 s.d. 19920301", id="two-dates"),
        pytest.param("Call center BKN 1500-900", id="call-centre"),
        pytest.param("Resi 1234567890123456 untuk berkas ASN", id="shipment-number"),
    ],
)
def test_when_text_only_looks_like_a_nip_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_nik_and_a_nip_share_a_form_then_each_is_reported_once() -> None:
    text = "NIK: 3273012505900001\nNIP: 19900525 201503 1 002"
    assert found(text) == spans(
        text, ("ID_NIK", "3273012505900001"), ("ID_NIP", "19900525 201503 1 002")
    )


@pytest.mark.parametrize(
    ("number", "today", "valid"),
    [
        pytest.param("200501012024011001", datetime.date(2024, 6, 1), True, id="this-year"),
        pytest.param("200501012025011001", datetime.date(2024, 6, 1), True, id="next-year"),
        pytest.param("200501012026011001", datetime.date(2024, 6, 1), False, id="two-years-on"),
    ],
)
def test_when_the_service_start_is_in_the_future_then_only_next_year_is_allowed(
    number: str, today: datetime.date, valid: bool
) -> None:
    assert valid_nip(number, today) is valid


@given(
    birth=st.dates(datetime.date(1942, 1, 1), datetime.date(2000, 12, 31)),
    age=st.integers(18, 40),
    month=st.integers(1, 12),
    sex=st.sampled_from("12"),
    serial=st.integers(1, 999),
    separator=st.sampled_from(("", " ", ".", "-")),
)
def test_when_any_valid_nip_is_written_then_it_is_found_at_its_span(
    birth: datetime.date, age: int, month: int, sex: str, serial: int, separator: str
) -> None:
    start_year = birth.year + age + (1 if month < birth.month else 0)
    assume(start_year <= 2025)  # not in the future whenever the tests run
    written = separator.join((f"{birth:%Y%m%d}", f"{start_year}{month:02d}", sex, f"{serial:03d}"))
    text = f"Pegawai dengan NIP {written} dimutasi."
    assert found(text) == spans(text, ("ID_NIP", written))
