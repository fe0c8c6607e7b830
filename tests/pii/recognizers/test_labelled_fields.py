"""Labelled-field recognizers through one engine: religion, marital status, gender, nationality
and criminal record; the value after its label is reported, never the label.

All forms and people are synthetic.
"""

from __future__ import annotations

from functools import partial

import pytest

from pii.engine import PiiEngine
from pii.recognizers.labelled_fields import (
    CriminalRecordRecognizer,
    GenderRecognizer,
    MaritalStatusRecognizer,
    NationalityRecognizer,
    ReligionRecognizer,
)
from tests.pii.recognizers.probe import found_by, spans

ENGINE = PiiEngine(
    recognizers=[
        ReligionRecognizer(),
        MaritalStatusRecognizer(),
        GenderRecognizer(),
        NationalityRecognizer(),
        CriminalRecordRecognizer(),
    ]
)

found = partial(found_by, ENGINE)


def test_when_a_ktp_transcript_is_pasted_then_each_field_value_is_reported() -> None:
    text = (
        "NIK : 3273012505900001\n"
        "Nama : BUDI SANTOSO\n"
        "Jenis Kelamin : LAKI-LAKI Gol. Darah : O\n"
        "Agama : ISLAM\n"
        "Status Perkawinan : BELUM KAWIN\n"
        "Pekerjaan : KARYAWAN SWASTA\n"
        "Kewarganegaraan : WNI\n"
        "Berlaku Hingga : SEUMUR HIDUP\n"
    )
    assert found(text) == spans(
        text,
        ("GENDER", "LAKI-LAKI"),
        ("RELIGION", "ISLAM"),
        ("MARITAL_STATUS", "BELUM KAWIN"),
        ("NATIONALITY", "WNI"),
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Agama : Islam", "Islam", id="form"),
        pytest.param("agama: kristen protestan", "kristen protestan", id="lowercase-two-words"),
        pytest.param("AGAMA      KRISTEN", "KRISTEN", id="table-gap"),
        pytest.param("Agama\tKatolik", "Katolik", id="tab"),
        pytest.param("Agama/Kepercayaan : Kepercayaan terhadap Tuhan YME",
                     "Kepercayaan terhadap Tuhan YME", id="kepercayaan"),
        pytest.param("agama= Hindu", "Hindu", id="equals"),
        pytest.param("Agama: Buddha, Pekerjaan: PNS", "Buddha", id="inline-fields"),
        pytest.param("agama saya Konghucu", "Konghucu", id="possessive"),
        pytest.param("agama beliau adalah Islam", "Islam", id="possessive-adalah"),
        pytest.param("Religion: Catholic", "Catholic", id="english"),
        pytest.param("my religion is Buddhism", "Buddhism", id="english-prose"),
        pytest.param("saya seorang Katolik", "Katolik", id="self"),
    ],
)  # fmt: skip
def test_when_a_religion_follows_its_label_then_only_the_value_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("RELIGION", value))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Status Perkawinan : Belum Kawin", "Belum Kawin", id="ktp"),
        pytest.param("status perkawinan: cerai hidup", "cerai hidup", id="lowercase"),
        pytest.param("Status Kawin: Cerai Mati", "Cerai Mati", id="status-kawin"),
        pytest.param("Status : KAWIN TERCATAT", "KAWIN TERCATAT", id="status-alone"),
        pytest.param("Status pernikahan: Menikah", "Menikah", id="pernikahan"),
        pytest.param("Marital status: Divorced", "Divorced", id="english"),
        pytest.param("status perkawinan saya janda", "janda", id="possessive"),
        pytest.param(
            "saya, NIK 3301017004980829, status Kawin, memohon",
            "Kawin",
            id="prose-capitalised-value",
        ),
        pytest.param("Status Perkawinan Ibu : Cerai Mati", "Cerai Mati", id="whose-field"),
        pytest.param("sy janda skrg, perlu ubah status", "janda", id="self-chat"),
        pytest.param("I am divorced", "divorced", id="self-english"),
    ],
)
def test_when_a_marital_status_follows_its_label_then_only_the_value_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("MARITAL_STATUS", value))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Jenis Kelamin : Laki-laki", "Laki-laki", id="ktp"),
        pytest.param("jenis kelamin: perempuan", "perempuan", id="lowercase"),
        pytest.param("Jenis Kelamin (L/P): L", "L", id="letter-with-hint"),
        pytest.param("L/P : P", "P", id="l-slash-p-label"),
        pytest.param("JK: P", "P", id="jk"),
        pytest.param("Jns. Kelamin : Pria", "Pria", id="abbreviated-label"),
        pytest.param("Sex: F", "F", id="english-letter"),
        pytest.param("Gender: Male", "Male", id="english-word"),
        pytest.param("jenis kelamin saya adalah wanita", "wanita", id="possessive"),
        pytest.param("Jenis Kelamin Anak : Perempuan", "Perempuan", id="whose-field"),
        pytest.param("gan sy wanita umur 35", "wanita", id="self-chat"),
        pytest.param("I'm male, Catholic and single", "male", id="self-english"),
    ],
)
def test_when_a_sex_follows_its_label_then_only_the_value_is_reported(
    text: str, value: str
) -> None:
    start = text.rindex(value)  # the value ends each text; `L/P` labels hold the letters too
    assert found(text) == [("GENDER", start, start + len(value))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Kewarganegaraan : WNI", "WNI", id="wni"),
        pytest.param("kewarganegaraan: wna", "wna", id="wna-lowercase"),
        pytest.param("Warga Negara : Indonesia", "Indonesia", id="warga-negara"),
        pytest.param("Kewarganegaraan: Warga Negara Asing", "Warga Negara Asing", id="spelled"),
        pytest.param("Kewarganegaraan: Amerika Serikat\nPekerjaan: Guru", "Amerika Serikat",
                     id="two-word-country"),
        pytest.param("Kebangsaan: Malaysia, lahir di Johor", "Malaysia", id="country"),
        pytest.param("Nationality: Indonesian", "Indonesian", id="english"),
        pytest.param("Citizenship: JAPAN", "JAPAN", id="english-capitals"),
        pytest.param("sy WNI tp tinggal di malay", "WNI", id="self-chat"),
        pytest.param("I'm Indonesian", "Indonesian", id="self-english"),
    ],
)  # fmt: skip
def test_when_a_nationality_follows_its_label_then_only_the_value_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("NATIONALITY", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Mata kuliah pendidikan agama Islam", id="subject-name"),
        pytest.param("guru agama Katolik di sekolah", id="teacher"),
        pytest.param("toilet wanita di lantai 2", id="toilet"),
        pytest.param("produk Indonesia berkualitas", id="product"),
        pytest.param("Status: aktif", id="status-other-value"),
        pytest.param("status pengiriman: married couple package", id="other-status-label"),
        pytest.param("kelas L, M dan XL", id="sizes"),
        pytest.param("Kewarganegaraan: -", id="empty-value"),
        pytest.param("Jenis Kelamin: ", id="no-value"),
        pytest.param("Agama : Islamiyah Foundation", id="longer-word"),
        pytest.param("Warga negara wajib membayar pajak", id="no-colon"),
        pytest.param("isu gender dan agama di sekolah", id="topics"),
        pytest.param("perubahan status kawin di KK", id="status-kawin-topic"),
        pytest.param("Status Kawin: ", id="label-without-value"),
        pytest.param("warga negara asing wajib lapor", id="foreigners-in-general"),
        pytest.param("agama Kristen mengajarkan kasih", id="religion-in-general"),
        pytest.param("kami Indonesia", id="plural-slogan"),
        pytest.param("saya mau tanya soal status menikah", id="asking-about-status"),
    ],
)
def test_when_a_word_is_no_labelled_value_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Catatan Kriminal : Pernah dipidana 2 tahun (pencurian).",
                     "Pernah dipidana 2 tahun (pencurian)", id="label-value-to-sentence-end"),
        pytest.param("Catatan kepolisian: tidak ada", "tidak ada", id="clean-record"),
        pytest.param("Riwayat Pidana : Narkotika 2019\nPekerjaan : -", "Narkotika 2019",
                     id="label-value-to-newline"),
        pytest.param("Criminal record: none", "none", id="english-label"),
        pytest.param("SKCK saya ditolak karena pernah ditahan.", "pernah ditahan",
                     id="skck-pernah-ditahan"),
        pytest.param("Suami saya mantan napi kasus narkoba.", "mantan napi kasus narkoba",
                     id="mantan-napi-offence"),
        pytest.param("Sdr. Budi pernah dipenjara karena mencuri motor.",
                     "pernah dipenjara karena mencuri motor", id="honorific"),
        pytest.param("saya tidak pernah dipidana", "tidak pernah dipidana", id="negated"),
        pytest.param("Dia residivis", "residivis", id="residivis"),
        pytest.param("beliau divonis 5 tahun penjara", "divonis 5 tahun", id="divonis"),
        pytest.param("My brother is an ex-convict.", "ex-convict", id="english"),
        pytest.param("I have a criminal record", "have a criminal record", id="english-record"),
        pytest.param("yang bersangkutan terpidana kasus korupsi", "terpidana kasus korupsi",
                     id="ybs"),
        pytest.param("suami sy pernah dipenjara 2 tahun karena penipuan, skrg",
                     "pernah dipenjara 2 tahun karena penipuan", id="chat-duration"),
        pytest.param("saya bebas bersyarat setelah vonis 3 tahun kasus korupsi.",
                     "bebas bersyarat setelah vonis 3 tahun kasus korupsi", id="parole"),
        pytest.param("Riwayat Perkara : terpidana kasus narkotika\nKeperluan : Melamar",
                     "terpidana kasus narkotika", id="riwayat-perkara"),
        pytest.param("My brother served two years in prison for fraud.",
                     "served two years in prison for fraud", id="english-served"),
    ],
)  # fmt: skip
def test_when_a_criminal_record_is_labelled_or_said_of_a_person_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, ("CRIMINAL_RECORD", value))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Syarat SKCK: tidak pernah dipidana.", id="requirement"),
        pytest.param("Apakah mantan napi bisa membuat SKCK?", id="general-question"),
        pytest.param("Narapidana berhak mendapat remisi.", id="general-statement"),
        pytest.param("Polisi menetapkan tiga tersangka baru.", id="news"),
        pytest.param("Saya mau tanya. Apakah narapidana boleh dijenguk?", id="other-sentence"),
        pytest.param("Catatan: rapat ditunda", id="other-catatan"),
        pytest.param("ditahan dulu pembayarannya ya", id="other-meaning-no-person"),
    ],
)
def test_when_crime_words_describe_no_one_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_a_foreigner_form_names_the_country_then_both_values_are_reported() -> None:
    text = "No. Paspor : X1234567\nKewarganegaraan : WNA (Jepang)\nJenis Kelamin : Laki-laki"
    assert found(text) == spans(
        text, ("NATIONALITY", "WNA"), ("NATIONALITY", "Jepang"), ("GENDER", "Laki-laki")
    )


def test_when_an_english_form_is_filled_then_each_value_is_reported() -> None:
    text = "Religion: Muslim; Marital status: Married; Sex: M; Nationality: Indonesian"
    assert found(text) == spans(
        text,
        ("RELIGION", "Muslim"),
        ("MARITAL_STATUS", "Married"),
        ("GENDER", "M"),
        ("NATIONALITY", "Indonesian"),
    )
