"""The PERSON tagger at run time: the shipped CRF model, run only where a name can be.

Most words of a chat message cannot be part of a name, and finding the few that can is cheap: one
regular expression finds the capitalised words and the cue words (`nama`, `saya`, `a.n.`, `pak`,
`bin`...). A capitalised word is a candidate unless it is a cue word, an acronym (`KTP`, `NIK`),
a common, foreign or place word without a name reading (`Mohon`, `Bandung`), or starts a sentence
and is a derived word (`Masalahnya`). After a cue, the next three lowercase words are candidates
when they can be a name (`nama saya budi santoso`, not `saya mau tanya`). Only short windows
around candidates are tokenized and tagged by the CRF, so its cost follows the number of
candidates, not the length of the text.

The model is CRFsuite's, trained by `pii/person/train.py`; it is run by `pii.person.crf`, which
sums each word's weights once instead of handing CRFsuite every attribute string of every token.
The tagger holds no per-call state, so threads share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pii.person import lexicon
from pii.person.crf import CrfModel, CrfModelError
from pii.person.features import FeatureExtractor, WeightedFeatures, is_derived
from pii.person.gazetteer import (
    ANY_NAME,
    COMMON,
    FOREIGN,
    GAZETTEER_FILE,
    LEARNED,
    PLACE,
    PLACE_FOREIGN,
    PROPER,
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
_NOT_NAME = lexicon.CUE_WORDS | (
    lexicon.NOT_NAME_WORDS - lexicon.GIVEN_NAMES - lexicon.FAMILY_NAMES
)
_TRIM = lexicon.HONORIFICS | lexicon.NAME_LINKS | lexicon.DEGREES | lexicon.ACRONYMS
# Before a name, job and rank titles are not part of it either ("Komodor", "Gubernur"), except
# those encyclopedic usage keeps ("Sir", "Raden") and titles that are also names.
_TRIM_FRONT = (
    _TRIM
    | _NOT_NAME
    | (lexicon.TITLES - lexicon.NAME_LEFT_TITLES - lexicon.GIVEN_NAMES - lexicon.FAMILY_NAMES)
)
_NAMED = ANY_NAME | LEARNED
_NOT_CANDIDATE = COMMON | ROOT | FOREIGN | PLACE | PLACE_FOREIGN | THING
_PLACE_OR_ORG_CUES = (lexicon.PLACE_CUES | lexicon.ORG_CUES) - lexicon.HONORIFICS
# Words after which lowercase words may be a name. "atas" only counts in "atas nama".
CUES = (lexicon.NAME_CUES | lexicon.HONORIFICS | lexicon.RUN_TIME_CUES) - {"atas"}
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
_AN = re.compile(r"[aA][./][nN]\.?")  # "a.n." / "a/n": atas nama, written short
_ANCHOR = re.compile(
    rf"(?<![^\W_])(?:{_AN.pattern}(?![^\W_])|[{_UPPER}][^\W_]*(?:-[^\W_]+)*"
    rf"|(?:{_trie_pattern(sorted(CUES))})(?![^\W_]))"
)
_WORD = r"[^\W_]+(?:-[^\W_]+)*"
# The next CUE_REACH words after a cue, each in a group.
_NEXT_WORDS = re.compile(rf"[\W_]*({_WORD})" + rf"(?:[\W_]+({_WORD}))?" * (CUE_REACH - 1))
# How an anchor word is taken (`PersonTagger._anchor_kind`).
_NEVER, _ALWAYS, _UNLESS_FIRST, _CUE, _PLACE_OR_ORG = 0, 1, 2, 3, 4
_NAMED_BIT = 8
# A word right before or after a name, one space away.
_WORD_BEFORE = re.compile(rf"({_WORD}) $")
_WORD_AFTER = re.compile(rf" ({_WORD})(?![^\W_])")
_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True, init=False)
class NameSpan:
    """A name found in a text: character offsets and the tagger's probability it is one."""

    start: int
    end: int
    probability: float

    def __init__(self, start: int, end: int, probability: float) -> None:
        # Direct stores when compiled; a frozen dataclass's generated __init__ is interpreted.
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "probability", probability)


