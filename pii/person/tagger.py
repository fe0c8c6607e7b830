"""The PERSON tagger at run time: the shipped CRF model, run only where a name can be.

Most words of a chat message cannot be part of a name, and finding the few that can is cheap: one
regular expression finds the capitalised words and the cue words (`nama`, `saya`, `a.n.`, `pak`,
`bin`...). A capitalised word is a candidate unless it is a cue word, an acronym (`KTP`, `NIK`),
a common, foreign or place word without a name reading (`Mohon`, `Bandung`), or starts a sentence
and is a derived word (`Masalahnya`). After a cue, the next three lowercase words are candidates
when they can be a name (`nama saya budi santoso`, not `saya mau tanya`). Only short windows
around candidates are tokenized and tagged by the CRF, so its cost follows the number of
candidates, not the length of the text.

CRFsuite taggers keep per-call state, so each thread opens its own tagger on the model file once.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from pii.person import lexicon
from pii.person.features import FeatureExtractor, is_derived
from pii.person.gazetteer import (
    ANY_NAME,
    COMMON,
    FOREIGN,
    GAZETTEER_FILE,
    LEARNED,
    PLACE,
    PLACE_FOREIGN,
    ROOT,
    THING,
    Gazetteer,
)
from pii.person.tokens import ABBREVIATIONS, SENTENCE_END, TRANSPARENT, Tokens, tokenize

MODEL_FILE = Path(__file__).with_name("model.crfsuite")
MARGIN_WORDS = 3  # words tokenized either side of a candidate (the features look two away)
CORE_MARGIN = 2  # tokens tagged either side of the candidates
CUE_REACH = 3  # lowercase words after a cue that may be a name

_PERSON_LABELS = ("B-PER", "I-PER")
_TRIM = lexicon.HONORIFICS | lexicon.NAME_LINKS | lexicon.DEGREES
_NOT_NAME = lexicon.CUE_WORDS
_NAMED = ANY_NAME | LEARNED
_NOT_CANDIDATE = COMMON | ROOT | FOREIGN | PLACE | PLACE_FOREIGN | THING
_PLACE_OR_ORG_CUES = (lexicon.PLACE_CUES | lexicon.ORG_CUES) - lexicon.HONORIFICS
# Words after which lowercase words may be a name. "atas" only counts in "atas nama".
CUES = (lexicon.NAME_CUES | lexicon.HONORIFICS) - {"atas"}
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"


def _trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of `words`, as a trie (much faster than `a|b|c`)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + pattern(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


# A capitalised word, or a lowercase cue word (capitalised cues are capitalised words).
_ANCHOR = re.compile(
    rf"(?<![^\W_])(?:[{_UPPER}][^\W_]*(?:-[^\W_]+)*|(?:{_trie_pattern(sorted(CUES))})(?![^\W_]))"
)
_WORD = r"[^\W_]+(?:-[^\W_]+)*"
# The next CUE_REACH words after a cue, each in a group.
_NEXT_WORDS = re.compile(rf"[\W_]*({_WORD})" + rf"(?:[\W_]+({_WORD}))?" * (CUE_REACH - 1))
_NEVER, _ALWAYS, _UNLESS_FIRST = 0, 1, 2
_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class NameSpan:
    """A name found in a text: character offsets and the tagger's probability it is one."""

    start: int
    end: int
    probability: float


def starts_sentence(text: str, position: int) -> bool:
    """Whether the word at `position` is the first of its sentence (see `tokens.tokenize`)."""
    i = position - 1
    while i >= 0:
        ch = text[i]
        if ch == "\n":
            return True
        if ch.isspace() or ch in TRANSPARENT:
            i -= 1
            continue
        if ch in SENTENCE_END:
            if ch != ".":
                return True
            j = i
            while j > 0 and text[j - 1].isalpha():
                j -= 1
            before = text[j:i]
            return not (len(before) == 1 or before.lower() in ABBREVIATIONS)
        return False
    return True


