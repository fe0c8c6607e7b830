"""HealthRecognizer through the engine: conditions said of a person, ICD-10 codes in a record.

All people and records are synthetic.
"""

from __future__ import annotations

import pytest

from pii.recognizers.health import HealthRecognizer
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(HealthRecognizer())
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Saya menderita diabetes melitus tipe 2 sejak 2015.",
                     "diabetes melitus tipe 2", id="menderita"),
        pytest.param("Pasien Tn. B didiagnosa hipertensi kemarin.", "hipertensi",
                     id="pasien-didiagnosa-honorific"),
        pytest.param("ayah mengidap kencing manis", "kencing manis", id="mengidap"),
        pytest.param("Dia positif HIV sejak tahun lalu", "HIV", id="positif-acronym"),
        pytest.param("riwayat TBC paru", "TBC paru", id="riwayat"),
        pytest.param("Ibu divonis kanker payudara stadium 3", "kanker payudara stadium 3",
                     id="divonis-with-organ-and-stage"),
        pytest.param("kakak saya dirawat karena demam berdarah", "demam berdarah",
                     id="dirawat"),
        pytest.param("She was diagnosed with schizophrenia", "schizophrenia", id="english"),
        pytest.param("He suffers from coronary heart disease", "coronary heart disease",
                     id="english-multiword"),
        pytest.param("hepatitis B yang saya derita", "hepatitis B", id="cue-after"),
        pytest.param("Riwayat penyakit: hipertensi", "hipertensi", id="form"),
        pytest.param("Depresi suami saya kambuh lagi", "Depresi", id="kambuh-after"),
        pytest.param("mengajukan cuti sakit selama 14 hari karena stroke sesuai surat", "stroke",
                     id="cuti-sakit"),
    ],
)  # fmt: skip
def test_when_a_clinical_cue_is_in_the_sentence_then_the_condition_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


