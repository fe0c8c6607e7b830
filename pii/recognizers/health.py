"""HEALTH: a person's diagnosis or condition, and ICD-10 codes in a medical record.

Accepted:
- ICD-10 codes `[A-Z]\\d{2}(.\\d{1,2})?` (`E11.9`, `J18`, `U07.1`) only on the same line as a
  record word within 48 characters before or 24 after: diagnosa, diagnosis, dx, ICD, ICD-10,
  rekam medis, No. RM, kode penyakit, medical record. Elsewhere `B12` or `A12` is a vitamin,
  a seat or a block.
- Condition words, Indonesian and English (diabetes melitus tipe 2, kencing manis, hipertensi,
  darah tinggi, TBC/TB paru/tuberkulosis, HIV/AIDS, stroke, kanker payudara stadium 3, gagal
  ginjal, cuci darah, depresi, bipolar, skizofrenia, gangguan jiwa, hepatitis B, asma, jantung
  koroner, hamil, keguguran, epilepsi, DBD, COVID-19, kusta, autisme, ...), but only when they are
  about a person. The rule, applied within the sentence (no `.`, `!`, `?` or newline between)
  and within 48 characters before or 24 after the condition:
  * a clinical or personal-history cue is present: menderita, diderita, mengidap, didiagnosa/
    didiagnosis/terdiagnosa, diagnosa, dx, divonis, positif, riwayat, kambuh, dirawat, opname,
    berobat, pasien, rekam medis, cuti sakit, surat (keterangan) sakit, diagnosed, suffers,
    tested positive, history of, patient, hospitalized, sick leave; or
  * the condition directly follows a person: a pronoun or possessive (chat spellings sy, sya,
    aq too), optionally with a relative and helper verbs (`saya hamil`, `anak saya sakit asma`,
    `istriku sedang hamil`, `aku kena TBC`, `my father has diabetes`, `I have asthma`); or
  * a having word stands right before the condition (sakit/skt, kena, mengalami, punya, kontrol,
    berobat, pengobatan, terapi, has, have, with) and a person (pronoun, `Anda`, `you`, an
    honorific such as Bapak/Ibu/Tn./Ny.) is named in the sentence: `bapak sy Dedi lg sakit HIV`,
    `Anda sedang menjalani pengobatan stroke`.
  So "apa itu diabetes?", "cara mencegah stroke", "penderita TBC di Indonesia", "apakah sakit
  diabetes bisa sembuh?" and "ibu hamil boleh minum kopi?" are not masked, while a general
  sentence that names a patient ("pasien diabetes perlu diet") is: a cue word decides, not the
  grammar of the sentence.
Acronyms (HIV, AIDS, TBC, TB, DBD, ADHD, PPOK, COPD, GERD, COVID) match in capitals only, so
English "aids" or "tb" as a unit are not conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    GerbangRecognizer,
    sentence_window,
    word_trie,
    words_regex,
)

_S = r"[ \t]+"
_ORGAN = (
    r"(?:payudara|serviks|leher rahim|rahim|paru-paru|paru|usus besar|usus|hati|prostat|darah|"
    r"kulit|otak|tulang|lambung|nasofaring|ovarium|pankreas|tiroid|kolon|ginjal|mulut|kandung "
    r"kemih)"
)
_STAGE = rf"(?:{_S}stadium{_S}(?:[1-4]|IV|I{{1,3}})[ABC]?)?"
_CONDITIONS = (
    rf"diabetes(?:{_S}mel+itus)?(?:{_S}tipe{_S}?(?:1|2|II|I))?",
    rf"type{_S}[12]{_S}diabetes",
    rf"kencing{_S}manis",
    rf"(?:tekanan{_S})?darah{_S}tinggi",
    r"hipertensi",
    rf"tuberkulosis(?:{_S}paru)?|(?:pulmonary{_S})?tuberculosis",
    rf"(?:kanker|tumor){_S}{_ORGAN}{_STAGE}|(?:kanker|tumor){_STAGE}",
    r"cancer|leukemia|leukimia|limfoma|lymphoma",
    r"stroke",
    rf"gagal{_S}ginjal(?:{_S}(?:kronis|kronik|akut))?|cuci{_S}darah|hemodialisa|hemodialisis",
    rf"(?:chronic{_S})?kidney{_S}(?:failure|disease)",
    rf"gagal{_S}jantung|serangan{_S}jantung|(?:penyakit{_S})?jantung{_S}koroner",
    rf"(?:coronary{_S})?heart{_S}(?:disease|attack|failure)",
    r"depresi|depression",
    rf"(?:gangguan{_S})?bipolar(?:{_S}disorder)?|skizofrenia|schizophrenia",
    rf"gangguan{_S}(?:jiwa|mental|kecemasan)|anxiety{_S}disorder",
    rf"hepatitis(?:{_S}[A-E]\b)?",
    r"asma|asthma",
    r"hamil|kehamilan|keguguran|pregnant|pregnancy|miscarriage",
    r"epilepsi|epilepsy|ayan",
    rf"demam{_S}berdarah",
    r"kusta|lepra|leprosy",
    r"autisme|autis|autism",
    r"alzheimer|demensia|dementia|parkinson",
    r"lupus|sifilis|syphilis|gonore|thalassemia|talasemia|hemofilia|sirosis",
    r"malaria|tifus|tipes",
)
# Acronyms, capitals only (`aids` and `tb` are English words and units).
_ACRONYMS = r"HIV/AIDS|HIV|AIDS|TBC?(?:[ \t]+[Pp]aru)?|DBD|ADHD|PPOK|COPD|GERD|COVID(?:-19)?"
# The first word of every condition above: a cheap prefilter for the long alternation.
_HEAD_WORDS = (
    "diabetes", "kencing", "tekanan", "darah", "hipertensi", "tuberkulosis", "tuberculosis",
    "kanker", "tumor", "cancer", "leukemia", "leukimia", "limfoma", "lymphoma", "stroke", "gagal",
    "cuci", "hemodialisa", "hemodialisis", "kidney", "serangan", "penyakit", "jantung", "coronary",
    "heart", "depresi", "depression", "gangguan", "bipolar", "skizofrenia", "schizophrenia",
    "anxiety", "hepatitis", "asma", "asthma", "hamil", "kehamilan", "keguguran", "pregnant",
    "pregnancy", "miscarriage", "epilepsi", "epilepsy", "ayan", "demam", "kusta", "lepra",
    "leprosy", "autisme", "autis", "autism", "alzheimer", "demensia", "dementia", "parkinson",
    "lupus", "sifilis", "syphilis", "gonore", "thalassemia", "talasemia", "hemofilia", "sirosis",
    "malaria", "tifus", "tipes", "type", "pulmonary", "chronic", "hiv", "aids", "tbc", "tb",
    "dbd", "adhd", "ppok", "copd", "gerd", "covid",
)  # fmt: skip
CONDITION_REGEX = (
    rf"\b(?<!-)(?=(?:{word_trie(_HEAD_WORDS)})\b)"
    r"(?:(?-i:" + _ACRONYMS + r")|" + "|".join(_CONDITIONS) + r")(?![\w\-])"
)
ICD10_REGEX = r"(?<![\w.\-/])(?-i:[A-Z]\d{2}(?:\.\d{1,2})?)(?![\w\-/]|\.\d)"

_STRONG_CUES = (
    "menderita", "diderita", "derita", "mengidap", "diidap", "didiagnosa", "didiagnosis",
    "terdiagnosa", "terdiagnosis", "diagnosa", "diagnosis", "dx", "divonis", "positif",
    "riwayat", "kambuh", "dirawat", "opname", "berobat", "pasien", "rekam medis", "diagnosed",
    "suffers", "suffering", "suffered", "tested positive", "history of", "patient",
    "hospitalized", "hospitalised", "treated for", "cuti sakit", "izin sakit", "surat sakit",
    "surat keterangan sakit", "sick leave",
)  # fmt: skip
_ICD_CUES = (
    "diagnosa", "diagnosis", "dx", "icd", "icd-10", "icd10", "rekam medis", "no. rm", "no rm",
    "nomor rm", "kode penyakit", "kode diagnosa", "kode icd", "medical record", "diagnosis code",
)  # fmt: skip
_PRONOUNS = (
    "saya", "sy", "sya", "aku", "aq", "gue", "gua", "gw", "kami", "beliau", "dia", "ia", "anda",
    "kamu", "my", "he", "she", "his", "her", "i", "you", "your",
)  # fmt: skip
_KIN_ID = (
    "anak", "istri", "suami", "ibu", "ayah", "bapak", "mama", "papa", "adik", "kakak", "nenek",
    "kakek", "mertua", "pacar",
)  # fmt: skip
_KIN_MINE_WORDS = tuple(f"{kin}ku" for kin in _KIN_ID)  # anakku, istriku: "my child", "my wife"
_KIN_MINE = "(?:" + "|".join(_KIN_MINE_WORDS) + ")"
_KIN = (
    "(?:" + "|".join(_KIN_ID) + "|son|daughter|wife|husband|mother|father|mom|dad|brother|sister)"
)
_HELPERS = (
    r"(?:sedang|lagi|lg|juga|sudah|udah|telah|masih|pernah|punya|ada|memiliki|kena|terkena|"
    r"sakit|skt|mengalami|terserang|is|was|am|has|have|had|got|gets|with|been|also)"
)
# A person right before the condition: `saya hamil`, `anak saya sakit asma`, `my father has`.
_PERSON_BEFORE = re.compile(
    rf"(?:\b(?:{_KIN}[ \t]+)?(?:saya|sy|sya|aku|aq|gue|gua|gw|kami|beliau|dia|ia|anda|kamu"
    rf"|(?-i:I))\b|\b(?:my|his|her|your)[ \t]+{_KIN}|\b(?:he|she|you)\b|\b{_KIN_MINE})"
    rf"(?:[ \t]+{_HELPERS})*[ \t]+$",
    re.IGNORECASE,
)
# Having the condition, right before it, when a person is named elsewhere in the sentence:
# `bapak sy Dedi lg sakit HIV`, `sy rutin kontrol skizofrenia`, `Anda menjalani pengobatan X`.
_HAVING_BEFORE = re.compile(
    r"\b(?:sakit|skt|kena|terkena|mengalami|punya|memiliki|idap|kontrol|berobat|pengobatan|"
    r"terapi|perawatan|has|have|had|got|with|treatment[ \t]+for)[ \t]+$",
    re.IGNORECASE,
)
_PERSON_WORDS = (*_PRONOUNS, *_KIN_MINE_WORDS, "bapak", "ibu", "pak", "bu", "tn", "ny")


_STRONG_RE = words_regex(_STRONG_CUES)
_PERSON_RE = words_regex(_PERSON_WORDS)
_ICD_RE = words_regex(_ICD_CUES)
_ICD_SHAPE = re.compile(r"[A-Z]\d{2}(?:\.\d{1,2})?")


class HealthRecognizer(GerbangRecognizer):
    """Finds conditions said of a person and ICD-10 codes next to a diagnosis or record word."""

    ENTITY = "HEALTH"
    PATTERNS = (
        Pattern("health_condition", CONDITION_REGEX, 0.5),
        Pattern("health_icd10", ICD10_REGEX, 0.5),
    )
    # Every word the person rule looks for, so the engine's context check agrees with it.
    CONTEXT = (*_STRONG_CUES, *_ICD_CUES, *_PERSON_WORDS)
    CONTEXT_REQUIRED = True
    CONTEXT_GATE = False  # pronouns: in nearly every message
    # A condition or an ICD record word.
    TRIGGER_WORDS = (*_HEAD_WORDS, *_ICD_CUES)
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "health_condition": re.compile(word_trie(_HEAD_WORDS, not_after=r"\w") + r"\b"),
        "health_icd10": re.compile(word_trie(_ICD_CUES, not_after=r"\w")),  # `_icd_in_record`
    }
    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    PRIORITY = 50

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Keep conditions about a person and ICD-10 codes in a record; nothing said in general."""
        return [
            r
            for r in results
            if (
                _icd_in_record(text, r.start, r.end)
                if _ICD_SHAPE.fullmatch(text, r.start, r.end)
                else _about_a_person(text, r.start, r.end)
            )
        ]


def _icd_in_record(text: str, start: int, end: int) -> bool:
    before = max(0, start - CONTEXT_BEFORE)
    before = max(before, text.rfind("\n", before, start) + 1)
    after = min(len(text), end + CONTEXT_AFTER)
    if (newline := text.find("\n", end, after)) >= 0:
        after = newline
    return bool(_ICD_RE.search(text, before, start) or _ICD_RE.search(text, end, after))


def _about_a_person(text: str, start: int, end: int) -> bool:
    window_start, window_end = sentence_window(text, start, end)
    if _STRONG_RE.search(text, window_start, start) or _STRONG_RE.search(text, end, window_end):
        return True
    if _PERSON_BEFORE.search(text, window_start, start) is not None:
        return True
    return bool(
        _HAVING_BEFORE.search(text, max(window_start, start - 24), start)
        and (
            _PERSON_RE.search(text, window_start, start) or _PERSON_RE.search(text, end, window_end)
        )
    )