class PersonTagger:
    """Finds people's names with the shipped CRF model; threads may share one instance."""

    def __init__(self, model: Path = MODEL_FILE, gazetteer: Path = GAZETTEER_FILE) -> None:
        if not model.exists():
            raise FileNotFoundError(f"PERSON model missing: {model} (scripts/train-person-model)")
        self._model_path = str(model)
        self.gazetteer = Gazetteer.load(gazetteer)
        self._local = threading.local()
        self._capitalised: dict[str, int] = {}
        self._lowercase: dict[str, bool] = {}
        info = self._tagger().info()  # fails now, not on the first message, if the model is bad
        known = frozenset(attribute for attribute, _ in info.state_features)
        self.features = FeatureExtractor(self.gazetteer, known)

    def _tagger(self) -> pycrfsuite.Tagger:
        tagger: pycrfsuite.Tagger | None = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            tagger.open(self._model_path)
            self._local.tagger = tagger
        return tagger

    # -- candidates ------------------------------------------------------------------------------

    def capitalised_candidate(self, text: str, start: int, word: str) -> bool:
        """Whether a capitalised word could be part of a name."""
        kind = self._capitalised.get(word)
        if kind is None:
            kind = self._capitalised_kind(word)
            if len(self._capitalised) > _CACHE_LIMIT:
                self._capitalised.clear()
            self._capitalised[word] = kind
        return kind == _ALWAYS or (kind == _UNLESS_FIRST and not starts_sentence(text, start))

    def _capitalised_kind(self, word: str) -> int:
        lower = word.lower()
        flags = self.gazetteer.flags(lower)
        if lower in lexicon.ACRONYMS or (lower in _NOT_NAME and not flags & ANY_NAME):
            return _NEVER
        if flags & _NAMED:
            return _ALWAYS
        if len(word) == 1 or word[1].isupper() or flags & _NOT_CANDIDATE:
            return _NEVER  # an initial; an acronym (KTP, BPJS); a common, foreign or place word
        if len(lower) >= 6 and is_derived(lower, self.gazetteer):
            return _UNLESS_FIRST  # "Masalahnya" starting a sentence is no name
        return _ALWAYS

    def lowercase_candidate(self, word: str) -> bool:
        """Whether a lowercase word right after a cue could be (part of) a name."""
        cached = self._lowercase.get(word)
        if cached is not None:
            return cached
        flags = self.gazetteer.flags(word)
        if flags & _NAMED:
            result = word not in _NOT_NAME
        elif flags & (COMMON | ROOT | FOREIGN) or word in _NOT_NAME or len(word) < 3:
            result = False
        else:
            result = word[0].isalpha() and not (len(word) >= 6 and is_derived(word, self.gazetteer))
        if len(self._lowercase) > _CACHE_LIMIT:
            self._lowercase.clear()
        self._lowercase[word] = result
        return result

    def windows(self, text: str) -> list[tuple[int, int, int, int]]:
        """Where to tag: `(left, right, core_start, core_end)` character offsets, merged.

        The core spans the candidates (and the cue before lowercase ones); the window adds
        `MARGIN_WORDS` words either side, so the features of the core see their neighbours.
        """
        cores: list[tuple[int, int]] = []
        after_cue_word = -1  # end of the last place or organisation cue word ("Kelurahan", "Jl")
        for match in _ANCHOR.finditer(text):
            start, end = match.span()
            word = match.group()
            lower = word.lower()
            if lower in CUES:
                found = self._after_cue(text, end)
                if found is not None:
                    cores.append((start, found))
                continue
            if lower in _PLACE_OR_ORG_CUES:
                after_cue_word = end
                continue
            if not self.capitalised_candidate(text, start, word):
                continue
            if (after_cue_word >= 0 and text[after_cue_word:start].strip(" .") == ""
                    and not self.gazetteer.flags(lower) & _NAMED):  # fmt: skip
                after_cue_word = end  # "Kelurahan Sukamaju Baru": all of it is the place
                continue
            cores.append((start, end))
        windows: list[tuple[int, int, int, int]] = []
        for start, end in cores:
            left, right = _widen(text, start, end)
            if windows and left <= windows[-1][1]:
                w = windows[-1]
                windows[-1] = (w[0], max(right, w[1]), w[2], max(end, w[3]))
            else:
                windows.append((left, right, start, end))
        return windows

    def _after_cue(self, text: str, position: int) -> int | None:
        """End of the last of the next few lowercase words that could be a name, or None
        (capitalised words are looked at on their own)."""
        match = _NEXT_WORDS.match(text, position)
        found: int | None = None
        if match is not None:
            for group in range(1, CUE_REACH + 1):
                word = match.group(group)
                if word is None:
                    break
                if word[0].islower() and self.lowercase_candidate(word):
                    found = match.end(group)
        return found

    # -- tagging ---------------------------------------------------------------------------------

    def tag(
        self, tokens: Tokens, start: int = 0, end: int | None = None
    ) -> tuple[list[str], list[float]]:
        """Labels of tokens `start:end` and, for those labelled as a name, the probability they
        are (features see the tokens around the range too)."""
        tagger = self._tagger()
        xseq = self.features.sequence(tokens.words, tokens.bos, start, end)
        labels: list[str] = tagger.tag(xseq)
        probabilities = [
            tagger.marginal("B-PER", t) + tagger.marginal("I-PER", t) if label in _PERSON_LABELS
            else 0.0
            for t, label in enumerate(labels)
        ]  # fmt: skip
        return labels, probabilities

    def find_in_tokens(self, tokens: Tokens) -> list[NameSpan]:
        """Names in already tokenized text, tagged as one sequence."""
        if not len(tokens):
            return []
        labels, probabilities = self.tag(tokens)
        return self._spans(tokens, 0, labels, probabilities)

    def find(self, text: str) -> list[NameSpan]:
        """Names in `text`, by character offsets, each with its probability."""
        spans: list[NameSpan] = []
        for left, right, core_start, core_end in self.windows(text):
            tokens = tokenize(text, left, right, at_start=starts_sentence(text, left))
            starts, ends = tokens.starts, tokens.ends
            first = next((i for i, e in enumerate(ends) if e > core_start), 0)
            last = next((i for i in range(len(starts) - 1, -1, -1) if starts[i] < core_end), 0)
            first, last = max(0, first - CORE_MARGIN), min(len(tokens), last + 1 + CORE_MARGIN)
            labels, probabilities = self.tag(tokens, first, last)
            spans.extend(self._spans(tokens, first, labels, probabilities))
        return spans

    def _spans(
        self, tokens: Tokens, offset: int, labels: list[str], probabilities: list[float]
    ) -> list[NameSpan]:
        runs: list[tuple[int, int]] = []
        words = tokens.words
        for t, label in enumerate(labels):
            if label not in _PERSON_LABELS:
                continue
            word = words[offset + t]
            if not word[0].isalnum() and word not in _INSIDE_NAME:
                continue  # "Tou = Orang" is two words, not a name
            if label == "B-PER" or not runs or runs[-1][1] != t or tokens.bos[offset + t]:
                runs.append((t, t + 1))  # a name does not run over a sentence end either
            else:
                runs[-1] = (runs[-1][0], t + 1)
        out: list[NameSpan] = []
        for s, e in mend(tokens, offset, len(labels), runs):
            while s < e and (not words[offset + s][0].isalnum() or
                             words[offset + s].lower() in _TRIM):  # fmt: skip
                s += 1
            while e > s and (not words[offset + e - 1][0].isalnum() or
                             words[offset + e - 1].lower() in _TRIM):  # fmt: skip
                if words[offset + e - 1] == "." and words[offset + e - 2].lower() in _GENERATION:
                    break  # "Jr ."
                e -= 1
            if e <= s or not any(words[offset + k][0].isalpha() for k in range(s, e)):
                continue
            if all(words[offset + k].lower() in _NOT_NAME for k in range(s, e)):
                continue
            scored = [probabilities[k] for k in range(s, e) if labels[k] in _PERSON_LABELS]
            if not scored:
                continue
            probability = sum(scored) / len(scored)
            out.append(
                NameSpan(tokens.starts[offset + s], tokens.ends[offset + e - 1], probability)
            )
        return out


