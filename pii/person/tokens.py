"""Tokens with character offsets, split the way the training corpus is split.

nlp-id's news corpus keeps words and hyphenated words (`anak-anak`, `Ray-Ban`) together, keeps
numbers with their separators (`250.000`, `29/11`) and splits every other punctuation mark off,
including dots of abbreviations (`S.H.` is `S . H .`) and apostrophes (`Ma'ruf` is `Ma ' ruf`).
The tokenizer does the same, so the tagger sees at run time what it saw in training.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pii.person.lexicon import DEGREES, HONORIFICS, words

TOKEN_RE = re.compile(r"\d+(?:[.,:/]\d+)+|[^\W_]+(?:-[^\W_]+)*|\S")

SENTENCE_END = frozenset(".!?…")
# Punctuation that does not end the sentence start: `" Pak Jokowi`, `( Budi`, `- Siti`.
TRANSPARENT = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([{-\u2013\u2014\u2022*>#")
# Words whose following dot is an abbreviation's, not a sentence end (besides single letters).
ABBREVIATIONS = (
    HONORIFICS
    | DEGREES
    | words(
        "jl jln gg no kab kec kel desa kp rt rw tgl dll dsb dst dkk an sd spt yth tlp telp hp "
        "prov ds komp perum blok ttd tn ny nn sdr sdri st mt km kg rp"
    )
)


@dataclass(frozen=True, slots=True, init=False)
class Tokens:
    """A text's tokens: their strings, offsets and whether each starts a sentence."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    bos: list[bool]

    def __init__(
        self, words: list[str], starts: list[int], ends: list[int], bos: list[bool]
    ) -> None:
        # Direct stores when compiled; a frozen dataclass's generated __init__ is interpreted.
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "ends", ends)
        object.__setattr__(self, "bos", bos)

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, start: int = 0, end: int | None = None, *, at_start: bool = True) -> Tokens:
    """Tokens of `text[start:end]`, with offsets into `text` and sentence starts marked.

    A token starts a sentence when no word precedes it since the text start, a line break or a
    sentence-final mark that is not an abbreviation's dot (`Dr.`, `S.H.`, `a.n.`, an initial).
    `at_start` says whether `start` is at a sentence start (it is for a whole text).
    """
    start = max(start, 0)  # as `findall` takes it (a negative `str.find` start counts from the end)
    words: list[str] = TOKEN_RE.findall(text, start, len(text) if end is None else end)
    # Every character that is not whitespace starts or continues a token, so only whitespace
    # lies between tokens and a token's first occurrence from the previous token's end is its
    # place (cheaper than a match object per token).
    starts: list[int] = []
    ends: list[int] = []
    position = start
    for word in words:
        position = text.find(word, position)
        starts.append(position)
        position += len(word)
        ends.append(position)
    return Tokens(words, starts, ends, sentence_starts(text, words, starts, ends, at_start))


def sentence_starts(
    text: str, words: list[str], starts: list[int], ends: list[int], at_start: bool = True
) -> list[bool]:
    """For each token, whether it is the first word of its sentence (see `tokenize`)."""
    bos: list[bool] = []
    previous_end = starts[0] if starts else 0
    lines = starts and "\n" in text[starts[0] : ends[-1]]
    for i, word in enumerate(words):
        if lines and "\n" in text[previous_end : starts[i]]:
            at_start = True
        previous_end = ends[i]
        first = word[0]
        if first.isalnum():
            bos.append(at_start)
            at_start = False
            continue
        bos.append(False)
        if first in SENTENCE_END:
            at_start = not _is_abbreviation_dot(words, i)
        elif first not in TRANSPARENT:
            at_start = False
    return bos


def _is_abbreviation_dot(words: list[str], i: int) -> bool:
    if words[i] != "." or i == 0:
        return False
    before = words[i - 1]
    return (len(before) == 1 and before.isalpha()) or before.lower() in ABBREVIATIONS
