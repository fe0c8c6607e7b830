"""Token features for the PERSON tagger, shared by training and inference.

A token is described by its own word, shape, affixes and the lists it is on (gazetteer bits and
the cue lists of `pii.person.lexicon`), by the words, shapes and lists of two tokens either side,
by whether it starts a sentence, and by whether a name cue (`nama`, `saya`, an honorific) stands
in the three tokens before it. Features are plain strings (binary attributes for CRFsuite).

The per-word parts do not depend on the sentence, so they are computed once per distinct word
and cached: a token's feature list is then a few tuple concatenations.
"""

from __future__ import annotations

from pii.person import lexicon
from pii.person.crf import CrfModel
from pii.person.gazetteer import FLAG_NAMES, ROOT, Gazetteer

FEATURE_SET_VERSION = 4

_LEXICON_FLAGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("hon", lexicon.HONORIFICS),
    ("deg", lexicon.DEGREES),
    ("tit", lexicon.TITLES),
    ("cue", lexicon.NAME_CUES),
    ("aft", lexicon.AFTER_CUES),
    ("spk", lexicon.SPEECH_BEFORE),
    ("pnn", lexicon.PERSON_NOUNS),
    ("org", lexicon.ORG_CUES),
    ("plc", lexicon.PLACE_CUES),
    ("plb", lexicon.PLACE_BEFORE),
    ("md", lexicon.MONTHS_DAYS),
    ("lnk", lexicon.NAME_LINKS),
    ("wrk", lexicon.WORK_CUES),
    ("pre", lexicon.NAME_PREFIXES),
)
_WINDOW_CUES = lexicon.NAME_CUES | lexicon.HONORIFICS
_OFFSETS = (-2, -1, 1, 2)
_PREFIXES = (
    "meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe", "ber", "be",
    "ter", "di", "ke", "se",
)  # fmt: skip
_SUFFIXES = ("kan", "an", "i", "nya", "lah", "kah")
# Verb prefixes a neighbour may carry: "Fuhrman dilemparkan", "Roshan menerima", "kata ... ".
_VERB_PREFIXES = ("meng", "meny", "mem", "men", "me", "di", "ber", "ter")
_CACHE_LIMIT = 200_000


def word_class(word: str) -> str:
    """A coarse class: Title-case `W`, lowercase `w`, ALLCAPS `A`, a four-digit number (a year)
    `y`, other digits `d`, mixed `m`, or the punctuation mark itself."""
    first = word[0]
    if first.isalpha():
        if word.islower():
            return "w"
        if word.isupper():
            return "A" if len(word) > 1 else "W"
        if first.isupper() and word[1:].islower():
            return "W"
        return "m"
    if first.isdigit():
        return "y" if len(word) == 4 and word.isdigit() else "d"
    return word if len(word) == 1 else "p"