_INSIDE_NAME = frozenset({".", "'", "-", "\u2019", ","})  # "R. Covey", "O'Neil", ", Jr."
_LINKS = frozenset({"bin", "binti", "van", "von", "de", "der", "da", "del", "no", "al", "el"})
_GENERATION = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _name_like(word: str) -> bool:
    return word[0].isupper() and word.lower() not in _NOT_NAME


def mend(
    tokens: Tokens, offset: int, length: int, runs: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Mend names the tagger cut short, in window-relative token ranges.

    Joins two names linked by `bin`, `van`, `no` (`Abdurrachman bin Ali`) or by a hyphen written
    without spaces (`Zeta-Jones` when split); takes in an initial (`Stephen R. Covey`), an
    apostrophe (`O'Neil`, `Ma'ruf`), a hyphenated second part (`Zeta - Jones`), a generation
    suffix (`Jr.`, `II`) and a title that belongs to the name in encyclopedic usage (`Sir`,
    `Pangeran`, `Raden`). Never across a sentence start.
    """
    words = tokens.words[offset : offset + length]
    starts = tokens.starts[offset : offset + length]
    ends = tokens.ends[offset : offset + length]
    bos = tokens.bos[offset : offset + length]

    def attached(i: int) -> bool:  # token i touches token i + 1
        return ends[i] == starts[i + 1]

    n = length
    joined: list[tuple[int, int]] = []
    for s, e in runs:
        if joined and s < joined[-1][1]:
            continue  # taken in by the name before ("Jr")
        if joined and s == joined[-1][1] and not bos[s]:
            s = joined.pop()[0]  # reached by the name before ("Ma'ruf" + "Amin")
        if joined and s == joined[-1][1] + 1 and not bos[s]:
            between = words[s - 1]
            if between.lower() in _LINKS or (
                between in "-'" and attached(s - 2) and attached(s - 1)
            ):
                s = joined.pop()[0]
        while s > 0 and words[s - 1].lower() in lexicon.NAME_LEFT_TITLES and not bos[s]:
            s -= 1
        while e + 1 < n and not bos[e + 1]:
            last, nxt, after = words[e - 1], words[e], words[e + 1]
            if len(last) == 1 and last.isupper() and nxt in ".'" and _name_like(after):
                e += 2  # "R . Covey", "O ' Neil"
            elif nxt == "'" and attached(e - 1) and attached(e) and after[0].isalpha():
                e += 2  # "Ma'ruf"
            elif (
                nxt == "-"
                and _name_like(after)
                and ((e - s >= 2 and (e + 1, e + 2) in runs) or all(r[0] != e + 1 for r in runs))
            ):
                e += 2  # "Catherine Zeta - Jones" (not "Moer - Poppy": two people)
            else:
                break
        k = e + 1 if e < n and words[e] == "," else e
        if k < n and words[k].lower() in _GENERATION and not bos[k]:
            e = k + 2 if k + 1 < n and words[k + 1] == "." else k + 1
        joined.append((s, e))
    return joined


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """`[start, end)` widened by `MARGIN_WORDS` whitespace-separated words on each side."""
    left = start
    for _ in range(MARGIN_WORDS):
        space = text.rfind(" ", 0, left - 1) if left > 1 else -1
        left = space + 1 if space >= 0 else 0
        if left == 0:
            break
    right = end
    for _ in range(MARGIN_WORDS):
        space = text.find(" ", right + 1)
        right = space if space >= 0 else len(text)
        if right == len(text):
            break
    return left, right
