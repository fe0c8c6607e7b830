"""NpwpRecognizer through the engine, next to the NIK recognizer (a resident's NPWP is the NIK).

All numbers are synthetic: check digits computed for made-up taxpayer numbers, NIKs from real
area codes and valid dates.
"""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.npwp import NpwpRecognizer
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), NpwpRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("01.234.567.4-901.000", "01.234.567.4-901.000", id="bare-punctuated"),
        pytest.param("NPWP: 09.876.543.1-901.000", "09.876.543.1-901.000", id="form"),
        pytest.param(
            "NPWP perusahaan kami 31.415.926.0-901.000.", "31.415.926.0-901.000", id="sentence"
        ),
        pytest.param(
            "Tolong input 02.718.281.5-901.000 di faktur ya kak",
            "02.718.281.5-901.000",
            id="whatsapp-no-context",
        ),
        pytest.param("001.234.567.4-901.000", "001.234.567.4-901.000", id="16-digit-punctuated"),
        pytest.param("01.234.567.4.901.000", "01.234.567.4.901.000", id="all-dots"),
    ],
)
def test_when_an_npwp_is_in_its_punctuated_layout_then_it_is_found_without_context(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_NPWP", value))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("NPWP 012345674901000", "012345674901000", id="15-digits"),
        pytest.param("NPWP 0012345674901000", "0012345674901000", id="16-digits-leading-0"),
        pytest.param("NPWP: 01 234 567 4 901 000", "01 234 567 4 901 000", id="spaces"),
        pytest.param(
            "Nomor Pokok Wajib Pajak 09-876-543-1-901-000", "09-876-543-1-901-000", id="dashes"
        ),
        pytest.param("Tax ID (TIN): 012345674901000", "012345674901000", id="english-tin"),
        pytest.param("npwp aku 098765431901000 kak", "098765431901000", id="whatsapp"),
        pytest.param("NPWP 3273012505900001", "3273012505900001", id="nik-as-npwp"),
        pytest.param("NPWP: 3273 0125 0590 0001", "3273 0125 0590 0001", id="nik-as-npwp-groups"),
        pytest.param(
            "NPWP istri: 3273014505920002",
            "3273014505920002",
            id="womans-nik-as-npwp",
        ),
    ],
)
def test_when_a_context_only_npwp_shape_has_a_tax_word_then_it_is_an_npwp(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_NPWP", value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Nomor 012345674901000", [], id="15-digits"),
        pytest.param("Nomor 0012345674901000", [], id="16-digits-leading-0"),
        pytest.param(
            "Nomor 3273012505900001", [("ID_NIK", "3273012505900001")], id="nik-stays-nik"
        ),
    ],
)
def test_when_a_context_only_shape_has_no_tax_word_then_it_is_not_an_npwp(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == spans(text, *expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("NPWP 01.234.567.5-901.000", id="bad-check-digit-punctuated"),
        pytest.param("NPWP 012345675901000", id="bad-check-digit-digits"),
        pytest.param("NPWP 0012345675901000", id="bad-check-digit-16"),
        pytest.param("NPWP 1012345674901000", id="16-digits-not-0-not-nik"),
        pytest.param("NPWP 3273013202900001", id="nik-shape-bad-date"),
        pytest.param("NPWP 9901012505900001", id="nik-shape-unknown-area"),
        pytest.param("NPWP 01234567490100", id="14-digits"),
        pytest.param("NPWP 01.234.567.4-901.00", id="short-branch"),
        pytest.param("NPWP 12301.234.567.4-901.000", id="inside-longer-number"),
    ],
)
def test_when_the_digits_fail_the_npwp_rules_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "NIK saya 3273012505900001, NPWP 3273012505900001",
            [("ID_NIK", "3273012505900001"), ("ID_NPWP", "3273012505900001")],
            id="nik-then-npwp",
        ),
        pytest.param(
            "NPWP 3273012505900001, NIK 3273012505900001",
            [("ID_NPWP", "3273012505900001"), ("ID_NIK", "3273012505900001")],
            id="npwp-then-nik",
        ),
        pytest.param(
            "NIK: 3273012505900001\nNPWP: 01.234.567.4-901.000",
            [("ID_NIK", "3273012505900001"), ("ID_NPWP", "01.234.567.4-901.000")],
            id="form-old-npwp",
        ),
        pytest.param(
            "NIK 3273012505900001 (NPWP menyusul)",
            [("ID_NIK", "3273012505900001")],
            id="tax-word-after-a-labelled-nik",
        ),
    ],
)
def test_when_nik_and_npwp_share_a_text_then_each_number_gets_its_own_label(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == spans(text, *expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Pajak terutang Rp 3.273.012.505", id="amount"),
        pytest.param("NPWP wajib dilampirkan sesuai PMK 112/2022", id="regulation"),
        pytest.param("Surat nomor 470/123/Disdukcapil/2024", id="letter-number"),
        pytest.param("NPWP bisa ditanyakan ke Kring Pajak 1500-200", id="call-centre"),
        pytest.param("Batas lapor SPT NPWP 31.03.2025", id="date"),
        pytest.param("Resi 1234567890123456 untuk kartu NPWP", id="shipment-number"),
        pytest.param("Versi aplikasi 1.234.567.890", id="version-number"),
    ],
)
def test_when_text_only_looks_like_an_npwp_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def punctuated(number: str) -> str:
    return f"{number[:2]}.{number[2:5]}.{number[5:8]}.{number[8]}-{number[9:12]}.{number[12:]}"


@given(
    taxpayer=st.from_regex(r"\A[0-9]{8}\Z"),
    office=st.from_regex(r"\A[0-9]{6}\Z"),
    sixteen=st.booleans(),
)
def test_when_any_valid_punctuated_npwp_is_written_then_it_is_found_at_its_span(
    taxpayer: str, office: str, sixteen: bool
) -> None:
    number = taxpayer + luhn.calc_check_digit(taxpayer) + office
    written = ("0" if sixteen else "") + punctuated(number)
    text = f"Wajib pajak dengan nomor {written} sudah terdaftar."
    assert found(text) == spans(text, ("ID_NPWP", written))
