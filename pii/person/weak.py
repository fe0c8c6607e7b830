"""Weak PERSON labels for nlp-id's POS-tagged news (training time only).

nlp-id marks proper nouns (`NNP`) but does not tell people from places, organisations and
products. Each run of proper nouns is cut at honorifics, titles, organisation and place cue words,
place names, months and common words; what remains are candidate name segments. A segment is a
person when an honorific or a title chain stands right before it, when news grammar says so
(`, kata Budi`, `Budi (35)`, `Budi mengatakan`, `istri Budi`, `bernama Budi`), or when all its
words are on the name lists. A run is not a person when nothing but place, organisation, month or
common words make it up, when it follows `di`/`ke`, or when it is lowercase or mixed-case
(`kumparan`, `iPhone`; not `McCain`, `DiCaprio`), or when a word naming a work, a group or a
small place stands before it (`berjudul`, `band`, `desa`, `pulau`). A run of proper nouns that
holds a verb or function word in Title Case is a headline (`Justin Bieber Menjadi ...`): its
names stay undecided rather than count as not-a-person. Remaining segments are decided by
corpus-wide votes of their words in the decided ones (a word seen 2+ times, 80% of them as a
person, is a person); sentences with a segment still undecided are set aside
(`pii.person.train` leaves them out by default).

Labels: `B-PER`/`I-PER` for people, `NNP` for other proper nouns, `O` for everything else
(honorifics before a name included: the name is reported without them).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pii.person import lexicon
from pii.person.corpus import Sentence
from pii.person.features import is_derived
from pii.person.gazetteer import (
    ANY_NAME,
    COMMON,
    FOREIGN,
    NAME_ID,
    NAME_INTL,
    PLACE,
    PLACE_FOREIGN,
    SURNAME_ID,
    SURNAME_INTL,
    THING,
    Gazetteer,
)

PERSON, NOT_PERSON, UNDECIDED = "person", "not", "undecided"

_STRONG_BEFORE = lexicon.words(
    "kata ujar ucap tutur ungkap jelas tegas imbuh terang papar katanya menurut bernama "
    "sapaan akrab disapa dipanggil panggilan almarhum almarhumah mendiang"
)
# Nouns for one person that stand right before the name: "istri Budi", "aktor Reza".
_PERSON_BEFORE = (lexicon.PERSON_NOUNS | lexicon.TITLES) - lexicon.words(
    "warga pemain anggota tim staf pegawai karyawan petugas operator admin direksi pasangan "
    "raja ratu sultan paus perdana sosok tokoh laki lelaki remaja"
)
_AGE = re.compile(r"\d{1,2}")
# Words before a run that make it the title of a work, a group or a thing, or a small place:
# "berjudul Hikari", "grup musik Pink Floyd", "desa Wuwur", "pesawat Hawk".
_THING_BEFORE = (lexicon.WORK_CUES - lexicon.words("lagu patung lukisan")) | lexicon.words(
    "desa dusun kampung pulau gunung sungai"
)
# Capitalised within a word: "McCain", "DiCaprio", "MacArthur", "LeBron", "DeShawn".
_NAME_CAMEL = re.compile(r"(?:Mc|Mac|Di|De|Da|Du|La|Le|Van|Von)[A-Z][a-z]+")
# Tags of verbs and function words: a run holding one in Title Case is a headline ("Justin
# Bieber Menjadi ...") whose NNP tags say nothing about which words are a name.
_THING_BEFORE_TWO = frozenset({"grup musik", "kelompok musik", "grup band"})
_HEADLINE_TAGS = frozenset({"VB", "SC", "IN", "CC", "ADV", "NEG", "PR", "DT", "RP", "MD"})


def headline_words(corpus: list[Sentence]) -> frozenset[str]:
    """Lowercase words mostly tagged as verbs or function words (3+ times, 80%): capitalised
    inside a run of proper nouns, they mark a title-case headline rather than a name."""
    tags: dict[str, Counter[str]] = {}
    for sentence in corpus:
        for word, tag in sentence:
            if tag != "NNP" and word[:1].isalpha():
                tags.setdefault(word.lower(), Counter())[tag] += 1
    out: set[str] = set()
    for word, counts in tags.items():
        total = sum(counts.values())
        function = sum(n for tag, n in counts.items() if tag in _HEADLINE_TAGS)
        if total >= 3 and function >= 0.8 * total:
            out.add(word)
    return frozenset(out)


@dataclass
class Segment:
    """Candidate name tokens `[start, end)` inside a run of proper nouns, and the verdict."""

    start: int
    end: int
    verdict: str


class WeakLabeller:
    """Labels nlp-id sentences; `label_corpus` runs the two passes over the whole corpus."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        place_phrases: set[tuple[str, ...]],
        headline: frozenset[str] = frozenset(),
    ) -> None:
        self._gaz = gazetteer
        self._phrases = place_phrases
        self._headline = headline
        self._longest_phrase = max((len(p) for p in place_phrases), default=1)

    # -- per token -------------------------------------------------------------------------------

    def _kind(self, word: str) -> str:
        lower = word.lower()
        flags = self._gaz.flags(lower)
        if lower in lexicon.HONORIFICS and not flags & ANY_NAME:
            return "hon"
        if lower in lexicon.TITLES:
            return "tit"
        if lower in lexicon.NAME_LINKS or lower in lexicon.NAME_PREFIXES:
            return "name"
        if lower in lexicon.ORG_CUES or lower in lexicon.PLACE_CUES or lower in lexicon.MONTHS_DAYS:
            return "nonname"
        if not word[0].isupper() or (
            not word.isupper() and not word[1:].islower() and not _NAME_CAMEL.fullmatch(word)
        ):
            return "nonname"  # kumparan, iPhone, kumparanWOMAN (not McCain, DiCaprio)
        if word.isupper() and len(word) > 1:
            return "nonname"  # acronyms: KPK, DPR, BUMN
        if flags & ANY_NAME:
            return "name"
        if flags & (PLACE | COMMON | FOREIGN | THING | PLACE_FOREIGN) and not flags & (
            NAME_ID | SURNAME_ID
        ):
            return "nonname"  # a root word alone is not: many names are (Burhan, Sekar, Bayu)
        if len(lower) >= 6 and is_derived(lower, self._gaz):
            return "nonname"
        return "unk"

    def _looks_like_full_name(self, words: list[str]) -> bool:
        """Every word is on a name list and none is also a common or foreign word, and there is
        an Indonesian name or a foreign given name followed by a foreign family name."""
        flags = [self._gaz.flags(w) for w in words]
        if not flags or any(not f & ANY_NAME or f & (COMMON | FOREIGN) for f in flags):
            return False
        if any(f & (NAME_ID | SURNAME_ID) for f in flags):
            return True
        return len(flags) >= 2 and bool(flags[0] & NAME_INTL) and bool(flags[-1] & SURNAME_INTL)

    # -- per sentence ----------------------------------------------------------------------------

    def runs(self, sentence: Sentence) -> list[tuple[int, int]]:
        """Runs of proper nouns, joined over an initial's or honorific's dot and `bin`/`van`."""
        runs: list[tuple[int, int]] = []
        n = len(sentence)
        i = 0
        while i < n:
            if sentence[i][1] != "NNP":
                i += 1
                continue
            j = i + 1
            while j < n:
                word, tag = sentence[j]
                if tag == "NNP":
                    j += 1
                    continue
                before = sentence[j - 1][0].lower()
                joins = (
                    word == "." and (len(before) == 1 or before in lexicon.HONORIFICS)
                ) or word.lower() in lexicon.NAME_LINKS
                if joins and j + 1 < n and sentence[j + 1][1] == "NNP":
                    j += 2
                    continue
                break
            runs.append((i, j))
            i = j
        return runs

    def _place_mask(self, words: list[str], start: int, end: int) -> list[bool]:
        mask = [False] * (end - start)
        i = start
        while i < end:
            for size in range(min(self._longest_phrase, end - i), 0, -1):
                key = tuple(w.lower() for w in words[i : i + size])
                indonesian_name = self._gaz.flags(key[0]) & (NAME_ID | SURNAME_ID)
                if key in self._phrases and not (size == 1 and indonesian_name):
                    for k in range(i, i + size):
                        mask[k - start] = True
                    i += size
                    break
            else:
                i += 1
        return mask

    def segments(self, sentence: Sentence, run: tuple[int, int]) -> list[Segment]:
        """Candidate name segments of one run, each with a first verdict."""
        words = [w for w, _ in sentence]
        start, end = run
        places = self._place_mask(words, start, end)
        kinds = [
            "nonname" if places[k - start] else self._kind(words[k]) for k in range(start, end)
        ]
        for k in range(start, end):  # a dot inside a run belongs to what it follows
            if words[k] == ".":
                kinds[k - start] = kinds[k - start - 1] if kinds[k - start - 1] == "hon" else "name"
        result: list[Segment] = []
        k = start
        while k < end:
            if kinds[k - start] not in ("name", "unk"):
                k += 1
                continue
            s = k
            while k < end and kinds[k - start] in ("name", "unk"):
                k += 1
            while k > s and words[k - 1].lower() in lexicon.NAME_LINKS:
                k -= 1  # never end on "bin"
            if k == s:
                k += 1
                continue
            result.append(Segment(s, k, self._verdict(sentence, run, kinds, s, k)))
        return result

    def _verdict(
        self, sentence: Sentence, run: tuple[int, int], kinds: list[str], s: int, e: int
    ) -> str:
        words = [w for w, _ in sentence]
        start, end = run
        seg_kinds = kinds[s - start : e - start]
        before_kinds = kinds[: s - start]
        after_kinds = kinds[e - start :]
        prev_word = words[start - 1].lower() if start > 0 else ""
        next_word = words[end].lower() if end < len(words) else ""
        # Inside the run: honorific or title chain right before the segment.
        if before_kinds and before_kinds[-1] == "hon":
            return PERSON
        if "tit" in before_kinds and not after_kinds:
            return PERSON
        if after_kinds or before_kinds:
            # Names mixed with common words, places or organisation words and no title before
            # them: a name of a company, a team, a work or a place ("Dark Angel", "Polda Metro
            # Jaya", "Bea Meterai"); unless the run is a headline in title case.
            if any(words[k].lower() in self._headline for k in range(start, end)):
                return UNDECIDED
            return NOT_PERSON
        # Around the run.
        if prev_word in ("di", "ke", "kawasan", "asal", "khas", "akun", "aplikasi", "merek"):
            return NOT_PERSON
        if prev_word in _THING_BEFORE or (
            start >= 2 and f"{words[start - 2]} {prev_word}".lower() in _THING_BEFORE_TWO
        ):
            return NOT_PERSON
        age = (
            next_word == "("
            and end + 2 < len(words)
            and _AGE.fullmatch(words[end + 1]) is not None
            and words[end + 2] == ")"
        )
        if (
            age
            or next_word in lexicon.AFTER_CUES
            or prev_word in _STRONG_BEFORE
            or prev_word in _PERSON_BEFORE
        ):
            return PERSON
        if self._looks_like_full_name([words[k] for k in range(s, e) if words[k] != "."]):
            return PERSON
        if prev_word == "dari" and "name" not in seg_kinds:
            return NOT_PERSON
        return UNDECIDED