def core_range(tokens: Tokens, core_start: int, core_end: int) -> tuple[int, int]:
    """The tokens of a window to tag: those of its core (character offsets) and `CORE_MARGIN`
    more either side."""
    starts, ends = tokens.starts, tokens.ends
    first = next((i for i, e in enumerate(ends) if e > core_start), 0)
    last = next((i for i in range(len(starts) - 1, -1, -1) if starts[i] < core_end), 0)
    return max(0, first - CORE_MARGIN), min(len(tokens), last + 1 + CORE_MARGIN)


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
        self.gazetteer = Gazetteer.load(gazetteer)
        self._anchor_kinds: dict[str, int] = {}
        self._lowercase: dict[str, bool] = {}
        self.model = CrfModel.load(model)
        labels = self.model.labels
        if missing := [label for label in _PERSON_LABELS if label not in labels]:
            raise CrfModelError(f"{model}: no {' or '.join(missing)} label: not a PERSON model")
        self._person_ids = (labels.index(_PERSON_LABELS[0]), labels.index(_PERSON_LABELS[1]))
        self.features = FeatureExtractor(self.gazetteer, frozenset(self.model.state))
        self._weighted = WeightedFeatures(self.features, self.model)

    # -- candidates ------------------------------------------------------------------------------

    def _anchor_kind(self, word: str) -> int:
        """What an anchor word is for `windows` (cached): `_CUE`, `_PLACE_OR_ORG`, or how a
        capitalised word may be a candidate (`_NEVER`, `_ALWAYS`, `_UNLESS_FIRST`), with
        `_NAMED_BIT` set when it is on a name list."""
        kind = self._anchor_kinds.get(word)
        if kind is None:
            lower = word.lower()
            if lower in CUES or _AN.fullmatch(word):
                kind = _CUE
            elif lower in _PLACE_OR_ORG_CUES:
                kind = _PLACE_OR_ORG
            else:
                kind = self._capitalised_kind(word)
            if self.gazetteer.flags(lower) & _NAMED:
                kind |= _NAMED_BIT
            if len(self._anchor_kinds) > _CACHE_LIMIT:
                self._anchor_kinds.clear()
            self._anchor_kinds[word] = kind
        return kind

    def _capitalised_kind(self, word: str) -> int:
        lower = word.lower()
        flags = self.gazetteer.flags(lower)
        if lower in lexicon.ACRONYMS or (lower in _NOT_NAME and not flags & ANY_NAME):
            return _NEVER
        if flags & _NAMED:
            return _ALWAYS
        if any(ch.isdigit() for ch in word):
            return _NEVER  # a plate, a code: "F5021M"
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
            result = word.isalpha() and not (len(word) >= 6 and is_derived(word, self.gazetteer))
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
        kinds = self._anchor_kinds
        for match in _ANCHOR.finditer(text):
            word = match.group()
            known = kinds.get(word)
            kind = known if known is not None else self._anchor_kind(word)
            base = kind & ~_NAMED_BIT
            if base == _NEVER:
                continue
            start, end = match.start(), match.end()
            if base == _CUE:
                found = self._after_cue(text, end)
                if found is not None:
                    cores.append((start, found))
                continue
            if base == _PLACE_OR_ORG:
                after_cue_word = end
                continue
            if base == _UNLESS_FIRST and starts_sentence(text, start):
                continue
            if glued(text, start, end):
                continue
            if (after_cue_word >= 0 and text[after_cue_word:start].strip(" .") == ""
                    and not kind & _NAMED_BIT):  # fmt: skip
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
            spans = match.regs  # the whole match's span, then each group's; (-1, -1) if unmatched
            for group in range(1, CUE_REACH + 1):
                start, end = spans[group]
                if start < 0:
                    break
                if glued(text, start, end):
                    break  # an e-mail address or a link: "putri.firmansyah@example.com"
                if text[start].islower() and self.lowercase_candidate(text[start:end]):
                    found = end
        return found

    # -- tagging ---------------------------------------------------------------------------------

    def tag(
        self, tokens: Tokens, start: int = 0, end: int | None = None
    ) -> tuple[list[str], list[float]]:
        """Labels of tokens `start:end` and, for those labelled as a name, the probability they
        are (features see the tokens around the range too)."""
        scores = self._weighted.scores(tokens.words, tokens.bos, start, end)
        model = self.model
        path = model.viterbi(scores)
        labels = [model.labels[label] for label in path]
        first, second = self._person_ids
        if first not in path and second not in path:
            return labels, [0.0] * len(labels)
        marginals = model.marginals(scores)
        probabilities = [
            marginals[t][first] + marginals[t][second] if label in (first, second) else 0.0
            for t, label in enumerate(path)
        ]
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
            first, last = core_range(tokens, core_start, core_end)
            labels, probabilities = self.tag(tokens, first, last)
            spans.extend(self._spans(tokens, first, labels, probabilities))
        return spans

    def consistent(self, text: str, spans: list[NameSpan], at: float) -> list[NameSpan]:
        """`spans`, plus every other place where a name found with probability >= `at` stands
        as a whole word; each place of such a name gets the name's best probability.

        Where the name stands next to capitalised words that may be part of a name (`Nao`
        before `Oikawa`), they are taken in: the name there is the longer one.
        """
        best: dict[str, float] = {}
        for span in spans:
            if span.probability >= at:
                value = text[span.start : span.end]
                best[value] = max(best.get(value, 0.0), span.probability)
        if not best:
            return spans
        out: list[NameSpan] = []
        for span in spans:
            name_best = best.get(text[span.start : span.end], 0.0)
            out.append(
                NameSpan(span.start, span.end, name_best) if name_best > span.probability else span
            )
        taken = [(span.start, span.end) for span in out if span.probability >= at]
        for value in sorted(best, key=len, reverse=True):
            position = text.find(value)
            while position >= 0:
                start, end = position, position + len(value)
                position = text.find(value, end)
                if not _whole_word(text, start, end):
                    continue
                if any(s < end and start < e for s, e in taken):
                    continue  # a place already reported
                wide_start, wide_end = self._widen_name(text, start, end)
                if not any(s < wide_end and wide_start < e for s, e in taken):
                    start, end = wide_start, wide_end
                taken.append((start, end))
                out.append(NameSpan(start, end, best[value]))
        return out

    def _widen_name(self, text: str, start: int, end: int) -> tuple[int, int]:
        while (before := _WORD_BEFORE.search(text, max(0, start - 80), start)) and self._name_part(
            before[1]
        ):
            start = before.start(1)
        while (after := _WORD_AFTER.match(text, end)) and self._name_part(after[1]):
            end = after.end(1)
        return start, end

    def _name_part(self, word: str) -> bool:
        """Whether a capitalised word next to a name may belong to it."""
        lower = word.lower()
        if not word[0].isupper() or lower in _NOT_NAME:
            return False
        flags = self.gazetteer.flags(lower)
        return bool(flags & _NAMED) or not flags & (_NOT_CANDIDATE | PROPER)

    def _plain_lowercase(self, word: str) -> bool:
        """A lowercase word that is no name part on any list (`residivis`, `tlg`)."""
        return word[0].islower() and word not in _LINKS and not self.gazetteer.flags(word) & _NAMED

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
            if any(ch.isdigit() for ch in word):
                continue  # a number or a code is never part of a name
            if label == "B-PER" or not runs or runs[-1][1] != t or tokens.bos[offset + t]:
                runs.append((t, t + 1))  # a name does not run over a sentence end either
            else:
                runs[-1] = (runs[-1][0], t + 1)
        out: list[NameSpan] = []
        for s, e in mend(tokens, offset, len(labels), runs):
            span = words[offset + s : offset + e]
            capitalised = any(w[0].isupper() for w in span)
            mixed = capitalised and any(w[0].islower() and w not in _LINKS for w in span)
            all_caps = all(w.isupper() for w in span if w[0].isalpha())
            while s < e and (
                not words[offset + s][0].isalnum()
                or words[offset + s].lower() in _TRIM_FRONT
                or (words[offset + s].lower() in _RANK_TAILS and offset + s > 0
                    and words[offset + s - 1].lower() in lexicon.TITLES)
                or (mixed and self._plain_lowercase(words[offset + s]))  # "sya Fitri Wenas"
                or (not all_caps and len(words[offset + s]) > 1 and words[offset + s].isupper()
                    and s + 1 < e)  # "PKH Sukarni", "WNA Liam Brown"
            ):  # fmt: skip
                s += 1
            while e > s and (
                not words[offset + e - 1][0].isalnum()
                or words[offset + e - 1].lower() in _TRIM
                or words[offset + e - 1].lower() in _NOT_NAME
                or (mixed and self._plain_lowercase(words[offset + e - 1]))  # "... residivis"
            ):  # fmt: skip
                if words[offset + e - 1] == "." and words[offset + e - 2].lower() in _GENERATION:
                    break  # "Jr ."
                e -= 1
            if e <= s or not any(sum(ch.isalpha() for ch in words[offset + k]) > 1
                                 for k in range(s, e)):  # fmt: skip
                continue  # a name has a word of two letters or more, not only initials ("D")
            if offset + s > 0 and words[offset + s - 1].lower() in lexicon.HOLIDAYS:
                continue  # "Idul Fitri" is a day, not Fitri
            if not any(words[offset + k][0].isupper() for k in range(s, e)) and not any(
                _is_cue(words, k) for k in range(max(0, offset + s - CUE_REACH), offset + s)
            ):
                continue  # a lowercase name needs a cue before it ("nama saya budi")
            if all(words[offset + k].lower() in _NOT_NAME for k in range(s, e)):
                continue
            if reduplicated(words, offset + s, offset + e):
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
# The second word of a rank, not of the name after it: "Komodor Udara", "Laksamana Muda".
_RANK_TAILS = frozenset({"udara", "laut", "darat", "muda", "madya", "pertama", "utama", "polisi"})


