"""PhoneRecognizer through the engine: Indonesian mobiles, landlines with context, international.

All numbers are synthetic: valid operator and area prefixes, made-up subscriber digits; foreign
numbers come from ranges reserved for drama and documentation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber

from pii.recognizers.phone import PhoneRecognizer, parse_indonesian
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(PhoneRecognizer())
ENGINE = PROBE.engine
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Hubungi saya di 0812-3456-7890 ya", "0812-3456-7890", id="dashes"),
        pytest.param("no hp 0812 3456 7890", "0812 3456 7890", id="spaces"),
        pytest.param("HP: 081234567890", "081234567890", id="contiguous"),
        pytest.param("nomor saya 0812.3456.7890", "0812.3456.7890", id="dots"),
        pytest.param("telp (0812) 3456 7890", "(0812) 3456 7890", id="parenthesised-prefix"),
        pytest.param("WA saya (0812 3456 7890) ya", "0812 3456 7890", id="wrapped-in-brackets"),
        pytest.param("Call me at +62 812-3456-7890", "+62 812-3456-7890", id="plus62-dashes"),
        pytest.param("+62 (0) 812 3456 7890", "+62 (0) 812 3456 7890", id="plus62-zero"),
        pytest.param("(+62) 812 3456 7890", "(+62) 812 3456 7890", id="plus62-in-brackets"),
        pytest.param("6281234567890", "6281234567890", id="62-no-plus"),
        pytest.param("chat wa.me/6281234567890 aja", "6281234567890", id="wa-me-link"),
        pytest.param("tel:+6281234567890", "+6281234567890", id="tel-uri"),
        pytest.param("kak wa aku 0857 1234 5678 ya 🙏", "0857 1234 5678", id="whatsapp-indosat"),
        pytest.param("0877-1234-5678 (XL)", "0877-1234-5678", id="xl"),
        pytest.param("Axis 0838 1234 5678", "0838 1234 5678", id="axis"),
        pytest.param("smartfren 0881 2345 6789", "0881 2345 6789", id="smartfren"),
        pytest.param("Tri: 0895-1234-5678", "0895-1234-5678", id="tri"),
        pytest.param("hp lama 0811234567", "0811234567", id="ten-digit-halo"),
        pytest.param("nmr 08123 4567 890", "08123 4567 890", id="odd-grouping"),
        pytest.param("Nama : Budi\nNo. HP : 0812-3456-7890\n", "0812-3456-7890", id="form"),
        pytest.param("Telp.081234567890", "081234567890", id="glued-to-label-dot"),
        pytest.param("HP:081234567890.", "081234567890", id="sentence-end"),
        pytest.param("HP 081234567890.Terima kasih", "081234567890", id="next-sentence-glued"),
        pytest.param("WA 0812-3456-7890.Makasih", "0812-3456-7890", id="dashes-sentence-glued"),
    ],
)
def test_when_an_indonesian_mobile_number_is_written_any_way_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


def test_when_two_numbers_share_a_slash_then_both_are_reported() -> None:
    text = "HP 081234567890/081398765432"
    assert found(text) == spans(text, "081234567890", "081398765432")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Telp. (022) 730 1234", "(022) 730 1234", id="telp-brackets"),
        pytest.param("telepon kantor 021-5551234", "021-5551234", id="telepon-dash"),
        pytest.param("phone: 0274 512345", "0274 512345", id="english-phone"),
        pytest.param("hubungi 0361-234567 ya", "0361-234567", id="hubungi"),
        pytest.param("Kontak (021) 5551234", "(021) 5551234", id="kontak"),
    ],
)
def test_when_a_landline_has_a_phone_word_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("kode 021-5551234 di arsip", id="no-context"),
        pytest.param("021-5551234", id="bare"),
        pytest.param("(022) 730 1234 adalah kode lama", id="brackets-no-context"),
    ],
)
def test_when_a_landline_has_no_phone_word_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("London office +44 20 7946 0958", "+44 20 7946 0958", id="uk"),
        pytest.param("mobile +61 491 570 156", "+61 491 570 156", id="australia-mobile"),
        pytest.param("+65 6123 4567", "+65 6123 4567", id="singapore"),
        pytest.param("WA +60 12-345 6789", "+60 12-345 6789", id="malaysia"),
        pytest.param("kantor pusat +62 21 5551234", "+62 21 5551234", id="plus62-landline"),
    ],
)
def test_when_an_international_number_has_a_plus_and_a_valid_country_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Darurat? telepon 112 atau polisi 110", id="emergency"),
        pytest.param("Call center BPJS telp 1500-400", id="call-centre-1500"),
        pytest.param("hubungi 1-500-888", id="call-centre-1-500"),
        pytest.param("Halo BCA telp 1500888", id="call-centre-contiguous"),
        pytest.param("bebas pulsa telp 0800-1-234567", id="toll-free"),
        pytest.param("telp 0800 1234 567", id="toll-free-spaces"),
        pytest.param("hubungi +62 800 1234567", id="toll-free-international"),
        pytest.param("SMS ke 14045", id="short-code"),
        pytest.param("layanan pengaduan 14017 / telp 021-14017", id="short-code-twice"),
        pytest.param("Telepon kantor (024) 6349966 ext. 105, Senin", id="switchboard-ext"),
        pytest.param("telp. (021) 5551234 psw. 12", id="switchboard-pesawat"),
    ],
)
def test_when_a_number_reaches_an_institution_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("id 3f2a0812-3456-7890-abcd-ef0123456789", id="guid-inside"),
        pytest.param("08123456-7890-1234-5678-901234567890", id="guid-all-digits"),
        pytest.param("sha a3f0812345678901bc9e", id="hash"),
        pytest.param("pesanan INV-081234567890", id="invoice-dash"),
        pytest.param("order #081234567890", id="order-hash-sign"),
        pytest.param("kode ORD_081234567890", id="underscore"),
        pytest.param("kartu 4111 0812 3456 7890", id="card-groups"),
        pytest.param("nomor 0812345678901234567", id="too-long"),
        pytest.param("0812 3456 7890 1234", id="sixteen-digits-in-groups"),
        pytest.param("Biaya Rp 150.000 atau Rp 1.500.000", id="amounts"),
        pytest.param("UU No. 27 Tahun 2022", id="law"),
        pytest.param("surat 470/123/Disdukcapil/2024", id="letter-number"),
        pytest.param("rapat tanggal 08-12-2024 pukul 08.15", id="dates-and-times"),
        pytest.param("versi 1.0812345678", id="version-like"),
        pytest.param("NIK 3273012505900001", id="nik"),
        pytest.param("nomor 08123", id="too-short"),
        pytest.param("0812-345-6", id="short-mobile"),
        pytest.param("+1 555 0100", id="invalid-international"),
    ],
)
def test_when_digits_only_look_like_a_phone_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_message_mixes_languages_and_numbers_then_only_the_phones_are_reported() -> None:
    text = (
        "Halo min, my number is 0812-3456-7890, kantor telp (022) 730 1234. "
        "Order INV-2024-0001 total Rp 250.000, call center 1500-123."
    )
    assert found(text) == spans(text, "0812-3456-7890", "(022) 730 1234")


def test_when_a_mobile_has_a_context_word_then_its_score_is_boosted() -> None:
    (bare,) = ENGINE.analyze("0812-3456-7890")
    (labelled,) = ENGINE.analyze("WA 0812-3456-7890")
    assert labelled.score > bare.score >= 0.5


@settings(max_examples=100, deadline=None)
@given(st.uuids())
def test_when_a_guid_is_in_the_text_then_no_part_of_it_is_a_phone_number(value: uuid.UUID) -> None:
    assert found(f"request id {value} gagal") == []
    assert found(f"request id {str(value).upper()} gagal") == []


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["811", "812", "813", "821", "852", "857", "878", "838", "881", "896"]),
    st.integers(1000_0000, 9999_9999),
    st.sampled_from(["0{}-{}-{}", "0{} {} {}", "+62 {}-{}-{}", "62{}{}{}", "0{}.{}.{}"]),
)
def test_when_any_valid_mobile_is_in_a_sentence_then_it_is_found_exactly(
    prefix: str, subscriber: int, layout: str
) -> None:
    digits = str(subscriber)
    number = layout.format(prefix, digits[:4], digits[4:])
    text = f"tolong hubungi {number} besok"
    assert found(text) == spans(text, number)


def _parsed_or_error(parse: Callable[[str], PhoneNumber], number: str) -> PhoneNumber | str:
    try:
        return parse(number)
    except phonenumbers.NumberParseException as error:
        return f"error {error.error_type}"


_AREA_OR_OPERATOR = st.sampled_from(["", "8", "81", "85", "88", "2", "21", "22", "1", "9", "0"])
_DIGITS = st.text("0123456789", max_size=16)


@settings(max_examples=4000, deadline=None)
@given(
    st.one_of(
        st.text("0123456789", max_size=19),
        st.builds(
            "{}{}{}".format, st.sampled_from(["0", "62", "620", "6"]), _AREA_OR_OPERATOR, _DIGITS
        ),
    ),
    st.booleans(),
)
def test_the_quick_indonesian_parse_reads_every_digit_string_as_libphonenumber_does(
    number: str, international: bool
) -> None:
    # The same number (all fields, italian_leading_zero included), or the same refusal.
    written = "+" + number if international else number
    expected = _parsed_or_error(lambda n: phonenumbers.parse(n, "ID"), written)
    assert _parsed_or_error(lambda n: parse_indonesian(n, international), number) == expected
