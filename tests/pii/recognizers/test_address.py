"""AddressRecognizer through the engine: one span from the street to the postal code.

Streets, villages and postal codes are synthetic combinations of common names.
"""

from __future__ import annotations

import pytest

from pii.recognizers.address import AddressRecognizer
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(AddressRecognizer())
ENGINE = PROBE.engine
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Jl. Merdeka No. 10", "Jl. Merdeka No. 10", id="minimal"),
        pytest.param("kirim ke Jln. Ahmad Yani No.12 ya", "Jln. Ahmad Yani No.12", id="jln"),
        pytest.param("Jalan Pahlawan Nomor 7A", "Jalan Pahlawan Nomor 7A", id="jalan-nomor"),
        pytest.param("Jl.Merdeka No.10", "Jl.Merdeka No.10", id="no-spaces"),
        pytest.param("Jl. H. Agus Salim No. 5", "Jl. H. Agus Salim No. 5", id="initial-in-name"),
        pytest.param("Jl. 17 Agustus No. 3/12", "Jl. 17 Agustus No. 3/12", id="digits-in-name"),
        pytest.param(
            "Jln. Raya Bogor KM 25 No. 3, Kota Depok.",
            "Jln. Raya Bogor KM 25 No. 3, Kota Depok",
            id="km-and-city",
        ),
        pytest.param(
            "Gg. Mawar II No. 7A, Bandung 40123", "Gg. Mawar II No. 7A, Bandung 40123", id="gang"
        ),
        pytest.param(
            "Perum Griya Asri Blok C2 No. 5, Kab. Bogor",
            "Perum Griya Asri Blok C2 No. 5, Kab. Bogor",
            id="perum-blok",
        ),
        pytest.param(
            "Komp. Batununggal Indah Blok A-3, RT/RW 003/005",
            "Komp. Batununggal Indah Blok A-3, RT/RW 003/005",
            id="komplek-rt-rw-slash",
        ),
        pytest.param(
            "Kp. Cibogo RT 02/03 Desa Sukamaju Kec. Cibinong",
            "Kp. Cibogo RT 02/03 Desa Sukamaju Kec. Cibinong",
            id="kampung-rt",
        ),
        pytest.param(
            "JL. MERDEKA NO. 10 RT.003/RW.005 KEL. SUKAJADI",
            "JL. MERDEKA NO. 10 RT.003/RW.005 KEL. SUKAJADI",
            id="ktp-capitals",
        ),
        pytest.param("Jl. Sudirman Kav. 52-53", "Jl. Sudirman Kav. 52-53", id="kavling"),
        pytest.param("Blok F3/7 No. 2 dekat masjid", "Blok F3/7 No. 2", id="blok-alone"),
    ],
)
def test_when_a_street_has_a_house_number_then_the_address_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param(
            "Alamat: Jl. Merdeka No. 10, RT 03/RW 04, Kel. Sukajadi, Kec. Sukasari, "
            "Kota Bandung, Jawa Barat 40111. Terima kasih",
            "Jl. Merdeka No. 10, RT 03/RW 04, Kel. Sukajadi, Kec. Sukasari, Kota Bandung, "
            "Jawa Barat 40111",
            id="full-with-commas",
        ),
        pytest.param(
            "Saya tinggal di Jl. H. Agus Salim No. 5 Kec. Menteng Kota Jakarta Pusat "
            "kode pos 10350 sejak 2010",
            "Jl. H. Agus Salim No. 5 Kec. Menteng Kota Jakarta Pusat kode pos 10350",
            id="no-commas-kode-pos",
        ),
        pytest.param(
            "Jl. Mawar No. 1 Kelurahan Cempaka Putih Kecamatan Kota Baru Kabupaten Ketapang "
            "Provinsi Kalimantan Barat\nNo. HP: -",
            "Jl. Mawar No. 1 Kelurahan Cempaka Putih Kecamatan Kota Baru Kabupaten Ketapang "
            "Provinsi Kalimantan Barat",
            id="long-labels-to-newline",
        ),
        pytest.param(
            "Alamat : Jl. Kenanga No. 4 RT 001 RW 002\nPekerjaan : Guru",
            "Jl. Kenanga No. 4 RT 001 RW 002",
            id="form-stops-at-newline",
        ),
        pytest.param(
            "Domisili Jl. Melati No. 9, Ds. Sukaraja, Prov. Jawa Tengah, kodepos: 50111.",
            "Jl. Melati No. 9, Ds. Sukaraja, Prov. Jawa Tengah, kodepos: 50111",
            id="ds-prov-kodepos",
        ),
        pytest.param(
            "Jl. Anggrek No. 2 40115 Bandung", "Jl. Anggrek No. 2 40115", id="bare-postal-code"
        ),
    ],
)
def test_when_an_address_has_an_administrative_tail_then_it_is_one_span(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param(
            "kirim ke jl merdeka no 10 rt 3 rw 4 kel sukajadi kec sukasari kota bandung ya kak",
            "jl merdeka no 10 rt 3 rw 4 kel sukajadi kec sukasari kota bandung",
            id="lowercase-whatsapp",
        ),
        pytest.param("alamat saya jalan mawar no 7", "jalan mawar no 7", id="lowercase-jalan"),
        pytest.param("Domisili: RT 003 RW 005 Kel. Sukamaju", "RT 003 RW 005 Kel. Sukamaju",
                     id="rt-rw-alone"),
        pytest.param("saya tinggal di rt 02/rw 07 desa cibodas", "rt 02/rw 07 desa cibodas",
                     id="rt-rw-lowercase"),
        pytest.param("home address: RT 04 RW 09", "RT 04 RW 09", id="english-context"),
    ],
)  # fmt: skip
def test_when_a_weaker_form_has_an_address_word_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("RT 003 RW 005 mengadakan kerja bakti", id="rt-rw-without-context"),
        pytest.param("ini jalan mawar no 7 menuju pasar", id="lowercase-jalan-without-context"),
        pytest.param("Jalan-jalan ke mall yuk", id="reduplicated-verb"),
        pytest.param("Ini jalan keluar nomor 1 terbaik.", id="figurative"),
        pytest.param("Kantor di Jl. Sudirman Jakarta", id="street-without-number"),
        pytest.param("Jalan Tol Jagorawi KM 10 macet", id="toll-road-km"),
        pytest.param("UU No. 27 Tahun 2022 tentang PDP", id="law-number"),
        pytest.param("surat 470/123/Disdukcapil/2024", id="letter-number"),
        pytest.param("Kecamatan Sukasari, Kota Bandung", id="area-without-street"),
        pytest.param("ada 40111 peserta dan Rp 150.000", id="five-digits-no-label"),
        pytest.param("Blok M ramai sekali", id="blok-without-number"),
        pytest.param("gg wp semuanya", id="slang"),
    ],
)
def test_when_text_only_mentions_streets_or_numbers_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("alamat saya kode pos 40111", "40111", id="kode-pos"),
        pytest.param("Domisili Kodepos: 10350", "10350", id="kodepos"),
        pytest.param("home address postal code 80361", "80361", id="english"),
    ],
)
def test_when_a_postal_code_follows_its_label_near_an_address_word_then_the_code_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("kode pos 40111", id="alone"),
        pytest.param(
            "Kantor Kecamatan Sukasari melayani wilayah dengan kode pos 40132 sampai 40135.",
            id="service-area",
        ),
    ],
)
def test_when_a_postal_code_has_no_address_word_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_ktp_address_block_is_pasted_then_the_street_and_each_value_are_reported() -> None:
    text = (
        "Alamat : JL. MELATI UTARA NO. 49\n"
        "RT/RW : 007/007\n"
        "Kel/Desa : JATIMULYA\n"
        "Kecamatan : PADANG SELATAN\n"
        "Agama : ISLAM\n"
    )
    assert found(text) == spans(
        text, "JL. MELATI UTARA NO. 49", "007/007", "JATIMULYA", "PADANG SELATAN"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Kecamatan : Sukasari", id="district-field-alone"),
        pytest.param("Kota: Bandung, Provinsi: Jawa Barat", id="city-fields-alone"),
    ],
)
def test_when_an_area_field_stands_outside_an_address_block_then_it_is_not_reported(
    text: str,
) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Kantor Disdukcapil Kota Semarang beralamat di Jl. Veteran No. 40, Kota Semarang.",
            id="disdukcapil",
        ),
        pytest.param("Puskesmas Sukajadi terletak di Jl. Mawar No. 2", id="puskesmas"),
        pytest.param("Our office is located at Jl. Sudirman No. 5", id="english"),
    ],
)
def test_when_an_institution_gives_its_own_address_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_person_gives_an_address_near_an_institution_then_it_is_reported() -> None:
    text = "Saya tinggal di Jl. Mawar No. 2, dekat kantor kelurahan."
    assert found(text) == spans(text, "Jl. Mawar No. 2")


def test_when_two_addresses_are_in_one_message_then_both_are_reported() -> None:
    text = "Rumah di Jl. Cemara No. 8, kantor di Jl. Asia Afrika No. 65, Bandung 40111."
    assert found(text) == spans(text, "Jl. Cemara No. 8", "Jl. Asia Afrika No. 65, Bandung 40111")


def test_when_an_address_word_is_near_then_the_score_is_boosted() -> None:
    (bare,) = ENGINE.analyze("Jl. Merdeka No. 10")
    (labelled,) = ENGINE.analyze("Alamat: Jl. Merdeka No. 10")
    assert labelled.score > bare.score >= 0.5
