"""Form-labelled personal fields: RELIGION, MARITAL_STATUS, GENDER, NATIONALITY, CRIMINAL_RECORD.

One recognizer per entity type. RELIGION, MARITAL_STATUS, GENDER and NATIONALITY report a value
only after its label, and only the value:
- `Label : Value` with `:` or `=` (spaces around it optional; `Jenis Kelamin (L/P): L` and
  `Jenis Kelamin Anak : Perempuan` too), or a tab / two or more spaces in a form copied as a
  table (`Agama      ISLAM`);
- the label with a possessive as its clear equivalent in prose: `agama saya Islam`,
  `jenis kelamin saya (adalah) perempuan`, `my religion is Islam`;
- a person declaring it of themselves, the pronoun standing for the label: `saya janda`,
  `sy WNI`, `aku seorang Katolik`, `I'm male`, `I am single` (first person singular only; the
  value right after it).
Labels and values match in any case (`AGAMA : ISLAM` from a KTP). Without a label a religion, a
sex or a country is a topic, not a person's data: "pendidikan agama Islam", "toilet wanita",
"produk Indonesia" are not reported.

Values:
- RELIGION (`Agama`, `Agama/Kepercayaan`, `Religion`): Islam, Kristen (Protestan), Protestan,
  Katolik, Hindu, Buddha, Konghucu, Kepercayaan terhadap Tuhan YME and English equivalents.
- MARITAL_STATUS (`Status Perkawinan`, `Status Kawin`, `Status Pernikahan`, `Status`, `Marital
  status`): Belum Kawin, Kawin (Tercatat / Belum Tercatat), Cerai Hidup, Cerai Mati, (Belum)
  Menikah, Lajang, Janda, Duda, Single, Married, Divorced, Widowed, Separated. A bare `Status:`
  counts only because the value list is specific; in prose, `status Kawin` without a colon counts
  when the value is capitalised like a form value ("perubahan status kawin" is a topic).
- GENDER (`Jenis Kelamin`, `Jns. Kelamin`, `JK`, `L/P`, `Sex`, `Gender`): Laki-laki, Lelaki,
  Pria, Perempuan, Wanita, Male, Female, and the letters L/P/M/F after a label.
- NATIONALITY (`Kewarganegaraan`, `Warga Negara`, `Kebangsaan`, `Nationality`, `Citizenship`):
  WNI, WNA, Warga Negara Indonesia/Asing, Indonesia(n), or a capitalised country name of one or
  two words that ends the field (`Malaysia`, `Amerika Serikat`); in `WNA (Jepang)` the country
  is a second value.
Other prose (`warga negara Australia`, `tertulis agama Kristen`, `Budi, Laki-laki, lahir ...`,
`who is single`) is not reported: nothing tells it from a general statement ("warga negara asing
wajib ...", "agama Kristen mengajarkan ...").

CRIMINAL_RECORD (specific data, UU PDP Pasal 4) is reported in two cases:
- after a record label (`Catatan Kriminal`, `Catatan Kepolisian`, `Riwayat Pidana`, `Riwayat
  Kriminal`, `Riwayat Perkara`, `Criminal record`, `:`): the value up to the end of the line or
  sentence, also "Tidak ada": a clean record is still a statement about the record;
- in prose, a criminal-justice status (pernah dipidana/dipenjara/ditahan/dihukum, (di)vonis N tahun,
  (mantan/eks) narapidana/napi, residivis, terpidana, terdakwa, tersangka, bebas bersyarat,
  convicted, jailed, arrested, on parole, ex-convict, served (two years in) prison; with a negation
  such as "tidak pernah" kept in the span) when a person is named in the same sentence within the
  context window: a pronoun or possessive (saya, aku, dia, beliau, my, I, he, she, suamiku...),
  `yang bersangkutan`/`ybs`, `pemohon`, `klien saya`, or an honorific (Sdr., Tn., Bapak, Ibu...).
  "Syarat SKCK: tidak pernah dipidana" and "Apakah mantan napi bisa membuat SKCK?" describe no one
  and are not reported; "SKCK saya ditolak karena pernah ditahan" is. A duration (`2 tahun`) and the
  offence after `karena`/`kasus`/`for` (one or two words) are part of the span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import (
    CONTEXT_BEFORE,
    GerbangRecognizer,
    sentence_window,
    word_trie,
    words_regex,
)

_S = r"[ \t]+"
_POSSESSIVE = r"(?:saya|aku|gue|gw|beliau|dia|anak[ \t]+saya|istri[ \t]+saya|suami[ \t]+saya)"
# Whose field it is, between a label and its colon: `Jenis Kelamin Anak :`, `Agama Ibu :`.
_WHOSE = (
    r"(?:[ \t]+(?:anak|ayah|ibu|suami|istri|pemohon|pelapor|pasangan|wali|almarhum|almarhumah|"
    r"kepala[ \t]+keluarga|child|father|mother|spouse|applicant))?"
)
# Between a label and its value: `:`/`=` (after an optional `(L/P)`-style hint), a tab or a gap
# of two or more spaces (a table), or a possessive (`agama saya Islam`).
_SEPARATOR = (
    rf"(?:{_WHOSE}[ \t]*(?:\([^()\n]{{1,12}}\)[ \t]*)?[:=][ \t]*"
    r"|\t[ \t]*|[ ]{2,}"
    rf"|{_S}{_POSSESSIVE}{_S}(?:(?:adalah|ialah){_S})?)"
)
_VALUE_END = r"(?![\w\-])"


# A person declaring the value of themselves: `saya janda`, `sy WNI`, `I'm male`, `I am single`.
_SELF = r"(?:saya|sy|sya|aku|aq|gue|gw|i'?m|i[ \t]+am)(?:[ \t]+(?:seorang|adalah|a|an))?[ \t]+"
# What a self-declared value cannot do without, in the lowercased text (`PATTERN_TRIGGERS`).
_SELF_WORDS = word_trie(
    ("saya", "sy", "sya", "aku", "aq", "gue", "gw", "im", "i'm"), not_after=r"[\w']"
)
_SELF_TRIGGER = re.compile(rf"(?:{_SELF_WORDS}|i(?<![\w']i)[ \t]+am)[ \t]")


def labelled_value_regex(labels: str, values: str, initials: str) -> str:
    """A regex whose match is `values` right after one of `labels` (the label kept out).

    `initials` are the first letters of the labels: checking them first (`\b(?=[...])`) makes
    the scan several times faster than trying every label at every position.
    """
    return (
        rf"\b(?=[{initials}m])(?:(?<!\w)(?:{labels}){_SEPARATOR}"
        rf"|(?<!\w)my{_S}(?:{labels}){_S}is{_S})"
        rf"\K(?:{values}){_VALUE_END}"
    )


def self_declared_regex(values: str) -> str:
    """A regex whose match is one of `values` said by a person of themselves (`saya janda`)."""
    return rf"\b(?=[sagi])(?<![\w'])(?:{_SELF})\K(?:{values}){_VALUE_END}"


class _LabelledFieldRecognizer(GerbangRecognizer):
    """A value after its form label; the label is a context word, so the score is 0.95.

    TRIGGER_WORDS, TRIGGER and PATTERN_TRIGGERS are written in lower case and searched in the
    lowercased text: a case-insensitive `re` search is several times slower.
    """

    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    TRIGGER_IN_LOWERCASE = True
    PRIORITY = 55


_RELIGION_LABELS = rf"agama(?:[ \t]*/[ \t]*kepercayaan)?|religion|religious{_S}affiliation"
_RELIGION_VALUES = (
    rf"kristen(?:{_S}protestan)?|protestan|katolik(?:{_S}roma)?|katholik|islam|muslim|moslem|"
    rf"hindu|buddha|budha|buddhist|buddhism|kong[ \t]*hu[ \t]*cu|khonghucu|konghuchu|"
    rf"confucian(?:ism)?|(?:penghayat{_S})?kepercayaan(?:{_S}terhadap{_S}tuhan"
    rf"(?:{_S}yang{_S}maha{_S}esa|{_S}yme))?|christian|catholic|protestant|islamic|yahudi|"
    r"jewish|judaism|sikh"
)


class ReligionRecognizer(_LabelledFieldRecognizer):
    """`Agama : Islam`: the religion after its label."""

    ENTITY = "RELIGION"
    PATTERNS = (
        Pattern("religion", labelled_value_regex(_RELIGION_LABELS, _RELIGION_VALUES, "ar"), 0.6),
        Pattern("religion_self", self_declared_regex(_RELIGION_VALUES), 0.6),
    )
    CONTEXT = ("agama", "kepercayaan", "religion")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "religion": re.compile(word_trie(("agama", "religio"), not_after=r"\w")),
        "religion_self": _SELF_TRIGGER,
    }
    TRIGGER_WORDS = (
        "agama", "religio", "islam", "muslim", "moslem", "kristen", "protestan", "katol",
        "kathol", "hindu", "buddha", "budha", "kong", "confucian", "christian", "catholic",
        "yahudi", "jewish", "sikh",
    )  # fmt: skip


_MARITAL_LABELS = (
    rf"status(?:{_S}(?:perkawinan|pernikahan|kawin|nikah|pernikahan))?|marital{_S}status|"
    rf"civil{_S}status|status{_S}sipil"
)
_MARITAL_VALUES = (
    rf"belum{_S}kawin|kawin(?:{_S}belum)?{_S}tercatat|kawin|cerai{_S}hidup|cerai{_S}mati|cerai|"
    rf"(?:belum|sudah){_S}menikah|menikah|lajang|janda|duda|single|married|divorced|widowed|"
    r"widower|widow|separated|unmarried"
)


# `..., status Kawin, ...`: in prose without a colon, the value written as a form value
# (capitalised) still is one; "perubahan status kawin" is a topic.
MARITAL_PROSE_REGEX = (
    rf"(?<!\w)status(?:{_S}(?:perkawinan|pernikahan|kawin|nikah))?{_S}"
    rf"\K(?-i:(?=[A-Z]))(?:{_MARITAL_VALUES}){_VALUE_END}(?![ \t]*[:=])"
)


class MaritalStatusRecognizer(_LabelledFieldRecognizer):
    """`Status Perkawinan : Belum Kawin`: the marital status after its label."""

    ENTITY = "MARITAL_STATUS"
    PATTERNS = (
        Pattern(
            "marital_status", labelled_value_regex(_MARITAL_LABELS, _MARITAL_VALUES, "smc"), 0.6
        ),
        Pattern("marital_status_prose", MARITAL_PROSE_REGEX, 0.6),
        Pattern("marital_status_self", self_declared_regex(_MARITAL_VALUES), 0.6),
    )
    CONTEXT = ("status", "perkawinan", "pernikahan", "kawin", "marital status", "civil status")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "marital_status": re.compile(word_trie(("status", "marital", "civil"), not_after=r"\w")),
        "marital_status_prose": re.compile(word_trie(("status",), not_after=r"\w")),
        "marital_status_self": _SELF_TRIGGER,
    }
    TRIGGER_WORDS = (
        "status", "kawin", "cerai", "menikah", "lajang", "janda", "duda", "single", "married",
        "divorced", "widow", "separated",
    )  # fmt: skip


_GENDER_LABELS = (
    rf"jenis{_S}kelamin|jns\.?[ \t]*kelamin|jenis{_S}kel\.?|kelamin|j\.?[ \t]*k\.?|l[ \t]*/[ \t]*p|"
    r"sex|gender"
)
_GENDER_WORDS = r"laki[\- ]?laki|lelaki|pria|perempuan|wanita|male|female|man|woman"
_GENDER_VALUES = rf"{_GENDER_WORDS}|(?-i:[LPMF])(?![/.]\w)"


class GenderRecognizer(_LabelledFieldRecognizer):
    """`Jenis Kelamin : Laki-laki`: the sex after its label (letters L/P/M/F too)."""

    ENTITY = "GENDER"
    PATTERNS = (
        Pattern("gender", labelled_value_regex(_GENDER_LABELS, _GENDER_VALUES, "jklsg"), 0.6),
        Pattern("gender_self", self_declared_regex(_GENDER_WORDS), 0.6),
    )
    CONTEXT = ("jenis kelamin", "kelamin", "jk", "l/p", "sex", "gender")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "gender": re.compile(
            r"(?<!\w)(?:jenis|jns|kelamin|j\.?[ \t]*k|l[ \t]*/[ \t]*p|sex|gender)"
        ),
        "gender_self": _SELF_TRIGGER,
    }
    TRIGGER_WORDS = (
        "kelamin", "gender", "sex", "jk", "j.k", "j k", "j. k", "l/p", "l /p", "l/ p", "l / p",
        "laki", "pria", "perempuan", "wanita", "male", "man",
    )  # fmt: skip
    TRIGGER = re.compile(
        r"kelamin|gender|sex|j\.? ?k\b|l ?/ ?p\b|laki|pria|perempuan|wanita|male|man\b"
    )


_NATIONALITY_LABELS = (
    rf"kewarganegaraan|warga{_S}negara|kebangsaan|nationality|citizenship|citizen{_S}of"
)
# A country name ends the field: a line end, punctuation, or a lowercase word follows.
_COUNTRY = (
    r"(?-i:[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?|[A-Z]{3,}(?:[ \t][A-Z]{3,})?)"
    r"(?=[ \t]*(?:$|[,.;)]|(?-i:[a-z])))"
)
_NATIONALITY_VALUES = (
    rf"warga{_S}negara{_S}(?:indonesia|asing)|wni|wna|indonesian|indonesia|{_COUNTRY}"
)


_NATIONALITY_LABEL = re.compile(
    word_trie(("kewarganegaraan", "warga", "kebangsaan", "nationality", "citizen"), not_after=r"\w")
)
_NATIONALITY_SELF_VALUES = rf"warga{_S}negara{_S}(?:indonesia|asing)|wni|wna|indonesian"
# `Kewarganegaraan : WNA (Jepang)`: the country in brackets is a second value.
COUNTRY_OF_FOREIGNER_REGEX = (
    rf"\b(?=[kwnc])(?:{_NATIONALITY_LABELS}){_SEPARATOR}(?:wna|warga{_S}negara{_S}asing)[ \t]*\("
    r"\K(?-i:[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?|[A-Z]{3,}(?:[ \t][A-Z]{3,})?)(?=\))"
)


class NationalityRecognizer(_LabelledFieldRecognizer):
    """`Kewarganegaraan : WNI`: the nationality after its label."""

    ENTITY = "NATIONALITY"
    PATTERNS = (
        Pattern(
            "nationality",
            labelled_value_regex(_NATIONALITY_LABELS, _NATIONALITY_VALUES, "kwnc"),
            0.6,
        ),
        Pattern("nationality_country_of_wna", COUNTRY_OF_FOREIGNER_REGEX, 0.6),
        Pattern("nationality_self", self_declared_regex(_NATIONALITY_SELF_VALUES), 0.6),
    )
    CONTEXT = ("kewarganegaraan", "warga negara", "kebangsaan", "nationality", "citizenship")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "nationality": _NATIONALITY_LABEL,
        "nationality_country_of_wna": _NATIONALITY_LABEL,
        "nationality_self": _SELF_TRIGGER,
    }
    TRIGGER_WORDS = ("warga", "kebangsaan", "nationality", "citizen", "wni", "wna", "indonesian")


_RECORD_LABELS = (
    rf"catatan{_S}(?:kriminal|kepolisian|pidana|kejahatan)|riwayat{_S}(?:pidana|kriminal|"
    rf"kejahatan|hukum|perkara)|catatan{_S}perkara|criminal{_S}(?:record|history)|police{_S}record"
)
# The value of a record label: up to the end of its line or sentence.
RECORD_LABEL_REGEX = (
    rf"(?<!\w)(?:{_RECORD_LABELS})[ \t]*[:=][ \t]*"
    r"\K[^\s:;][^\n;]{0,79}?(?=[ \t]*(?:[\n;]|[.!?](?:\s|$)|$))"
)
# A criminal-justice status, from its core word: the pattern starts there (fast), and the words
# before it that belong to the status (`tidak pernah`, `mantan`, `was`) are added in `analyze`.
_STATUS = (
    rf"(?:dipidana|dipenjara(?:kan)?|dibui|ditahan|dihukum(?:{_S}penjara)?|"
    rf"(?:divonis|vonis)(?:{_S}\d+{_S}(?:tahun|bulan))?|narapidana|napi|tahanan|terpidana|"
    rf"residivis|terdakwa|tersangka|bebas{_S}bersyarat(?:{_S}setelah{_S}vonis)?|"
    rf"convicted|imprisoned|jailed|incarcerated|arrested|on{_S}parole|"
    rf"ex-?(?:convict|con|prisoner|offender)|served{_S}time|criminal{_S}record|"
    rf"served{_S}(?:[\w\-]+{_S}){{1,3}}?in{_S}(?:prison|jail)|"
    rf"(?:masuk|mendekam{_S}di){_S}penjara)"
)
# How long, and for what: `2 tahun`, `selama 3 bulan`, `karena penipuan`, `kasus narkoba`.
_DURATION = rf"(?:{_S}(?:selama{_S})?\d+{_S}(?:tahun|bulan|hari|years?|months?))?"
_OFFENCE = (
    rf"(?:{_S}(?:karena|kasus|atas{_S}kasus|dalam{_S}kasus|for){_S}(?:kasus{_S})?\w+(?:{_S}\w+)?)?"
)
_STATUS_HEADS = (
    "dipidana", "dipenjara", "dibui", "ditahan", "dihukum", "divonis", "vonis", "narapidana",
    "napi", "tahanan", "terpidana", "residivis", "terdakwa", "tersangka", "bebas", "convicted",
    "imprisoned", "jailed", "incarcerated", "arrested", "on", "ex", "served", "criminal",
    "masuk", "mendekam",
)  # fmt: skip
RECORD_STATUS_REGEX = (
    rf"\b(?<!-)(?=(?:{word_trie(_STATUS_HEADS)}))(?:{_STATUS}){_DURATION}{_OFFENCE}(?![\w\-])"
)
# Words before the core that are part of the status: `tidak pernah`, `mantan`, `has a`.
_STATUS_LEAD = re.compile(
    r"(?:\b(?:tidak|tak|belum|never|not)[ \t]+)?"
    r"\b(?:(?:pernah|sudah|sedang|telah|mantan|eks|bekas|been|was|has|have|had|a)[ \t]+)+$",
    re.IGNORECASE,
)

# Searched in the lowercased text: every status and label above contains one of these.
_TRIGGER_WORDS = (
    "pidana", "penjara", "dibui", "ditahan", "dihukum", "vonis", "napi", "tahanan", "residivis",
    "terdakwa", "tersangka", "bersyarat", "convict", "prison", "jail", "incarcerat", "arrested",
    "parole", "ex-con", "excon", "ex-offender", "served time", "criminal", "catatan", "riwayat",
    "police",
)  # fmt: skip

_PERSON_WORDS = (
    "saya", "sy", "sya", "aku", "aq", "gue", "gw", "ane", "kami", "beliau", "dia", "ia",
    "yang bersangkutan", "ybs", "pemohon", "klien saya", "klien kami", "suamiku", "istriku",
    "anakku", "ayahku", "ibuku", "kakakku", "adikku", "my", "i", "he", "she", "his", "her", "sdr",
    "sdri", "saudara", "tn", "ny", "bapak", "pak", "ibu", "bu", "mr", "mrs", "ms",
)  # fmt: skip
_PERSON_RE = words_regex(_PERSON_WORDS)
_RECORD_LABEL_BEFORE = re.compile(rf"(?:{_RECORD_LABELS})[ \t]*[:=][ \t]*$", re.IGNORECASE)


class CriminalRecordRecognizer(GerbangRecognizer):
    """A criminal record after its label, or a criminal-justice status said of a person."""

    ENTITY = "CRIMINAL_RECORD"
    PATTERNS = (
        Pattern("criminal_record_label", RECORD_LABEL_REGEX, 0.6),
        Pattern("criminal_record_status", RECORD_STATUS_REGEX, 0.5),
    )
    # The record labels and the person words: the engine's context check agrees with `analyze`.
    CONTEXT = (
        "catatan kriminal", "catatan kepolisian", "catatan pidana", "catatan kejahatan",
        "catatan perkara", "riwayat pidana", "riwayat kriminal", "riwayat kejahatan",
        "riwayat hukum", "riwayat perkara", "criminal record", "criminal history", "police record",
        "skck", *_PERSON_WORDS,
    )  # fmt: skip
    CONTEXT_REQUIRED = True
    CONTEXT_GATE = False  # pronouns: in nearly every message
    TRIGGER_WORDS = _TRIGGER_WORDS
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "criminal_record_label": re.compile(
            word_trie(("catatan", "riwayat", "criminal", "police"), not_after=r"\w")
        ),
        "criminal_record_status": re.compile(word_trie(_STATUS_HEADS, not_after=r"\w")),
    }
    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    PRIORITY = 55

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Keep labelled records, and statuses with a person in their sentence."""
        kept = []
        for result in results:
            if _after_record_label(text, result.start):
                kept.append(result)
                continue
            lead = _STATUS_LEAD.search(text, max(0, result.start - 32), result.start)
            if lead is not None:
                result.start = lead.start()
            if _person_in_sentence(text, result.start, result.end):
                kept.append(result)
        return kept


def _after_record_label(text: str, start: int) -> bool:
    window = max(0, start - CONTEXT_BEFORE)
    line_start = max(window, text.rfind("\n", window, start) + 1)
    return _RECORD_LABEL_BEFORE.search(text, line_start, start) is not None


def _person_in_sentence(text: str, start: int, end: int) -> bool:
    window_start, window_end = sentence_window(text, start, end)
    return bool(
        _PERSON_RE.search(text, window_start, start) or _PERSON_RE.search(text, end, window_end)
    )
