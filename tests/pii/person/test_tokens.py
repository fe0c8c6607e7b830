"""Tokenizer: offsets, the corpus's way of splitting, sentence starts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pii.person.tokens import TOKEN_RE, tokenize


def test_when_text_is_tokenized_then_offsets_slice_the_tokens_out() -> None:
    text = "Ibu Hj. Sri Mulyani, S.H. tinggal di Jl. Merdeka No. 5, O'Neil ikut."
    tokens = tokenize(text)
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == tokens.words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("S.H.", ["S", ".", "H", "."]),
        ("Ma'ruf", ["Ma", "'", "ruf"]),
        ("anak-anak", ["anak-anak"]),
        ("Rp 250.000,00", ["Rp", "250.000,00"]),
        ("29/11/2023", ["29/11/2023"]),
    ],
)
def test_when_words_have_dots_apostrophes_or_hyphens_then_they_split_like_the_corpus(
    text: str, words: list[str]
) -> None:
    assert tokenize(text).words == words


def test_when_a_dot_ends_a_sentence_then_the_next_word_starts_one_but_not_after_abbreviations() -> (
    None
):
    tokens = tokenize('Saya Budi. "Mohon dicek." Dr. Andi dan a.n. Rina, R. Covey\nNIK: 1')
    starts = {w for w, b in zip(tokens.words, tokens.bos, strict=True) if b}
    assert starts == {"Saya", "Mohon", "Dr", "NIK"}


def test_when_a_window_starts_mid_sentence_then_its_first_word_does_not_start_one() -> None:
    text = "saya mau tanya Budi Santoso"
    tokens = tokenize(text, text.index("Budi"), at_start=False)
    assert tokens.words == ["Budi", "Santoso"]
    assert tokens.bos == [False, False]


# Letters, digits, the separators numbers and words keep, punctuation, and several kinds of
# whitespace (a no-break space and a line separator among them).
_TEXT = st.text(
    st.sampled_from(list("aZé9_-.,:/' \t\n\u00a0\u2028!?\"(Ⅻ٣")) | st.characters(), max_size=60
)


@settings(max_examples=500, deadline=None)
@given(_TEXT, st.integers(-5, 60), st.integers(0, 60))
def test_a_token_stands_where_the_token_pattern_matched_it(text: str, start: int, end: int) -> None:
    start, end = min(start, len(text)), min(max(start, end), len(text))  # start may be negative
    matches = list(TOKEN_RE.finditer(text, start, end))
    tokens = tokenize(text, start, end)
    assert tokens.words == [m.group() for m in matches]
    assert tokens.starts == [m.start() for m in matches]
    assert tokens.ends == [m.end() for m in matches]
