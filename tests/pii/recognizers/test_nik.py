"""ID_NIK: formats found at the right span; numbers that cannot be a NIK are not reported."""

from __future__ import annotations

import pytest

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer, valid_birth_date, valid_nik

ENGINE = PiiEngine(recognizers=[NikRecognizer()])


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.value_in(text)) for f in ENGINE.analyze(text)]


@pytest.mark.parametrize(
    ("text", "nik"),
    [
        pytest.param("NIK: 3273012505900001", "3273012505900001", id="plain-with-label"),
        pytest.param("nik sy 3273 0125 0590 0001 ya", "3273 0125 0590 0001", id="groups-of-4"),
        pytest.param("No. KTP 327301 250590 0001.", "327301 250590 0001", id="6-6-4"),
        pytest.param("NIK 32.73.01.250590.0001", "32.73.01.250590.0001", id="dotted"),
        pytest.param("NIK 3273-0125-0590-0001", "3273-0125-0590-0001", id="dashed"),
        pytest.param("istri saya 3273016505920002", "3273016505920002", id="woman-day-plus-40"),
        pytest.param("my ID number is 3171011708450001", "3171011708450001", id="english"),
        pytest.param("910101 010180 0001 (NIK lama)", "910101 010180 0001", id="historic-area"),
        pytest.param("Nama : Budi\nNIK  : 3273012902000001\n", "3273012902000001", id="form-leap"),
        pytest.param("(3273012505900001)", "3273012505900001", id="in-brackets"),
    ],
)  # fmt: skip
def test_when_a_nik_is_written_then_it_is_found_with_its_exact_span(text: str, nik: str) -> None:
    assert found(text) == [("ID_NIK", nik)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("NIK 9999012505900001", id="unknown-province"),
        pytest.param("NIK 3299012505900001", id="unknown-regency"),
        pytest.param("NIK 3273013205900001", id="day-32"),
        pytest.param("NIK 3273017205900001", id="day-72-woman"),
        pytest.param("NIK 3273012513900001", id="month-13"),
        pytest.param("NIK 3273013002900001", id="30-february"),
        pytest.param("NIK 3273012505900000", id="serial-0000"),
        pytest.param("NIK 327301250590001", id="15-digits"),
        pytest.param("no resi 32730125059000011", id="17-digits"),
        pytest.param("ref 9873012505900001-3273012505900001", id="glued-to-longer-number"),
        pytest.param("Rp 3.273.012.505.900.001", id="amount-with-thousand-dots"),
        pytest.param("surat 470/123/Disdukcapil/2024", id="letter-number"),
    ],
)  # fmt: skip
def test_when_a_number_cannot_be_a_nik_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_there_is_no_context_word_then_a_valid_nik_scores_lower_but_still_counts() -> None:
    bare = ENGINE.analyze("3273012505900001")
    labelled = ENGINE.analyze("NIK 3273012505900001")
    assert bare[0].score < labelled[0].score
    assert bare[0].score >= 0.5


@pytest.mark.parametrize(
    ("ddmmyy", "female", "ok"),
    [("290200", False, True), ("290201", False, False), ("690200", True, True),
     ("410190", True, True), ("410190", False, False), ("000190", False, False)],
)  # fmt: skip
def test_birth_dates_follow_the_calendar(ddmmyy: str, female: bool, ok: bool) -> None:
    assert valid_birth_date(ddmmyy, female_offset=female) is ok


def test_a_nik_needs_area_date_and_serial() -> None:
    assert valid_nik("3273012505900001")
    assert not valid_nik("0000012505900001")