@dataclass
class LabelledCorpus:
    """Decided sentences with labels; the undecided ones with their undecided segments (labelled
    `NNP` for now) for a later pass to decide."""

    sentences: list[tuple[list[str], list[str]]]
    pending: list[tuple[list[str], list[str], list[tuple[int, int]]]]
    person_spans: int

    @property
    def dropped(self) -> int:
        """Sentences not decided by the rules."""
        return len(self.pending)


def _tokens_of(sentence: Sentence, segment: Segment) -> list[str]:
    return [sentence[k][0] for k in range(segment.start, segment.end) if sentence[k][0] != "."]


def label_corpus(corpus: list[Sentence], labeller: WeakLabeller) -> LabelledCorpus:
    """Two passes: rules, then corpus-wide votes of words for the segments still undecided."""
    analysed: list[tuple[Sentence, list[tuple[tuple[int, int], list[Segment]]]]] = []
    votes_person: Counter[str] = Counter()
    votes_not: Counter[str] = Counter()
    for sentence in corpus:
        runs = [(run, labeller.segments(sentence, run)) for run in labeller.runs(sentence)]
        analysed.append((sentence, runs))
        for _, segments in runs:
            for segment in segments:
                if segment.verdict == PERSON:
                    votes_person.update(_tokens_of(sentence, segment))
                elif segment.verdict == NOT_PERSON:
                    votes_not.update(_tokens_of(sentence, segment))

    def vote(word: str) -> str:
        p, q = votes_person[word], votes_not[word]
        if p >= 2 and p >= 4 * q:
            return PERSON
        if q >= 2 and q >= 4 * p:
            return NOT_PERSON
        return UNDECIDED

    out: list[tuple[list[str], list[str]]] = []
    pending: list[tuple[list[str], list[str], list[tuple[int, int]]]] = []
    person_spans = 0
    for sentence, runs in analysed:
        labels = ["O"] * len(sentence)
        undecided: list[tuple[int, int]] = []
        for (start, end), segments in runs:
            for k in range(start, end):
                if sentence[k][1] == "NNP":
                    labels[k] = "NNP"
            for segment in segments:
                verdict = segment.verdict
                if verdict == UNDECIDED:
                    verdicts = {vote(w) for w in _tokens_of(sentence, segment)}
                    if NOT_PERSON in verdicts:
                        verdict = NOT_PERSON
                    elif verdicts == {PERSON}:
                        verdict = PERSON
                if verdict == UNDECIDED:
                    undecided.append((segment.start, segment.end))
                elif verdict == PERSON:
                    person_spans += 1
                    labels[segment.start] = "B-PER"
                    for k in range(segment.start + 1, segment.end):
                        labels[k] = "I-PER"
                    k = segment.start - 1
                    while k >= start and (
                        sentence[k][0].lower() in lexicon.HONORIFICS or sentence[k][0] == "."
                    ):
                        labels[k] = "O"
                        k -= 1
        if undecided:
            pending.append(([w for w, _ in sentence], labels, undecided))
            continue
        out.append(([w for w, _ in sentence], labels))
    return LabelledCorpus(out, pending, person_spans)