def word_shape(word: str) -> str:
    """`Xxxx` -> `Xx`, `S.H` -> `X.X`, `A330-900` -> `Xd-d`: character kinds, repeats collapsed."""
    out: list[str] = []
    for ch in word[:12]:
        kind = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def is_derived(word: str, gazetteer: Gazetteer) -> bool:
    """Whether a lowercase word is an affixed form of a root word: `keadilan`, `perhubungan`."""
    candidates = [word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            candidates.append(word[: -len(suffix)])
    for stem in list(candidates):
        for prefix in _PREFIXES:
            if stem.startswith(prefix) and len(stem) - len(prefix) >= 3:
                candidates.append(stem[len(prefix) :])
    return any(gazetteer.flags(c) & ROOT for c in candidates[1:])


class FeatureExtractor:
    """Turns a tokenized sentence into CRFsuite attribute lists; one instance per gazetteer.

    `known`, when given, is the set of attributes a trained model has weights for: the others are
    dropped once, when a word's features are cached, so the tagger is not handed strings it would
    only look up and discard (the features it scores are unchanged).
    """

    def __init__(self, gazetteer: Gazetteer, known: frozenset[str] | None = None) -> None:
        self._gazetteer = gazetteer
        self._known = known
        self._own: dict[str, tuple[str, ...]] = {}
        self._around: tuple[dict[str, tuple[str, ...]], ...] = tuple({} for _ in _OFFSETS)

    def _keep(self, feats: list[str]) -> tuple[str, ...]:
        known = self._known
        return tuple(feats) if known is None else tuple([f for f in feats if f in known])

    def _tags(self, word: str) -> tuple[str, ...]:
        """The lists a word is on (gazetteer bits, lexicon lists, derived from a root)."""
        lower = word.lower()
        flags = self._gazetteer.flags(lower)
        tags = [name for bit, name in FLAG_NAMES.items() if flags & bit]
        tags.extend(name for name, words in _LEXICON_FLAGS if lower in words)
        if (
            not flags
            and word[0].isalpha()
            and len(word) >= 6
            and is_derived(lower, self._gazetteer)
        ):
            tags.append("der")
        return tuple(tags)

    def _own_features(self, word: str, cls: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        lower = word.lower()
        feats = ["b", "w=" + lower, "c=" + cls, "sh=" + word_shape(word)]
        if word[0].isalpha() and len(word) >= 4:
            feats += ["p3=" + lower[:3], "s2=" + lower[-2:], "s3=" + lower[-3:], "s4=" + lower[-4:]]
        n = len(word)
        feats.append("n=" + ("1" if n == 1 else "2" if n == 2 else "3" if n == 3 else
                             "4" if n <= 5 else "6" if n <= 8 else "9"))  # fmt: skip
        feats.extend("g=" + t for t in tags)
        feats.extend(f"g={t}|{cls}" for t in tags)
        if not tags:
            feats.append("notag")
            if cls == "W":
                feats.append("unknownW")
        return self._keep(feats)

    def _around_features(
        self, word: str, cls: str, tags: tuple[str, ...], offset: int
    ) -> tuple[str, ...]:
        prefix = f"{offset:+d}"
        feats = [f"{prefix}w={word.lower()}", f"{prefix}c={cls}"]
        feats.extend(f"{prefix}g={t}" for t in tags)
        if cls == "w" and len(word) >= 5 and offset in (-1, 1):
            verb = next((p for p in _VERB_PREFIXES if word.startswith(p)), None)
            if verb is not None:
                feats.append(f"{prefix}v={verb[:2] if verb.startswith('me') else verb}")
        return self._keep(feats)

    def word_features(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """A word's own features and those it lends the tokens -2, -1, +1 and +2 away from it,
        worked out together (its lists are looked up once) and not cached here: for callers
        that keep what they derive from them (`WeightedFeatures`)."""
        cls = word_class(word)
        tags = self._tags(word)
        return self._own_features(word, cls, tags), tuple(
            self._around_features(word, cls, tags, offset) for offset in _OFFSETS
        )

    def own(self, word: str) -> tuple[str, ...]:
        """The features of a word by itself (cached)."""
        cached = self._own.get(word)
        if cached is not None:
            return cached
        result = self._own_features(word, word_class(word), self._tags(word))
        if len(self._own) > _CACHE_LIMIT:
            self._own.clear()
        self._own[word] = result
        return result

    def around(self, word: str, offset: int) -> tuple[str, ...]:
        """The features a word lends to the token `offset` positions away from it (cached)."""
        cache = self._around[_OFFSETS.index(offset)]
        cached = cache.get(word)
        if cached is not None:
            return cached
        result = self._around_features(word, word_class(word), self._tags(word), offset)
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[word] = result
        return result

    def sequence(
        self, words: list[str], bos: list[bool], start: int = 0, end: int | None = None
    ) -> list[list[str]]:
        """Attribute lists for tokens `start:end` of a tokenized text (neighbours may lie
        outside the range: a window tagged alone gets the same features as in the full text)."""
        stop = len(words) if end is None else end
        count = len(words)
        own, around = self.own, self.around
        own_cache = self._own
        before2, before1, after1, after2 = self._around
        cue_at = cue_positions(words)
        out: list[list[str]] = []
        for i in range(start, stop):
            word = words[i]
            feats = list(own_cache.get(word) or own(word))
            if i >= 2:
                w = words[i - 2]
                feats += before2.get(w) or around(w, -2)
            else:
                feats += _PAD[0]
            if i >= 1:
                w = words[i - 1]
                feats += before1.get(w) or around(w, -1)
            else:
                feats += _PAD[1]
            if i + 1 < count:
                w = words[i + 1]
                feats += after1.get(w) or around(w, 1)
            else:
                feats += _PAD[2]
            if i + 2 < count:
                w = words[i + 2]
                feats += after2.get(w) or around(w, 2)
            else:
                feats += _PAD[3]
            where = position(bos, cue_at, i)
            if where:
                feats += context_features(word_class(word), where, "notag" in feats)
            out.append(feats)
        return out


def cue_positions(words: list[str]) -> list[bool]:
    """Which tokens are name cues (`nama`, an honorific, the `n` of `a.n.`)."""
    return [
        w.lower() in _WINDOW_CUES
        or (w in "nN" and k >= 2 and words[k - 1] in "./" and words[k - 2] in "aA")  # a.n.
        for k, w in enumerate(words)
    ]


_BOS, _AFTER_BOS, _CUE_WINDOW = 1, 2, 4


def position(bos: list[bool], cue_at: list[bool], i: int) -> int:
    """Where token `i` stands, as bits: a sentence start, right after one, or within three
    tokens after a name cue (0: none of these)."""
    where = _BOS if bos[i] else _AFTER_BOS if i > 0 and bos[i - 1] else 0
    if (i >= 1 and cue_at[i - 1]) or (i >= 2 and cue_at[i - 2]) or (i >= 3 and cue_at[i - 3]):
        where |= _CUE_WINDOW
    return where


def context_features(cls: str, where: int, untagged: bool) -> list[str]:
    """The features of a token of class `cls` standing `where` (see `position`; `untagged`:
    its word is on no list)."""
    feats: list[str] = []
    if where & _BOS:
        feats.append("bos")
        feats.append("bos|" + cls)
    elif where & _AFTER_BOS:
        feats.append("after_bos")
    if where & _CUE_WINDOW:
        # With the word's own class and whether it is on no list: "nama saya sutarjo"
        # (a lowercase unknown word after a cue) is a name, unlike news typos.
        feats.append("cue_window")
        feats.append("cue_window|" + cls)
        if untagged:
            feats.append("cue_window|notag|" + cls)
    return feats


class WeightedFeatures:
    """The label scores of `FeatureExtractor.sequence`'s attributes under a model, per token.

    A word's own attributes and those it lends each neighbour are summed once per word, when the
    word is first met, and kept (the extractor's own caches stay empty); a token's scores are then
    five of those sums plus its few positional attributes. The sums are grouped by word where
    CRFsuite adds attribute by attribute, so they can differ from CRFsuite's in the last bits.
    """

    def __init__(self, extractor: FeatureExtractor, model: CrfModel) -> None:
        self._extractor = extractor
        self._model = model
        self._words: dict[str, _WordWeights] = {}
        self._context: dict[tuple[str, int, bool], list[float]] = {}
        self._pad = [model.weights(pad) for pad in _PAD]

    def _word(self, word: str) -> _WordWeights:
        cached = self._words.get(word)
        if cached is None:
            own, around = self._extractor.word_features(word)
            weights = self._model.weights
            cached = (
                weights(own),
                word_class(word),
                "notag" in own,
                (weights(around[0]), weights(around[1]), weights(around[2]), weights(around[3])),
            )
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
            self._words[word] = cached
        return cached

    def _context_weights(self, cls: str, where: int, untagged: bool) -> list[float]:
        key = (cls, where, untagged)
        cached = self._context.get(key)
        if cached is None:
            cached = self._model.weights(context_features(cls, where, untagged))
            if len(self._context) > _CACHE_LIMIT:
                self._context.clear()
            self._context[key] = cached
        return cached

    def scores(
        self, words: list[str], bos: list[bool], start: int = 0, end: int | None = None
    ) -> list[list[float]]:
        """Per-label scores of tokens `start:end`: the sums CRFsuite makes of `sequence`."""
        stop = len(words) if end is None else end
        count = len(words)
        cue_at = cue_positions(words)
        pad = self._pad
        out: list[list[float]] = []
        for i in range(start, stop):
            own, cls, untagged, _ = self._word(words[i])
            b2 = self._word(words[i - 2])[3][0] if i >= 2 else pad[0]
            b1 = self._word(words[i - 1])[3][1] if i >= 1 else pad[1]
            a1 = self._word(words[i + 1])[3][2] if i + 1 < count else pad[2]
            a2 = self._word(words[i + 2])[3][3] if i + 2 < count else pad[3]
            where = position(bos, cue_at, i)
            if where:
                extra = self._context_weights(cls, where, untagged)
                row = [own[k] + b2[k] + b1[k] + a1[k] + a2[k] + extra[k] for k in range(len(own))]
            else:
                row = [own[k] + b2[k] + b1[k] + a1[k] + a2[k] for k in range(len(own))]
            out.append(row)
        return out


# A word's weights: its own features', its class, whether it is on no list, and the weights it
# lends the tokens -2, -1, +1 and +2 away.
_WordWeights = tuple[
    list[float], str, bool, tuple[list[float], list[float], list[float], list[float]]
]


_PAD = tuple((f"{offset:+d}pad",) for offset in _OFFSETS)
