"""PassportRecognizer through the engine. All numbers are synthetic."""

from __future__ import annotations

import string
from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.passport import PassportRecognizer
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), PassportRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("No. Paspor: A1234567", "A1234567", id="form"),
        pytest.param("paspor X 7654321", "X 7654321", id="letter-space-digits"),
        pytest.param("Passport number C9876543", "C9876543", id="english"),
        pytest.param("passport no. AB1234567", "AB1234567", id="two-letters-7"),
        pytest.param("Nomor paspor lama saya AR 123456", "AR 123456", id="two-letters-6"),
        pytest.param("Nomor paspor saya B1234567 berlaku s/d 2030.", "B1234567", id="sentence"),
        pytest.param(
            "Nama : Budi Santoso\nNo. Paspor : E2345678\nKebangsaan : Indonesia",
            "E2345678",
            id="form-layout",
        ),
        pytest.param("kak ini paspor aku ya A1234567 🙏", "A1234567", id="whatsapp"),
        pytest.param("A1234567 (passport)", "A1234567", id="word-after"),
        pytest.param("paspor A12345678 (Malaysia)", "A12345678", id="malaysia-letter-8"),
        pytest.param("my passport number is H87654321", "H87654321", id="letter-8-english"),
        pytest.param("Passport No.: E 12345678", "E 12345678", id="letter-space-8"),
        pytest.param("Singapore passport E1234567N", "E1234567N", id="check-letter"),
        pytest.param("no paspor Filipina P7654321A", "P7654321A", id="philippines"),
        pytest.param("paspor sy no a3382238 bentar lg habis", "a3382238", id="chat-lower-case"),
        pytest.param("paspornya x 7654321 min", "x 7654321", id="chat-lower-space"),
        pytest.param("passport c12345678", "c12345678", id="chat-lower-8"),
    ],
)
def test_when_a_passport_number_has_a_passport_word_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_PASSPORT", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("A1234567", id="bare"),
        pytest.param("Kode produk A1234567 habis", id="product-code"),
        pytest.param("Ticket X 7654321 confirmed", id="english-ticket"),
    ],
)
def test_when_a_passport_shape_has_no_passport_word_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("paspor A123456", id="one-letter-6-digits"),
        pytest.param("paspor A123456789", id="one-letter-9-digits"),
        pytest.param("paspor AB12345678", id="two-letters-8-digits"),
        pytest.param("paspor ABC1234567", id="three-letters"),
        pytest.param("paspor ab1234567", id="two-letters-lower-case"),
        pytest.param("paspor Ab1234567", id="two-letters-mixed-case"),
        pytest.param("paspor A12345678B", id="check-letter-after-8-digits"),
        pytest.param("paspor a1234567b", id="check-letter-lower-case"),
        pytest.param("paspor AB1234567C", id="check-letter-after-two-letters"),
        pytest.param("paspor A0000000", id="all-zeros"),
        pytest.param("paspor A00000000", id="all-zeros-8"),
        pytest.param("paspor XA1234567B9", id="inside-longer-code"),
        pytest.param("paspor A1234567-89", id="dash-digits-after"),
        pytest.param("paspor A12345678.9", id="decimal-after"),
    ],
)
def test_when_the_text_cannot_be_a_passport_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Biaya paspor Rp 650.000", id="amount"),
        pytest.param("BIAYA PASPOR RP 6500000", id="amount-capitals"),
        pytest.param("Permenkumham 8 Tahun 2014 tentang Paspor", id="regulation"),
        pytest.param("Paspor berlaku 10 tahun sejak 01-01-2024", id="date"),
        pytest.param("Surat 470/123/Imigrasi/2024 perihal paspor", id="letter-number"),
        pytest.param("Paspor NO 1234567 belum jadi", id="label-no"),
        pytest.param("Info paspor hubungi 1500-161", id="call-centre"),
        pytest.param("biaya paspor rp650000", id="amount-lower-case"),
        pytest.param("bayar paspor Rp 6500000 via bank", id="amount-8-digits"),
        pytest.param("paspor hilang, hubungi HP 0812345", id="phone-label"),
        pytest.param("paspor ready, WA 1234567 ya", id="whatsapp-label"),
        pytest.param("paspor: kode billing 820240312", id="billing-code"),
        pytest.param("paspor jadi tgl 12345678", id="digits-after-a-word"),
        pytest.param("Passport fee IDR 12345678", id="currency-code"),
    ],
)
def test_when_text_only_looks_like_a_passport_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_nik_and_a_passport_share_a_form_then_each_is_reported() -> None:
    text = "NIK: 3273012505900001, Paspor: A1234567"
    assert found(text) == spans(text, ("ID_NIK", "3273012505900001"), ("ID_PASSPORT", "A1234567"))


@given(
    letter=st.sampled_from("ABCEXY"),
    number=st.from_regex(r"\A[0-9]{7}\Z"),
    space=st.booleans(),
)
def test_when_any_passport_number_is_labelled_then_it_is_found_at_its_span(
    letter: str, number: str, space: bool
) -> None:
    assume(number != "0000000")
    written = letter + (" " if space else "") + number
    text = f"Mohon salin nomor paspor {written} ke formulir."
    assert found(text) == spans(text, ("ID_PASSPORT", written))


@given(
    letter=st.sampled_from(string.ascii_letters),
    number=st.from_regex(r"\A[0-9]{8}\Z"),
)
def test_when_any_one_letter_eight_digit_number_is_near_passport_then_it_is_found(
    letter: str, number: str
) -> None:
    assume(number != "00000000")
    written = letter + number
    text = f"my passport: {written}, please check"
    assert found(text) == spans(text, ("ID_PASSPORT", written))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Nomor registrasi A12345678 sudah terbit", id="registration"),
        pytest.param("tiket kereta c12345678 sudah dibayar", id="ticket-lower-case"),
    ],
)
def test_when_a_new_passport_shape_has_no_passport_word_then_nothing_is_reported(
    text: str,
) -> None:
    assert found(text) == []
