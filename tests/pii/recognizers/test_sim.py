"""SimRecognizer through the engine: driving licences, not SIM cards. All numbers are synthetic."""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.sim import SimRecognizer
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), SimRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("No. SIM 9008-1234-567890", "9008-1234-567890", id="14-digits-dashes"),
        pytest.param("SIM A saya 8511-2233-4455", "8511-2233-4455", id="sim-a-12-digits"),
        pytest.param("SIM C: 960307123456", "960307123456", id="sim-c-bare"),
        pytest.param(
            "Surat Izin Mengemudi 9603 0712 34567", "9603 0712 34567", id="13-digits-spaces"
        ),
        pytest.param(
            "Driving licence no. 9008 1234 567890", "9008 1234 567890", id="english-licence"
        ),
        pytest.param("driver's license: 9008.1234.567890", "9008.1234.567890", id="english-dots"),
        pytest.param("sim aku 9008-1234-567890 kak, udah mati", "9008-1234-567890", id="wa"),
        pytest.param(
            "Nama : Budi Santoso\nNo. SIM : 9008-1234-567890\nGol. SIM : C",
            "9008-1234-567890",
            id="form-layout",
        ),
        pytest.param("9008-1234-567890 (SIM B1)", "9008-1234-567890", id="word-after"),
        pytest.param("SIM 0012-1234-567890", "0012-1234-567890", id="born-2000s"),
    ],
)
def test_when_a_licence_number_has_a_sim_word_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, ("ID_SIM", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("9008-1234-567890", id="bare"),
        pytest.param("Nomor 9008-1234-567890 terdaftar", id="nomor"),
        pytest.param("kartu SIM 9008-1234-567890", id="kartu-sim"),
        pytest.param("SIM card 900812345678", id="sim-card"),
        pytest.param("nomor SIM-card 900812345678", id="sim-dash-card"),
        pytest.param("dual SIM 900812345678", id="dual-sim"),
        pytest.param("slot SIM 900812345678", id="slot-sim"),
        pytest.param("SIM 1 900812345678", id="sim-slot-1"),
        pytest.param("SIM Telkomsel 900812345678", id="sim-operator"),
        pytest.param("SIM RS versi 900812345678", id="hospital-information-system"),
        pytest.param("eSIM 900812345678", id="esim"),
    ],
)
def test_when_there_is_no_driving_licence_word_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SIM 9013-1234-567890", id="birth-month-13"),
        pytest.param("SIM 9000-1234-567890", id="birth-month-00"),
        pytest.param("SIM 90081234567", id="11-digits"),
        pytest.param("SIM 900812345678901", id="15-digits"),
        pytest.param("SIM 1111-1111-1111", id="one-digit-repeated"),
        pytest.param("SIM 129008-1234-567890", id="inside-longer-number"),
        pytest.param("SIM 9008-1234-567890-1", id="dash-digit-after"),
        pytest.param("SIM 9008-1234 567890", id="mixed-separators"),
    ],
)
def test_when_the_digits_cannot_be_a_licence_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_mobile_number_follows_sim_then_it_scores_below_a_phone() -> None:
    text = "No. SIM 0812-3456-7890"
    (finding,) = ENGINE.analyze(text)
    assert [(finding.type, finding.start, finding.end)] == spans(text, ("ID_SIM", "0812-3456-7890"))
    assert finding.score < 0.6  # the phone recognizer's score for a mobile number alone


def test_when_a_new_licence_carries_the_nik_then_it_is_reported_as_a_nik() -> None:
    text = "No. SIM 3273012505900001"
    assert found(text) == spans(text, ("ID_NIK", "3273012505900001"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Biaya SIM A Rp 120.000", id="amount"),
        pytest.param("UU 22 Tahun 2009 Pasal 85 tentang SIM", id="regulation"),
        pytest.param("SIM berlaku sampai 25-05-2029", id="date"),
        pytest.param("Surat 470/123/Satlantas/2024 perihal SIM", id="letter-number"),
        pytest.param("Info SIM hubungi call center 1500-669", id="call-centre"),
        pytest.param("Resi SIM 1234567890123456", id="shipment-number"),
        pytest.param("Isi ulang kartu SIM 0812-3456-7890", id="phone-after-sim-card"),
    ],
)
def test_when_text_only_looks_like_a_licence_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@given(
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    rest=st.from_regex(r"\A[0-9]{8,10}\Z"),
    separator=st.sampled_from(("", " ", "-", ".")),
)
def test_when_any_licence_number_is_labelled_then_it_is_found_at_its_span(
    year: int, month: int, rest: str, separator: str
) -> None:
    number = f"{year:02d}{month:02d}{rest}"
    assume(len(set(number)) > 1)
    written = separator.join((number[:4], number[4:8], number[8:]))
    text = f"Polisi mencatat No. SIM {written} di tilang elektronik."
    assert found(text) == spans(text, ("ID_SIM", written))