def test_when_a_sentence_names_two_conditions_then_each_is_its_own_span() -> None:
    text = "pasien gagal ginjal kronis, cuci darah 2x seminggu"
    assert found(text) == spans(text, "gagal ginjal kronis", "cuci darah")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Anak saya sakit asma, obatnya apa ya?", "asma", id="anak-saya-sakit"),
        pytest.param("Istriku sedang hamil 3 bulan", "hamil", id="istriku-hamil"),
        pytest.param("saya hamil, boleh minum kopi?", "hamil", id="saya-hamil"),
        pytest.param("aku kena TBC", "TBC", id="aku-kena"),
        pytest.param("ibu saya kena stroke minggu lalu", "stroke", id="ibu-saya-kena"),
        pytest.param("gue lagi depresi parah", "depresi", id="gue-lagi"),
        pytest.param("My father has diabetes", "diabetes", id="english-kin"),
        pytest.param("I have asthma", "asthma", id="english-i-have"),
        pytest.param("beliau punya darah tinggi", "darah tinggi", id="beliau-punya"),
        pytest.param("anak saya autis", "autis", id="direct"),
        pytest.param(
            "pdhl sy rutin kontrol skizofrenia tiap bulan", "skizofrenia", id="chat-sy-kontrol"
        ),
        pytest.param("bapak sy Dedi lg sakit HIV, ga bs dtg", "HIV", id="chat-name-between"),
        pytest.param(
            "istri sya Fitri skt gagal ginjal kronis", "gagal ginjal kronis", id="chat-skt"
        ),
        pytest.param(
            "Karena Anda sedang menjalani pengobatan stroke, segera aktifkan",
            "stroke",
            id="ai-answer-to-you",
        ),
        pytest.param("She has type 2 diabetes.", "type 2 diabetes", id="english-type-2"),
        pytest.param(
            "I have pulmonary tuberculosis", "pulmonary tuberculosis", id="english-pulmonary"
        ),
        pytest.param(
            "my mother has chronic kidney disease", "chronic kidney disease", id="english-ckd"
        ),
    ],
)
def test_when_the_condition_directly_follows_a_person_then_it_is_reported(
    text: str, value: str
) -> None:
    assert found(text) == spans(text, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Apa itu diabetes?", id="what-is"),
        pytest.param("Bagaimana cara mencegah stroke?", id="how-to-prevent"),
        pytest.param("Berapa jumlah penderita TBC di Indonesia?", id="statistics"),
        pytest.param("Apakah ibu hamil boleh minum kopi?", id="pregnant-women-in-general"),
        pytest.param("Saya mau tanya, apakah ibu hamil boleh minum kopi?", id="asker-not-subject"),
        pytest.param("Saya ingin tahu gejala hipertensi", id="wants-to-know"),
        pytest.param("What is the treatment for asthma?", id="english-question"),
        pytest.param("Saya baca buku tentang kanker. Pasien harus tenang.", id="other-sentence"),
        pytest.param("depresi ekonomi 1930", id="economic-depression"),
        pytest.param("latihan gaya stroke renang", id="swimming-stroke"),
        pytest.param("This product aids digestion", id="english-aids"),
        pytest.param("kabel 2 tb dan hiv-test kit", id="lowercase-acronyms"),
        pytest.param("Program nasional eliminasi TBC 2030", id="programme"),
        pytest.param("Apakah sakit diabetes bisa sembuh?", id="sakit-without-person"),
        pytest.param("Orang yang kena stroke perlu fisioterapi", id="kena-without-person"),
        pytest.param("Bagaimana pengobatan hipertensi yang tepat?", id="treatment-question"),
    ],
)
def test_when_a_condition_is_mentioned_in_general_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        pytest.param("Dx: E11.9, I10", ("E11.9", "I10"), id="dx-two-codes"),
        pytest.param("No. RM 012345 ICD-10 J18.9", ("J18.9",), id="rekam-medis-icd"),
        pytest.param("Diagnosa utama: U07.1 (COVID-19)", ("U07.1", "COVID-19"),
                     id="diagnosa-code-and-name"),
        pytest.param("kode ICD A09 untuk diare", ("A09",), id="kode-icd"),
        pytest.param("F32.1 (diagnosis)", ("F32.1",), id="cue-after"),
    ],
)  # fmt: skip
def test_when_an_icd10_code_is_in_a_record_line_then_it_is_reported(
    text: str, values: tuple[str, ...]
) -> None:
    assert found(text) == spans(text, *values)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Vitamin B12 dan kursi A12", id="vitamin-and-seat"),
        pytest.param("Blok C12 No. 3", id="address-block"),
        pytest.param("Diagnosa\nA09 adalah kode ruangan", id="cue-on-previous-line"),
        pytest.param("dx: e11.9", id="lowercase-code"),
        pytest.param("ICD-10 E11.9.1", id="too-many-groups"),
    ],
)
def test_when_a_code_is_not_in_a_record_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "condition",
    [
        "diabetes", "diabetes mellitus", "kencing manis", "darah tinggi", "tekanan darah tinggi",
        "hipertensi", "tuberkulosis", "TB paru", "TBC", "HIV/AIDS", "AIDS", "stroke", "kanker",
        "kanker paru-paru", "tumor otak", "leukemia", "gagal ginjal", "cuci darah",
        "serangan jantung", "jantung koroner", "penyakit jantung koroner", "depresi",
        "gangguan bipolar", "skizofrenia", "gangguan jiwa", "gangguan kecemasan", "hepatitis C",
        "asma", "hamil", "keguguran", "epilepsi", "demam berdarah", "DBD", "COVID-19", "kusta",
        "autisme", "ADHD", "alzheimer", "demensia", "parkinson", "lupus", "sifilis",
        "thalassemia", "sirosis", "malaria", "tifus", "PPOK", "GERD", "kidney failure",
        "heart attack", "pregnant", "bipolar disorder", "anxiety disorder", "epilepsy",
    ],
)  # fmt: skip
def test_when_any_listed_condition_is_said_of_a_person_then_it_is_found(condition: str) -> None:
    text = f"Saya didiagnosis {condition} tahun lalu."
    assert found(text) == spans(text, condition)
