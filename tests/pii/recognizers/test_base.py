"""The shared parts of the recognizers: the text scan, the keyword gate, context words, tries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from presidio_analyzer import Pattern

from pii.recognizers.base import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    SENTENCE_ABBREVIATIONS,
    ContextWords,
    GerbangRecognizer,
    KeywordGate,
    LabelContext,
    LowercaseSearch,
    TextScan,
    sentence_window,
    word_trie,
    words_regex,
)

WORDS = ("rek", "rek.", "rekening", "no. rek", "a.n.", "a/n", "bank", "bca", "tf")


@pytest.mark.parametrize(
    ("text", "max_digits"),
    [
        pytest.param("tidak ada angka", 0, id="no-number"),
        pytest.param("Rp 150.000 dan 12-05-90", 0, id="short-numbers-not-tracked"),
        pytest.param("tgl 12-05-1990", 8, id="date"),
        pytest.param("HP (022) 730 1234", 10, id="brackets-and-spaces"),
        pytest.param("NIK 32.73.01.250590.0001 dan 0812-3456-7890", 16, id="longest-wins"),
        pytest.param("1 2 3 4 5 6 7", 7, id="single-digits-joined"),
        pytest.param("1234    5678", 0, id="four-spaces-split-a-number"),
    ],
)
def test_the_scan_measures_the_longest_number_joined_by_up_to_three_separators(
    text: str, max_digits: int
) -> None:
    assert TextScan(text).max_digits == max_digits


def test_a_number_window_spans_the_long_numbers_plus_lead_and_lookahead() -> None:
    text = "tgl 12-05-1990, HP (0812) 3456-7890, NIK 3273012505900001 ya"
    scan = TextScan(text)
    phone_start = text.index("0812")
    nik_end = text.index(" ya")
    assert scan.number_window(10, lead=2) == (phone_start - 2, nik_end + 2)
    assert scan.number_window(16) == (text.index("3273"), nik_end + 2)
    assert scan.number_window(17) is None
    with pytest.raises(ValueError, match="at least"):
        scan.number_window(3)


def test_without_shortcuts_a_number_window_is_the_whole_text() -> None:
    assert TextScan("abc", shortcuts=False).number_window(16) == (0, 3)


def test_the_scan_knows_whether_a_lowercase_search_equals_a_case_insensitive_one() -> None:
    assert TextScan("No. REK BCA").is_ascii
    assert TextScan("No. REK BCA").lower == "no. rek bca"
    # `re` matches `i` to the dotless i case-insensitively, str.lower keeps it: no shortcut.
    assert not TextScan("agama: \u0131slam").is_ascii


def test_the_keyword_gate_finds_keywords_that_overlap_or_nest() -> None:
    gate = KeywordGate(["kartu", "rt", "art", "tu", "kk", "ka"])
    assert gate.found("kartu kk") == {"kartu", "ka", "art", "rt", "tu", "kk"}
    assert gate.found("tidak ada") == set()
    assert KeywordGate([]).found("kartu") == set()
    with pytest.raises(ValueError, match="empty"):
        KeywordGate(["kartu", ""])


def test_the_scan_answers_from_the_gates_pass_only_when_the_gate_can_tell() -> None:
    gate = KeywordGate(["mobil", "stnk", "rek"])
    scan = TextScan("Pajak MOBIL telat", gate=gate)
    assert scan.any_keyword(frozenset({"mobil", "stnk"})) is True
    assert scan.any_keyword(frozenset({"stnk"})) is False
    # A word the gate does not look for, no gate at all, or a letter that case-insensitive
    # matching folds to ASCII (the long s, U+017F, in "stnk"): the caller must search itself.
    assert scan.any_keyword(frozenset({"mobil", "motor"})) is None
    assert TextScan("Pajak MOBIL telat").any_keyword(frozenset({"mobil"})) is None
    assert TextScan("pajak \u017ftnk", gate=gate).any_keyword(frozenset({"stnk"})) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abkrt .", min_size=1, max_size=4), min_size=1, max_size=8),
    st.text(alphabet="abkrt .\n", max_size=40),
)
def test_the_keyword_gate_agrees_with_a_plain_substring_test(words: list[str], text: str) -> None:
    found = KeywordGate(words).found(text)
    assert found == {word for word in words if word in text}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abnr. /", min_size=1, max_size=5), min_size=1, max_size=8),
    st.text(alphabet="abnrABNR. /1\n", max_size=40),
)
def test_a_words_regex_matches_what_the_longest_first_alternation_matches(
    words: list[str], text: str
) -> None:
    ordered = sorted(dict.fromkeys(w.lower() for w in words), key=len, reverse=True)
    alternation = re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)", re.IGNORECASE
    )
    ours = words_regex(words)
    assert [m.span() for m in ours.finditer(text)] == [m.span() for m in alternation.finditer(text)]


def test_a_word_trie_shares_prefixes_and_keeps_every_word() -> None:
    trie = word_trie(["darah", "diabetes", "dbd"])
    assert trie.startswith("d(?:")
    assert all(re.fullmatch(trie, w) for w in ("darah", "diabetes", "dbd"))
    assert not re.fullmatch(trie, "da")


def test_context_words_are_found_before_and_after_a_span_as_whole_words() -> None:
    context = ContextWords(WORDS)
    text = "tf ke rek BCA 1234567890 ya"
    start = text.index("1234")
    end = start + 10
    assert context.distance(text, start, end) == 1  # "BCA" right before
    assert context.distance("rekening1234567890", 8, 18) == 0  # glued: the span ends the window
    assert context.distance("rekomendasi 1234567890", 12, 22) is None  # not a whole word
    assert ContextWords(()).distance(text, start, end) is None


def test_context_words_are_not_searched_farther_than_the_window() -> None:
    context = ContextWords(WORDS)
    text = "rek " + "x" * CONTEXT_BEFORE + " 1234567890"
    start = text.index("1234")
    assert context.distance(text, start, start + 10) is None


def test_a_context_word_on_the_line_above_counts_as_in_a_form() -> None:
    # Decision: windows cross newlines. In forms and chat the label of a value often stands on
    # the line above it (`Nomor rekening:` / the number; `Metode Bayar : Kartu Kredit` above
    # `No. Kartu : ...`; a KTP address block). Cutting at newlines lost 3 of 54 addresses and 2
    # of 11 cards in the labelled corpus and removed no false positive; the nearest-label rule
    # (`LabelContext`) and the overlap resolution keep each value with its own field instead.
    context = ContextWords(WORDS)
    text = "Nomor rekening BCA:\n1234567890"
    start = text.index("1234")
    assert context.distance(text, start, start + 10) == len(":\n")


def test_a_label_before_a_value_wins_over_the_label_of_the_next_value() -> None:
    labels = LabelContext(("kk", "no. kk"))
    text = "NIK 3273012505900001, No. KK : 3273010101120003"
    nik_start = text.index("3273")
    kk_start = text.index("3273", nik_start + 1)
    assert labels.distance(text, kk_start, kk_start + 16) == 0  # `No. KK : ` is filler only
    assert labels.distance(text, nik_start, nik_start + 16) == CONTEXT_BEFORE + len(", ")


@pytest.mark.parametrize(
    ("text", "may_occur"),
    [
        pytest.param("transfer ke BCA", True, id="ascii-word"),
        pytest.param("TRANSFER KE REKENING", True, id="ascii-upper-case"),
        pytest.param("saya mau transfer", False, id="no-word"),
        pytest.param("kirim ke bca 🙏", True, id="emoji-text"),
        pytest.param("rekomendasi saja", True, id="word-prefix-still-may-occur"),
    ],
)
def test_context_may_occur_is_false_only_without_any_context_word(
    text: str, may_occur: bool
) -> None:
    assert ContextWords(("rek", "bca", "rekening")).may_occur(TextScan(text)) is may_occur


def test_a_sentence_window_stops_at_sentence_ends_but_not_after_abbreviations() -> None:
    text = "Dia sehat. Tn. Budi menderita diabetes sejak lama. Besok kontrol."
    start = text.index("diabetes")
    window_start, window_end = sentence_window(text, start, start + 8)
    assert text[window_start:window_end] == " Tn. Budi menderita diabetes sejak lama"


_BREAK_WITH_WORD = re.compile(r"(\w*)[.!?](?=\s|$)|\n")  # the rule, read off one regex


def _reference_sentence_window(text: str, start: int, end: int) -> tuple[int, int]:
    def ends(brk: re.Match[str]) -> bool:
        word = brk.group(1)
        return word is None or word.lower() not in SENTENCE_ABBREVIATIONS

    window_start = max(0, start - CONTEXT_BEFORE)
    window_end = min(len(text), end + CONTEXT_AFTER)
    for brk in _BREAK_WITH_WORD.finditer(text, window_start, start):
        if ends(brk):
            window_start = brk.end()
    for brk in _BREAK_WITH_WORD.finditer(text, end, window_end):
        if ends(brk):
            return window_start, brk.end() - 1
    return window_start, window_end


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aTnDrNoJlhé1_ .!?\n", min_size=1, max_size=120), st.data())
def test_a_sentence_window_cuts_where_the_one_regex_rule_cuts(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    assert sentence_window(text, start, end) == _reference_sentence_window(text, start, end)


_PLAIN_NUMBER = re.compile(r"\d(?:[ .\-()]{0,3}\d){6,}")  # the rule, with backtracking


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 .-()a\n", max_size=80))
def test_the_scan_tracks_the_numbers_the_plain_rule_finds(text: str) -> None:
    numbers = [m.group() for m in _PLAIN_NUMBER.finditer(text)]
    longest = max((sum(ch.isdigit() for ch in n) for n in numbers), default=0)
    assert TextScan(text).max_digits == longest


def test_a_windowed_trigger_must_belong_to_a_number_pattern_with_a_trigger() -> None:
    class _WordPattern(GerbangRecognizer):
        ENTITY = "ID_NIK"
        PATTERNS = (Pattern("word", r"nik \d+", 0.5),)
        PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {"word": re.compile("nik")}
        WINDOWED_TRIGGERS = frozenset({"word"})  # not a number pattern: no window to search

    with pytest.raises(ValueError, match=r"_WordPattern.*'word'"):
        _WordPattern()

    class _Misspelt(GerbangRecognizer):
        ENTITY = "ID_NIK"
        PATTERNS = (Pattern("nik", r"\d{16}", 0.5),)
        MIN_DIGITS = 16
        PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {"nik": re.compile(r"\d")}
        WINDOWED_TRIGGERS = frozenset({"nik", "nkk"})  # "nkk" names no pattern at all

    with pytest.raises(ValueError, match=r"_Misspelt.*'nkk'"):
        _Misspelt()


@pytest.mark.parametrize(
    ("text", "occurs"),
    [
        ("Pajak MOBIL telat", True),
        ("bayar pajak tahunan", False),
        ("pajak \u017ftnk telat", True),  # the long s folds to `s`: found by the search itself
    ],
)
def test_a_literal_search_says_the_same_with_or_without_the_gates_pass(
    text: str, occurs: bool
) -> None:
    words = ("mobil", "stnk")
    search = LowercaseSearch.literals(words)
    assert search.occurs(TextScan(text, gate=KeywordGate(words))) is occurs
    assert search.occurs(TextScan(text)) is occurs
