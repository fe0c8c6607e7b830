"""BankAccountRecognizer through the engine, with the NIK and KK recognizers it must yield to.

All numbers are synthetic.
"""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.recognizers.bank_account import BankAccountRecognizer
from pii.recognizers.kk import KkRecognizer
from pii.recognizers.nik import NikRecognizer
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(recognizers=[NikRecognizer(), KkRecognizer(), BankAccountRecognizer()])
BANK_ONLY = PiiEngine(recognizers=[BankAccountRecognizer()])

found = partial(found_by, ENGINE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("No. rek BCA 1234567890 a.n. Budi", "1234567890", id="bca-10"),
        pytest.param("Rekening Mandiri 123-00-1234567-8", "123-00-1234567-8", id="mandiri-dashes"),
        pytest.param(
            "transfer ke BRI 0123-01-012345-50-1 ya", "0123-01-012345-50-1", id="bri-dashes"
        ),
        pytest.param("Acct no: 1234 5678 90", "1234 5678 90", id="english-spaces"),
        pytest.param("BNI a.n. Siti Aminah 0987654321", "0987654321", id="bni-name-first"),
        pytest.param(
            "Please pay to account number 123456789012.", "123456789012", id="english-sentence"
        ),
        pytest.param("tf ke rek bca aku 1234567890 ya kak", "1234567890", id="whatsapp"),
        pytest.param("rek BTN 0012345678901234", "0012345678901234", id="btn-16"),
        pytest.param(
            "Bank : BSI\nNo. Rekening : 7123456789\nAtas Nama : Siti",
            "7123456789",
            id="form-layout",
        ),
        pytest.param("1234567890 a/n Budi Santoso", "1234567890", id="a-slash-n-after"),
        pytest.param("CIMB Niaga 7041.2345.6789", "7041.2345.6789", id="cimb-dots"),
    ],
)
def test_when_an_account_number_has_a_banking_word_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("ID_BANK_ACCOUNT", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1234567890", id="bare"),
        pytest.param("Nomor tiket 1234567890 sudah terbit", id="ticket"),
        pytest.param("Order 123-00-1234567-8 shipped", id="english-order"),
    ],
)
def test_when_an_account_shape_has_no_banking_word_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("rek 123456789", id="9-digits"),
        pytest.param("rek 12345678901234567", id="17-digits"),
        pytest.param("rek 1111111111", id="one-digit-repeated"),
        pytest.param("rek 1234567890-5", id="dash-digit-after"),
        pytest.param("rek 12 1234567890", id="after-a-digit-group"),
        pytest.param("rek +62 812 3456 7890", id="international-phone"),
        pytest.param("rek 123-456 7890", id="mixed-separators-too-short"),
    ],
)
def test_when_the_digits_cannot_be_an_account_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("transfer Rp 3.273.012.505 ke rekening", id="amount-dots"),
        pytest.param("saldo rekening Rp 3273012505", id="amount-digits"),
        pytest.param("saldo rekening 3.273.012.505 rupiah", id="thousands-grouping"),
        pytest.param("rekening IDR 1500000000", id="amount-idr"),
        pytest.param("Surat 470/123/Disdukcapil/2024 perihal rekening", id="letter-number"),
        pytest.param("rekening dibuka 12-05-2024", id="date"),
        pytest.param("Halo BCA 1500888", id="call-centre"),
        pytest.param("Bank Mandiri call center 14000", id="short-code"),
        pytest.param("POJK 6/POJK.07/2022 tentang rekening", id="regulation"),
    ],
)
def test_when_text_only_looks_like_an_account_number_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_mobile_number_sits_next_to_a_name_then_it_scores_below_a_phone() -> None:
    text = "WA 0812-3456-7890 a.n. Budi"
    (finding,) = ENGINE.analyze(text)
    assert [(finding.type, finding.start, finding.end)] == spans(
        text, ("ID_BANK_ACCOUNT", "0812-3456-7890")
    )
    assert finding.score < 0.6  # the phone recognizer's score for a mobile number alone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "NIK 3273012505900001 a.n. Budi",
            [("ID_NIK", "3273012505900001")],
            id="labelled-nik-next-to-a-name",
        ),
        pytest.param(
            "No. KK 3273010101120003 a.n. Budi",
            [("ID_KK", "3273010101120003")],
            id="labelled-kk-next-to-a-name",
        ),
        pytest.param(
            "rekening BTN 3273012505900001",
            [("ID_BANK_ACCOUNT", "3273012505900001")],
            id="nik-shaped-account-labelled-as-account",
        ),
        pytest.param(
            "NIK 3273012505900001, rek BCA 1234567890",
            [("ID_NIK", "3273012505900001"), ("ID_BANK_ACCOUNT", "1234567890")],
            id="nik-and-account",
        ),
    ],
)
def test_when_an_identifier_has_its_own_label_then_it_wins_over_an_account(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == spans(text, *expected)


@given(
    number=st.from_regex(r"\A[1-9][0-9]{9,15}\Z"),
    grouping=st.sampled_from((0, 3, 4)),
    separator=st.sampled_from((" ", "-")),
)
def test_when_any_account_number_is_labelled_then_it_is_found_at_its_span(
    number: str, grouping: int, separator: str
) -> None:
    assume(len(set(number)) > 1)
    written = (
        separator.join(number[i : i + grouping] for i in range(0, len(number), grouping))
        if grouping
        else number
    )
    text = f"Silakan transfer ke nomor rekening {written} sebelum jam 3."
    assert [(f.type, f.start, f.end) for f in BANK_ONLY.analyze(text)] == spans(
        text, ("ID_BANK_ACCOUNT", written)
    )
