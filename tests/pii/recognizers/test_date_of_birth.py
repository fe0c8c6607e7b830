"""DateOfBirthRecognizer through the engine: dates only next to a birth word on the same line.

Dates and places are synthetic.
"""

from __future__ import annotations

import datetime

import pytest

from pii.recognizers.date_of_birth import DateOfBirthRecognizer, valid_birth_date
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(DateOfBirthRecognizer())
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Tgl lahir: 12-05-1990", "12-05-1990", id="dashes"),
        pytest.param("tanggal lahir 12/05/1990", "12/05/1990", id="slashes"),
        pytest.param("Tanggal Lahir : 12.05.1990", "12.05.1990", id="dots"),
        pytest.param("lahir 12-05-90", "12-05-90", id="two-digit-year"),
        pytest.param("DOB: 1990-05-12", "1990-05-12", id="iso"),
        pytest.param("saya lahir 12 Mei 1990", "12 Mei 1990", id="indonesian-month"),
        pytest.param("tgl lahir 12 agt 1990", "12 agt 1990", id="abbreviation-lowercase"),
        pytest.param("tanggal lahir: 12-Sept-1990", "12-Sept-1990", id="abbreviation-dashes"),
        pytest.param("kelahiran 1 Agt. 1985", "1 Agt. 1985", id="abbreviation-dot"),
        pytest.param("lahir tanggal 17 AGUSTUS 1975", "17 AGUSTUS 1975", id="capitals"),
        pytest.param("dilahirkan pada 3 Pebruari 1960", "3 Pebruari 1960", id="old-spelling"),
        pytest.param("Date of birth: May 12, 1990", "May 12, 1990", id="english-month-first"),
        pytest.param("born on 12th May, 1990 in Leeds", "12th May, 1990", id="english-ordinal"),
        pytest.param("ulang tahun saya 12 Des 1988", "12 Des 1988", id="birthday"),
        pytest.param("D.O.B 05/25/1990", "05/25/1990", id="month-first-when-day-is-13-plus"),
        pytest.param("12 Mei 1990 adalah tanggal lahir saya", "12 Mei 1990", id="word-after"),
        pytest.param("lahir tgl 12/05/1990 di Surabaya", "12/05/1990", id="place-after"),
    ],
)
def test_when_a_date_stands_next_to_a_birth_word_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("TTL : Bandung, 12-05-1990", "12-05-1990", id="ttl"),
        pytest.param(
            "Tempat/Tgl. Lahir : JAKARTA SELATAN, 01-01-1985", "01-01-1985", id="ktp-capitals"
        ),
        pytest.param(
            "Tempat, Tanggal Lahir: Pematang Siantar, 2 Januari 1970",
            "2 Januari 1970",
            id="two-word-place",
        ),
        pytest.param("Saya lahir di Marabahan, 12 Mei 1990.", "12 Mei 1990", id="prose"),
        pytest.param("born in Surabaya, 1 May 1990", "1 May 1990", id="english"),
        pytest.param("TTL: Medan / 12-05-1990", "12-05-1990", id="slash"),
        pytest.param("TTL: Senin, 12 Mei 1990", "12 Mei 1990", id="weekday"),
        pytest.param("Budi, 12 Mei 1990, lahir di Medan", "12 Mei 1990", id="name-before"),
        pytest.param(
            "Nama : Budi Santoso\nTTL : Bandung, 12-05-1990\nAgama : Islam",
            "12-05-1990",
            id="form",
        ),
        pytest.param("tgl lhr sya 22-03-1992 tp di ktp beda", "22-03-1992", id="chat-lhr"),
    ],
)
def test_when_a_place_of_birth_precedes_the_date_then_only_the_date_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Rapat tanggal 12 Mei 2024 di aula", id="meeting"),
        pytest.param("Surat tertanggal 12-05-2024 nomor 470/123/Disdukcapil/2024", id="letter"),
        pytest.param("UU No. 27 Tahun 2022 berlaku 17 Oktober 2022", id="law"),
        pytest.param("laporan quarterly 2024-03-31", id="quarterly"),
        pytest.param("Jakarta, 12 Mei 2024\nPerihal: Permohonan akta kelahiran", id="next-line"),
        pytest.param("deadline May 12, 2025", id="english-deadline"),
        pytest.param("lahir 31-02-1990", id="impossible-date"),
        pytest.param("lahir 12-05-2090", id="future"),
        pytest.param("lahir 12-13-1990", id="month-13-with-dashes"),
        pytest.param("lahir 32/13/1990", id="day-and-month-too-big"),
        pytest.param("lahir 12-05-1850", id="before-1900"),
        pytest.param("Hari Lahir Pancasila 1 Juni", id="no-year"),
        pytest.param("lahir pukul 10.30.15", id="time"),
        pytest.param("TTL: v1.2.3-2024", id="version"),
    ],
)
def test_when_a_date_has_no_birth_word_or_is_no_real_birth_date_then_nothing_is_reported(
    text: str,
) -> None:
    assert found(text) == []


def test_when_a_birth_word_precedes_two_dates_then_only_the_first_is_the_birth_date() -> None:
    text = "Tanggal lahir anak: 3 Maret 2015; kontrol 4 April 2025"
    assert found(text) == spans(text, "3 Maret 2015")


def test_when_two_people_have_their_own_birth_words_then_both_dates_are_reported() -> None:
    text = "Anak pertama lahir 3 Maret 2015, anak kedua lahir 4 April 2017."
    assert found(text) == spans(text, "3 Maret 2015", "4 April 2017")


def test_when_a_form_mixes_dates_then_only_the_birth_date_is_reported() -> None:
    text = (
        "Tanggal Pengajuan : 02-01-2024\n"
        "Tempat/Tgl Lahir : Bogor, 17-08-1985\n"
        "Tanggal Berlaku : 02-01-2029\n"
    )
    assert found(text) == spans(text, "17-08-1985")


def test_when_a_date_is_today_then_it_can_be_a_birth_date_and_tomorrow_cannot() -> None:
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert valid_birth_date(today.strftime("%d-%m-%Y"))
    assert not valid_birth_date(tomorrow.strftime("%d-%m-%Y"))