_GLUE = frozenset("@._/")


def _whole_word(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` stands as a word of its own (no letter or digit touches it)."""
    return not (start > 0 and text[start - 1].isalnum()) and not (
        end < len(text) and text[end].isalnum()
    )


def _is_cue(words: list[str], k: int) -> bool:
    """Whether token `k` is a cue word, or the `n` of `a.n.` / `a/n`."""
    word = words[k].lower()
    return word in CUES or (
        word == "n" and k >= 2 and words[k - 1] in "./" and words[k - 2] in "aA"
    )


def glued(text: str, start: int, end: int) -> bool:
    """Whether the word at `start:end` is part of an e-mail address, a link or a dotted code
    (`putri.firmansyah@example.com`, `www.Kemendagri.go.id`): no name stands there as a word.
    An initial's dot (`a.n.Budi`, `R.Covey`) does not glue."""
    if text[end : end + 1] not in _GLUE and text[start - 1 : start] not in _GLUE:
        return False
    after = text[end : end + 2]
    if after[:1] == "." and len(after) == 2 and after[1].isupper():
        after = ""  # "Budi.Terima kasih": a sentence end without its space
    if after[:1] == "@" or (len(after) == 2 and after[0] in "._/" and after[1].isalnum()):
        return True
    before = text[max(0, start - 3) : start]
    if before[-1:] in ("@", "/", "_"):
        return True
    return (
        before[-1:] == "."
        and len(before) == 3
        and before[0].isalnum()
        and before[1].isalnum()
        and text[start:end].islower()
    )


def reduplicated(words: list[str], start: int, end: int) -> bool:
    """Whether tokens `start:end` are or take part in a reduplication (`Mega-Mega`, `Mega - Mega`,
    `Kupu - Kupu`): the Indonesian plural of a common word, never a person's name."""
    for word in words[start:end]:
        parts = word.lower().split("-")
        if len(parts) > 1 and len(set(parts)) == 1 and parts[0]:
            return True
    first, last = words[start].lower(), words[end - 1].lower()
    if end - start == 3 and words[start + 1] == "-" and first == last:
        return True
    after = end + 1 < len(words) and words[end] == "-" and words[end + 1].lower() == last
    before = start >= 2 and words[start - 1] == "-" and words[start - 2].lower() == first
    return after or before


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
