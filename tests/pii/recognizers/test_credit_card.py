"""CreditCardRecognizer through the engine, next to the NIK recognizer it shares 16 digits with.

Card numbers are the issuers' published test numbers; NIKs are synthetic (real area codes, real
dates, made-up serials) and chosen to pass Luhn, which is what makes them collide with cards.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.credit_card import CreditCardRecognizer, luhn_valid, valid_card
from pii.recognizers.nik import NikRecognizer, valid_nik
from tests.pii.recognizers.probe import Span, found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), CreditCardRecognizer()])
CARD_ONLY = PiiEngine(recognizers=[CreditCardRecognizer()])

# Luhn-valid NIKs (province 51 Bali, 35 Jawa Timur, 61 Kalimantan Barat; a man and a woman).
NIK_BALI = "5171011205900003"
NIK_BALI_FEMALE = "5171015205900004"
NIK_JATIM = "3578011205900007"
NIK_KALBAR = "6171011205900001"
# Mastercard prefix, passes Luhn, but day 99 makes it no NIK.
NOT_A_NIK = "5171019913000008"


def found(text: str, engine: PiiEngine = ENGINE) -> list[Span]:
    return found_by(engine, text)


def test_when_the_collision_numbers_are_checked_then_they_are_both_a_nik_and_a_card() -> None:
    for number in (NIK_BALI, NIK_BALI_FEMALE, NIK_JATIM, NIK_KALBAR):
        assert valid_nik(number)
        assert valid_card(number)
    assert valid_card(NOT_A_NIK)
    assert not valid_nik(NOT_A_NIK)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Kartu kredit saya 4111 1111 1111 1111 exp 12/27", "4111 1111 1111 1111",
                     id="visa-groups"),
        pytest.param("bayar pakai 5555-5555-5555-4444 ya", "5555-5555-5555-4444",
                     id="mastercard-dashes"),
        pytest.param("cc: 4111111111111111", "4111111111111111", id="contiguous"),
        pytest.param("amex 3782 822463 10005", "3782 822463 10005", id="amex-4-6-5"),
        pytest.param("Diners 3056 930902 5904", "3056 930902 5904", id="diners-4-6-4"),
        pytest.param("JCB 3530 1113 3330 0000", "3530 1113 3330 0000", id="jcb"),
        pytest.param("mastercard 2223 0031 2200 3222", "2223 0031 2200 3222",
                     id="mastercard-2-series"),
        pytest.param("discover 6011 0009 9013 9424", "6011 0009 9013 9424", id="discover"),
        pytest.param("visa lama 4222222222222", "4222222222222", id="visa-13"),
        pytest.param("Card number: 5105 1051 0510 5100.", "5105 1051 0510 5100",
                     id="english-sentence-end"),
        pytest.param("no kartu debit GPN 6200 0000 0000 0005", "6200 0000 0000 0005",
                     id="gpn-debit"),
        pytest.param("Nama : Budi\nNo. Kartu Kredit : 4111-1111-1111-1111\n", "4111-1111-1111-1111",
                     id="form"),
    ],
)  # fmt: skip
def test_when_a_luhn_valid_number_has_a_known_issuer_then_it_is_reported_as_a_card(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("CREDIT_CARD", value))


def test_when_a_card_has_no_context_then_it_is_still_reported() -> None:
    text = "tolong cek 5555 5555 5555 4444"
    assert found(text) == spans(text, ("CREDIT_CARD", "5555 5555 5555 4444"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("kartu 4111 1111 1111 1112", id="luhn-fails"),
        pytest.param("nomor 1234 5678 9012 3452", id="no-issuer-prefix"),
        pytest.param("amex 3782 8224 6310 0052", id="amex-prefix-wrong-length"),
        pytest.param("invoice 9000000000000000", id="prefix-9"),
        pytest.param("Rp 4.111.111.111.111", id="amount-with-dots"),
        pytest.param("order INV-4111111111111111", id="order-number"),
        pytest.param("id 4111111111111111-abcd", id="glued-to-hex"),
        pytest.param("4111 1111 1111 1111 1111 1", id="too-long"),
        pytest.param("NPWP 0123 4567 8901 2345", id="starts-with-0"),
        pytest.param("NIP 19670110 199203 1 001", id="nip"),
    ],
)
def test_when_a_number_fails_luhn_or_has_no_issuer_then_it_is_not_a_card(text: str) -> None:
    assert found(text, CARD_ONLY) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param(f"NIK: {NIK_BALI}", NIK_BALI, id="nik-context"),
        pytest.param(f"No. KTP {NIK_BALI_FEMALE}", NIK_BALI_FEMALE, id="ktp-context-female"),
        pytest.param(f"nomor {NIK_JATIM}", NIK_JATIM, id="no-context-valid-date"),
        pytest.param(f"{NIK_KALBAR}", NIK_KALBAR, id="bare-kalbar"),
        pytest.param("NIK 5171 0112 0590 0003", "5171 0112 0590 0003", id="nik-in-groups"),
    ],
)
def test_when_a_luhn_valid_number_is_also_a_nik_without_card_context_then_it_is_a_nik(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_NIK", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"kartu kredit: {NIK_BALI}", id="kartu-kredit"),
        pytest.param(f"Mastercard {NIK_BALI}", id="brand"),
        pytest.param(f"pay with credit card {NIK_BALI} please", id="english"),
    ],
)
def test_when_a_nik_shaped_number_has_card_context_then_it_is_a_card(text: str) -> None:
    assert found(text) == spans(text, ("CREDIT_CARD", NIK_BALI))


def test_when_a_nik_context_is_near_a_luhn_valid_non_nik_then_neither_is_reported() -> None:
    assert found(f"NIK: {NOT_A_NIK}") == []


def test_when_a_luhn_valid_non_nik_has_no_context_then_it_is_a_card() -> None:
    text = f"nomor {NOT_A_NIK}"
    assert found(text) == spans(text, ("CREDIT_CARD", NOT_A_NIK))


def test_when_both_readings_have_context_then_the_nearer_word_decides() -> None:
    text = f"NIK saya 3273012505900001, kartu kredit {NIK_BALI}"
    assert found(text) == spans(text, ("ID_NIK", "3273012505900001"), ("CREDIT_CARD", NIK_BALI))


def test_when_a_form_holds_a_nik_and_a_card_then_each_gets_its_type() -> None:
    text = f"NIK : {NIK_BALI}\nKartu Kredit : 4111 1111 1111 1111\n"
    assert found(text) == spans(text, ("ID_NIK", NIK_BALI), ("CREDIT_CARD", "4111 1111 1111 1111"))


@settings(max_examples=200, deadline=None)
@given(st.integers(10**15, 10**16 - 1))
def test_when_any_number_is_reported_as_a_card_then_it_passes_luhn(number: int) -> None:
    text = f"nomor {number}"
    for finding in CARD_ONLY.analyze(text):
        assert luhn_valid(finding.value_in(text))
