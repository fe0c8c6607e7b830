"""BpjsRecognizer through the engine (with the NIK recognizer for mixed forms).

All numbers are synthetic.
"""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.bpjs import BpjsRecognizer
from pii.recognizers.nik import NikRecognizer
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), BpjsRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("No. BPJS 0001234567890", "0001234567890", id="no-bpjs"),
        pytest.param("noka: 0002876543210", "0002876543210", id="noka"),
        pytest.param(
            "Nomor kartu BPJS Kesehatan saya 0001 2345 6789 0", "0001 2345 6789 0", id="spaces"
        ),
        pytest.param("KIS 0001-2345-67890", "0001-2345-67890", id="kis-dashes"),
        pytest.param("JKN-KIS: 0001234567890", "0001234567890", id="jkn-kis"),
        pytest.param("Kartu Indonesia Sehat 0002876543210", "0002876543210", id="kartu-is"),
        pytest.param(
            "Nama : Siti Aminah\nNo. Kartu : 0001234567890\nFaskes : Puskesmas Sukasari",
            "0001234567890",
            id="form-layout",
        ),
        pytest.param("Her health insurance card is 0001234567890.", "0001234567890", id="english"),
        pytest.param("kak bpjs ku 0001234567890 udah aktif blm ya", "0001234567890", id="whatsapp"),
        pytest.param("0001234567890 (BPJS)", "0001234567890", id="word-after"),
    ],
)
def test_when_a_card_number_has_a_bpjs_word_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, ("ID_BPJS", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("0001234567890", id="bare"),
        pytest.param("Kode booking 0001234567890", id="booking-code"),
        pytest.param("Invoice 0001234567890 has been paid", id="english"),
    ],
)
def test_when_a_13_digit_number_has_no_bpjs_word_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("BPJS 000123456789", id="12-digits"),
        pytest.param("BPJS 00012345678901", id="14-digits"),
        pytest.param("BPJS 0000000000000", id="all-zeros"),
        pytest.param("BPJS 1230001234567890", id="inside-longer-number"),
        pytest.param("BPJS 0001234567890-5", id="dash-digit-after"),
        pytest.param("BPJS 12 0001234567890", id="after-a-digit-group"),
        pytest.param("BPJS Ketenagakerjaan KPJ 12345678901", id="kpj-11-digits"),
        pytest.param("BPJS 0001-2345 6789.0", id="mixed-separators"),
    ],
)
def test_when_the_digits_cannot_be_a_card_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_13_digit_mobile_number_is_near_bpjs_then_it_scores_below_a_phone() -> None:
    text = "Hubungi petugas BPJS di 0812 3456 78901"
    (finding,) = ENGINE.analyze(text)
    assert [(finding.type, finding.start, finding.end)] == spans(
        text, ("ID_BPJS", "0812 3456 78901")
    )
    assert finding.score < 0.6  # the phone recognizer's score for a mobile number alone


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Iuran BPJS kelas 1 Rp 150.000 per bulan", id="amount"),
        pytest.param("Perpres 64 Tahun 2020 tentang JKN", id="regulation"),
        pytest.param("Care Center BPJS Kesehatan 165", id="short-code"),
        pytest.param("Info BPJS hubungi 1500-400", id="call-centre"),
        pytest.param("Tagihan BPJS jatuh tempo 10-12-2024", id="date"),
        pytest.param("Surat 440/123/Dinkes/2024 tentang KIS", id="letter-number"),
        pytest.param("Resi kartu KIS 1234567890123456", id="shipment-number"),
    ],
)
def test_when_text_only_looks_like_a_card_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_nik_and_a_bpjs_number_share_a_form_then_each_is_reported() -> None:
    text = "No. BPJS 0001234567890, NIK 3273012505900001"
    assert found(text) == spans(text, ("ID_BPJS", "0001234567890"), ("ID_NIK", "3273012505900001"))


@given(
    number=st.from_regex(r"\A000[0-9]{10}\Z"),
    layout=st.sampled_from(("plain", "4-4-4-1", "4-4-5")),
    separator=st.sampled_from((" ", "-", ".")),
)
def test_when_any_card_number_is_labelled_then_it_is_found_at_its_span(
    number: str, layout: str, separator: str
) -> None:
    assume(len(set(number)) > 1)
    groups = {"plain": [13], "4-4-4-1": [4, 4, 4, 1], "4-4-5": [4, 4, 5]}[layout]
    parts, position = [], 0
    for size in groups:
        parts.append(number[position : position + size])
        position += size
    written = separator.join(parts)
    text = f"Nomor kartu BPJS peserta: {written}."
    assert found(text) == spans(text, ("ID_BPJS", written))
