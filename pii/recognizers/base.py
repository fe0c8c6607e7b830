"""The base of Gerbang's recognizers: a Presidio PatternRecognizer with a trigger and context.

A recognizer declares its patterns (Presidio `Pattern`s with a base score), context words in
Indonesian and English, an optional cheap trigger (the recognizer runs only if the trigger occurs
in the text) and whether a finding needs a context word to count at all. `validate_result` sees the
matched text and returns False to reject it (a failed check digit, an impossible date).

Speed: the engine reads each text once into a `TextScan` (the lowercased text, the numbers in it,
the scans of shared patterns) that every recognizer shares. A recognizer is skipped when the text
cannot hold what it looks for: a number with enough digits (`MIN_DIGITS`), one of its trigger
words (`TRIGGER_WORDS`, found for all recognizers in one pass by a `KeywordGate`), a required
context word anywhere, its `TRIGGER`. A number pattern scans only the stretch of text from the
first to the last number long enough for it, and a pattern with its own trigger
(`PATTERN_TRIGGERS`) runs only when that occurs. Each of these tests is a necessary condition of a
finding, so they change how long a text takes, never what is found.

Time budget: every pattern scan gets `TextScan.timeout` (`REGEX_TIMEOUT_S` unless the engine is
given another); a scan that runs out raises DetectionTimeout, so a text is refused rather than
passed on unscanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import ahocorasick
import regex
from mypy_extensions import mypyc_attr
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

PATTERN_NAME = "pattern_name"  # recognition_metadata key: which pattern matched
REGEX_TIMEOUT_S = 2.0  # per pattern and text; Presidio's default is 60 s
CONTEXT_BOOST = 0.35  # Presidio's default context similarity factor
CONTEXT_BEFORE = 48  # characters searched for a context word before a finding
CONTEXT_AFTER = 24  # ... and after it
SEPARATOR = r"[ .\-]?"  # what people put between digit groups: a space, a dot or a dash
NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[.\-])"  # a number starts here, not inside a longer one
NOT_BEFORE_NUMBER = r"(?!\d)(?![.\-]\d)"  # ... and ends here

# A number as `TextScan` sees it: digit groups joined by up to three of ` .-()` (`0812-3456`,
# `(021) 730 1234`, `32.73.01`; three for the `(021)) 7` a phone pattern can still match).
# Numbers with fewer than MIN_TRACKED_DIGITS digits are not recorded: no pattern asks for them.
MIN_TRACKED_DIGITS = 7
# Possessive: separators and digits are disjoint, so giving back a separator or a group never
# lets the number go on; not offering to saves the backtracking on every short number.
_NUMBER = re.compile(rf"\d(?:[ .\-()]{{0,3}}+\d){{{MIN_TRACKED_DIGITS - 1},}}+")
NUMBER_LOOKAHEAD = 2  # number patterns look at most this many characters past their match


def digits(text: str) -> str:
    """The digits of a number written with separators."""
    if text.isdigit():
        return text  # written without separators, as most are
    return "".join(filter(str.isdigit, text))


def word_trie(words: Iterable[str], *, not_after: str | None = None) -> str:
    """A regex alternation of literal `words` factored by common prefixes (`d(?:arah|iabetes)`).

    A backtracking engine then tries one branch per position instead of every word: several
    times faster on long lists, and a cheap prefilter in front of a longer pattern. With
    `not_after` (a one-character regex such as `\\w`), a word matches only where no such
    character precedes it: the same as a leading `(?<!\\w)`, but tested after the word's first
    character (`d(?<!\\wd)...`), so that the pattern still opens with a literal, which lets `re`
    skip quickly to where a word can start.
    """
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]], top: bool = False) -> str:
        branches = [
            re.escape(ch)
            + (f"(?<!{not_after}{re.escape(ch)})" if top and not_after else "")
            + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root, top=True)


def words_regex(words: Iterable[str]) -> re.Pattern[str]:
    """Any of `words` (literal, any case) as a whole word: not after or before a letter or digit.

    Matches what `(?<!\\w)(?:w1|w2|...)(?!\\w)` with the longest words first matches, written as
    a `word_trie` (several times faster on long lists).
    """
    trie = word_trie(dict.fromkeys(w.lower() for w in words), not_after=r"\w")
    return re.compile(rf"(?:{trie})(?!\w)", re.IGNORECASE)


@mypyc_attr(native_class=False)
class DetectionTimeout(RuntimeError):
    """A pattern took too long on a text: the text is refused rather than passed unscanned."""


_FOLDING_LETTERS = re.compile("[\u017f\u0131\u0130\u212a]")


class TextScan:
    """One text as the recognizers see it, worked out once per text and shared between them.

    Holds the time budget of each pattern scan, the lowercased text, and the numbers in the text
    (found on first use). Not shared between threads: the engine makes one per `analyze` call.
    With `shortcuts` False every pattern scans the whole text (see `number_window`), which finds
    the same and is slower: a reference for tests.
    """

    __slots__ = (
        "_ascii", "_folding", "_gate", "_keywords", "_lower", "_max_digits", "_numbers",
        "_occurs", "_spans", "shortcuts", "text", "timeout",
    )  # fmt: skip

    def __init__(
        self,
        text: str,
        timeout: float = REGEX_TIMEOUT_S,
        *,
        shortcuts: bool = True,
        gate: KeywordGate | None = None,
    ) -> None:
        self.text = text
        self.timeout = timeout
        self.shortcuts = shortcuts
        self._gate = gate
        self._keywords: set[str] | None = None
        self._lower: str | None = None
        self._ascii: bool | None = None
        self._folding: bool | None = None
        self._numbers: list[tuple[int, int, int]] | None = None
        # Keyed by the pattern's id: hashing a compiled pattern hashes its whole program. The
        # patterns belong to the recognizers, which outlive the scan.
        self._spans: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
        self._occurs: dict[tuple[int, int, int], bool] = {}
        self._max_digits = -1

    @property
    def lower(self) -> str:
        """The text lowercased (`str.lower`)."""
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def is_ascii(self) -> bool:
        """Whether the text is ASCII.

        Only then is a search of the lowercased text the same as a case-insensitive search of
        the text: `re` and `regex` fold some other letters differently from `str.lower` (dotted
        and dotless i, U+0130 and U+0131, and the long s, U+017F).
        """
        if self._ascii is None:
            self._ascii = self.text.isascii()
        return self._ascii

    @property
    def has_folding_letters(self) -> bool:
        """Whether the text holds a letter that case-insensitive matching takes for an ASCII
        letter while `str.lower` does not turn it into one: the long s (U+017F), the dotless
        i (U+0131), the capital dotted I (U+0130, lowercased to two code points), the Kelvin
        sign (U+212A). Without them, a case-insensitive match of ASCII words is in `lower`."""
        if self._folding is None:
            self._folding = not self.is_ascii and _FOLDING_LETTERS.search(self.text) is not None
        return self._folding

    @property
    def gate(self) -> KeywordGate | None:
        """The engine's keyword gate this scan answers `keywords` from, if any."""
        return self._gate

    @property
    def keywords(self) -> set[str]:
        """The words of the engine's `KeywordGate` that occur in the lowercased text (found
        once per text; empty without a gate)."""
        if self._keywords is None:
            self._keywords = set() if self._gate is None else self._gate.found(self.lower)
        return self._keywords

    def any_keyword(self, words: frozenset[str]) -> bool | None:
        """Whether one of `words` occurs in the lowercased text, from the gate's one pass, or
        None when the gate cannot tell: it does not look for all of them, or the text holds
        letters that case-insensitive matching folds to ASCII (see `has_folding_letters`)."""
        gate = self._gate
        if gate is None or not gate.covers(words) or self.has_folding_letters:
            return None
        return not self.keywords.isdisjoint(words)

    def occurs(self, pattern: re.Pattern[str], pos: int = 0, endpos: int = -1) -> bool:
        """Whether `pattern` matches the lowercased text, or its stretch `pos:endpos`
        (lookbehinds see the text before `pos`; offsets are the text's only for an ASCII
        text). Searched once per text and stretch."""
        if endpos < 0:
            endpos = len(self.lower)
        key = (id(pattern), pos, endpos)
        found = self._occurs.get(key)
        if found is None:
            found = self._occurs[key] = pattern.search(self.lower, pos, endpos) is not None
        return found

    @property
    def max_digits(self) -> int:
        """The digits of the longest number in the text, 0 when it has fewer than
        MIN_TRACKED_DIGITS (a number: digit groups joined by up to three of ` .-()`)."""
        if self._max_digits < 0:
            self._max_digits = max((count for _, _, count in self._tracked_numbers()), default=0)
        return self._max_digits

    def number_window(self, min_digits: int, lead: int = 0) -> tuple[int, int] | None:
        """The stretch of text holding every number of at least `min_digits` digits, or None.

        From `lead` characters before the first such number to `NUMBER_LOOKAHEAD` characters
        after the last one: a pattern whose matches lie inside one number (its digits joined by
        up to three of ` .-()`, starting at most `lead` characters before the first digit) and
        have at least `min_digits` digits finds exactly the same matches in this stretch.
        """
        if min_digits < MIN_TRACKED_DIGITS:
            raise ValueError(f"min_digits must be at least {MIN_TRACKED_DIGITS}")
        if not self.shortcuts:
            return 0, len(self.text)
        first = last = -1
        for start, end, count in self._tracked_numbers():
            if count >= min_digits:
                if first < 0:
                    first = start
                last = end
        if first < 0:
            return None
        return max(0, first - lead), min(len(self.text), last + NUMBER_LOOKAHEAD)

    def _tracked_numbers(self) -> list[tuple[int, int, int]]:
        if self._numbers is None:
            numbers: list[tuple[int, int, int]] = []
            for match in _NUMBER.finditer(self.text):
                start, end = match.span()
                number = match.group()
                # Digits and the gaps `_NUMBER` allows between them (counting is cheaper than
                # str.translate, which looks every character up).
                gaps = (
                    number.count(" ")
                    + number.count(".")
                    + number.count("-")
                    + number.count("(")
                    + number.count(")")
                )
                numbers.append((start, end, end - start - gaps))
            self._numbers = numbers
        return self._numbers

    def spans(self, pattern: regex.Pattern[str], pos: int, endpos: int) -> list[tuple[int, int]]:
        """The spans of `pattern`'s matches in text[pos:endpos] (with the text around it visible
        to lookbehinds), computed once per text: recognizers that share a pattern share the scan.

        Raises TimeoutError when the scan takes longer than `timeout`.
        """
        key = (id(pattern), pos, endpos)
        found = self._spans.get(key)
        if found is None:
            # All positional (pos, endpos, overlapped, concurrent, partial, timeout): a keyword
            # argument sends `regex` down its slow argument parsing, ~0.5 us a call.
            scan = pattern.finditer(self.text, pos, endpos, False, None, False, self.timeout)
            found = [m.span() for m in scan]
            self._spans[key] = found
        return found


class LowercaseSearch:
    """A pattern written for lowercased text, tested so that it never misses what a
    case-insensitive pattern would match.

    The lowercased text is searched. On a text with letters that fold differently
    (`TextScan.has_folding_letters`) the text itself is also searched case-insensitively, with
    `re` and with `regex`: they fold the long s (U+017F) to `s`, `re` also the dotless i (U+0131)
    to `i`, which `str.lower` keeps as they are. A pattern that matches a word written with them
    must not be skipped because the plain word is not in the lowercased text.

    `literals(words)` builds the search for any of `words` anywhere; the engine's keyword pass
    answers it when its gate looks for all of them (a recognizer's `GATE_WORDS`).
    """

    def __init__(
        self, pattern: str, flags: int = 0, *, words: frozenset[str] | None = None
    ) -> None:
        flags &= re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE  # the same bits in regex
        self._lowered = re.compile(pattern, flags)
        self._any_case = (
            re.compile(pattern, flags | re.IGNORECASE),
            regex.compile(pattern, flags | regex.IGNORECASE),
        )
        self._words = words

    @classmethod
    def literals(cls, words: Iterable[str]) -> LowercaseSearch:
        """Any of the lowercase `words` occurring anywhere (inside other words too)."""
        ordered = dict.fromkeys(words)
        return cls("|".join(map(re.escape, ordered)), words=frozenset(ordered))

    def occurs(self, scan: TextScan) -> bool:
        """Whether the pattern occurs in the scanned text (in the sense above)."""
        if self._words is not None and (found := scan.any_keyword(self._words)) is not None:
            return found
        if self._lowered.search(scan.lower) is not None:
            return True
        return scan.has_folding_letters and any(
            p.search(scan.text) is not None for p in self._any_case
        )


class KeywordGate:
    """Which of many keywords occur in a text, found in one pass for every recognizer.

    An Aho-Corasick automaton (pyahocorasick) reports every occurrence of every keyword, nested
    and overlapping ones too, in one linear pass; a recognizer's test per text is then one set
    intersection with its words.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = frozenset(keywords)
        self._covers: dict[frozenset[str], bool] = {}
        if "" in self.keywords:
            raise ValueError("a keyword must not be empty (the automaton would never report it)")
        self._automaton: ahocorasick.Automaton | None = None
        if self.keywords:
            automaton = ahocorasick.Automaton()
            for keyword in self.keywords:
                automaton.add_word(keyword, keyword)
            automaton.make_automaton()
            self._automaton = automaton

    def found(self, lower: str) -> set[str]:
        """Every keyword that occurs in `lower`."""
        if self._automaton is None:
            return set()
        return {keyword for _, keyword in self._automaton.iter(lower)}

    def covers(self, words: frozenset[str]) -> bool:
        """Whether the gate looks for every one of `words` (remembered per word set)."""
        known = self._covers.get(words)
        if known is None:
            known = self._covers[words] = words <= self.keywords
        return known


class ContextWords:
    """Finds the nearest of a recognizer's context words around a span (whole words, any case).

    `pattern` replaces the plain word list for the search around a span (e.g. `SIM` that is not
    `kartu SIM`); every match of it must then begin with one of `words`, which stay the quick
    test of whether a context word occurs in a text at all.
    """

    def __init__(self, words: Iterable[str], pattern: re.Pattern[str] | None = None) -> None:
        ordered = tuple(dict.fromkeys(w.lower() for w in words))
        self.words = ordered  # lowercase: one of them occurs wherever a context word is found
        self._re: re.Pattern[str] | None = pattern
        if self._re is None and ordered:
            self._re = words_regex(ordered)
        # The same search for the lowercased text of an ASCII text, where it finds the same
        # without IGNORECASE (several times faster): only for a pattern of lowercase literals.
        self._re_lower: re.Pattern[str] | None = None
        source = self._re.pattern if self._re is not None else ""
        if self._re is not None and source == source.lower() and "(?-i" not in source:
            self._re_lower = re.compile(source, self._re.flags & ~re.IGNORECASE)
        # A superset of the matches of `_re` in any window: the word, not after a letter or digit.
        trie = word_trie(ordered, not_after=r"\w")
        self._anywhere = LowercaseSearch(trie)

    def may_occur(self, scan: TextScan) -> bool:
        """False only when no context word occurs anywhere in the text."""
        return self._re is not None and self._anywhere.occurs(scan)

    def distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        if self._re is None:
            return None
        return self._distance(self._re, text, start, end)

    def distance_in(self, scan: TextScan, start: int, end: int) -> int | None:
        """`distance` in a scanned text (searched in its lowercased form when that is exact)."""
        if self._re_lower is not None and scan.is_ascii:
            return self._distance(self._re_lower, scan.lower, start, end)
        return self.distance(scan.text, start, end)

    def _distance(self, words: re.Pattern[str], text: str, start: int, end: int) -> int | None:
        best: int | None = None
        for match in words.finditer(text, max(0, start - CONTEXT_BEFORE), start):
            best = start - match.end()  # the last match before the span is the nearest
        after = words.search(text, end, min(len(text), end + CONTEXT_AFTER))
        if after is not None:
            gap = after.start() - end
            best = gap if best is None else min(best, gap)
        return best


# What may stand between a label and its value without making the value farther from it.
_LABEL_FILLER = re.compile(r"[\s:=#.\-]+")


class LabelContext(ContextWords):
    """Context words read as the label of a value, as in forms and chat messages.

    The distance to the nearest label before the span counts the characters between them other
    than spaces and label punctuation (`NPWP: 01.234...` is at distance 0). A word after the span
    counts only when there is none before it, and then as farther away than any label before a
    span (`CONTEXT_BEFORE` plus the gap), so that a value's own label wins over the label of the
    value that follows it.
    """

    def _distance(self, words: re.Pattern[str], text: str, start: int, end: int) -> int | None:
        last_before: re.Match[str] | None = None
        for match in words.finditer(text, max(0, start - CONTEXT_BEFORE), start):
            last_before = match
        if last_before is not None:
            return len(_LABEL_FILLER.sub("", text[last_before.end() : start]))
        after = words.search(text, end, min(len(text), end + CONTEXT_AFTER))
        if after is not None:
            return CONTEXT_BEFORE + after.start() - end
        return None


# A sentence ends at a line break, or at `.`, `!` or `?` before a space or the end, unless it is
# the dot of an abbreviation. Found by the mark, so the search skips to the few marks in a text.
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s|$)|\n")
SENTENCE_ABBREVIATIONS = frozenset((
    "sdr", "sdri", "tn", "ny", "nn", "bpk", "pak", "bu", "dr", "drs", "dra", "ir", "h", "hj",
    "prof", "mr", "mrs", "ms", "st", "no", "jl", "jln", "gg", "kel", "kec", "kab", "prov", "kp",
    "rm", "dx",
))  # fmt: skip


def sentence_window(text: str, start: int, end: int) -> tuple[int, int]:
    """The context window around `start:end` (48 characters before, 24 after), cut at the ends
    of the sentence; `Tn.`, `Sdr.`, `No.` and other abbreviations do not end a sentence."""
    window_start = max(0, start - CONTEXT_BEFORE)
    window_end = min(len(text), end + CONTEXT_AFTER)
    for brk in _SENTENCE_BREAK.finditer(text, window_start, start):
        if _ends_sentence(text, window_start, brk.start()):
            window_start = brk.end()
    for brk in _SENTENCE_BREAK.finditer(text, end, window_end):
        if _ends_sentence(text, end, brk.start()):
            window_end = brk.end() - 1
            break
    return window_start, window_end


def _ends_sentence(text: str, stretch_start: int, mark: int) -> bool:
    """Whether the break at `mark` ends a sentence: a line break does; a dot, `!` or `?` does
    unless the word right before it (not before `stretch_start`) is an abbreviation."""
    if text[mark] == "\n":
        return True
    word_start = mark
    while word_start > stretch_start:
        ch = text[word_start - 1]
        if not (ch.isalnum() or ch == "_"):  # what `\w` matches
            break
        word_start -= 1
    return text[word_start:mark].lower() not in SENTENCE_ABBREVIATIONS


class Recognizer(Protocol):
    """What the engine needs of a recognizer (pattern-based or a model)."""

    ENTITY: ClassVar[str]
    CONTEXT_REQUIRED: ClassVar[bool]
    PRIORITY: ClassVar[int]
    name: str

    def may_match(self, text: str) -> bool:
        """A cheap test: False means this recognizer cannot find anything in `text`."""
        ...

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        ...

    def analyze(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        """Presidio's recognizer call: results for `entities` in `text`."""
        ...


@dataclass(frozen=True, slots=True)
class _CompiledPattern:
    name: str
    score: float
    compiled: regex.Pattern[str]
    min_digits: int  # 0: not a number pattern, scan the whole text
    trigger: re.Pattern[str] | None  # searched in the lowercased text of an ASCII text
    trigger_in_window: bool  # ... only in the pattern's number window (see WINDOWED_TRIGGERS)


@mypyc_attr(allow_interpreted_subclasses=True)
class GerbangRecognizer(PatternRecognizer):
    """Base class: subclasses set ENTITY, PATTERNS and CONTEXT, and may validate matches.

    Subclasses filter or adjust findings in `refine` and change how context is found in
    `context_words`; the engine calls `find` with the text scan it shares. Optional speed-ups,
    each a promise about every finding the recognizer can make, so that skipping is exact:

    - `TRIGGER_WORDS`: one of these lowercase strings occurs in the lowercased text (the engine
      tests every recognizer's words in one shared pass, see `KeywordGate`);
    - `TRIGGER`: this regex matches the text (the lowercased text if `TRIGGER_IN_LOWERCASE`);
    - `MIN_DIGITS` (per pattern in `PATTERN_MIN_DIGITS`): a match lies inside one number (digit
      groups joined by up to three of ` .-()`), begins at most `NUMBER_LEAD` characters before
      its first digit, looks at most two characters past its end, and has at least this many
      digits, or fails `validate_result` otherwise. Texts without such a number are skipped and
      only the stretch holding them is scanned;
    - `PATTERN_TRIGGERS`: a pattern's match (or at least its finding) needs its trigger to occur
      in the lowercased text (tested on ASCII texts only); for a number pattern named in
      `WINDOWED_TRIGGERS`, inside its match (lookbehinds may look before it), so the trigger is
      searched only in the pattern's number window;
    - `CONTEXT_REQUIRED`: with the default `context_distance`, a text without any context word
      is skipped (unless `CONTEXT_GATE` is False: for words so common, e.g. pronouns, that the
      test would cost more than it saves).

    `GATE_WORDS` are more lowercase strings for the engine's shared pass to look for, not a
    promise: the recognizer asks `TextScan.any_keyword` about them in its own tests.
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    TRIGGER_WORDS: ClassVar[tuple[str, ...]] = ()
    GATE_WORDS: ClassVar[tuple[str, ...]] = ()
    TRIGGER: ClassVar[re.Pattern[str] | None] = None
    TRIGGER_IN_LOWERCASE: ClassVar[bool] = False
    CONTEXT_REQUIRED: ClassVar[bool] = False
    CONTEXT_GATE: ClassVar[bool] = True
    MIN_DIGITS: ClassVar[int] = 0
    PATTERN_MIN_DIGITS: ClassVar[Mapping[str, int]] = {}
    NUMBER_LEAD: ClassVar[int] = 0
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {}
    WINDOWED_TRIGGERS: ClassVar[frozenset[str]] = frozenset()
    FLAGS: ClassVar[int] = regex.DOTALL | regex.MULTILINE
    PRIORITY: ClassVar[int] = 50  # breaks ties between overlapping findings of equal score

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=list(self.CONTEXT),
            supported_language="id",
            global_regex_flags=self.FLAGS,
        )
        self._context = self.context_words()
        self._compiled = tuple(
            _CompiledPattern(
                pattern.name,
                pattern.score,
                regex.compile(pattern.regex, flags=self.FLAGS),
                self.PATTERN_MIN_DIGITS.get(pattern.name, self.MIN_DIGITS),
                self.PATTERN_TRIGGERS.get(pattern.name),
                pattern.name in self.WINDOWED_TRIGGERS,
            )
            for pattern in self.PATTERNS
        )
        windowable = {c.name for c in self._compiled if c.min_digits and c.trigger is not None}
        if unknown := sorted(self.WINDOWED_TRIGGERS - windowable):
            raise ValueError(
                f"{type(self).__name__}: WINDOWED_TRIGGERS names {', '.join(map(repr, unknown))}, "
                "not a number pattern with a trigger"
            )
        self._trigger_words = (
            LowercaseSearch(word_trie(self.TRIGGER_WORDS)) if self.TRIGGER_WORDS else None
        )
        self._trigger = (
            LowercaseSearch(self.TRIGGER.pattern, self.TRIGGER.flags)
            if self.TRIGGER is not None and self.TRIGGER_IN_LOWERCASE
            else None
        )
        cls = type(self)
        # A subclass that finds context its own way cannot be skipped by the context word test.
        self._own_context_distance = cls.context_distance is not GerbangRecognizer.context_distance
        self._skip_without_context = (
            self.CONTEXT_REQUIRED and self.CONTEXT_GATE and not self._own_context_distance
        )
        self._own_may_match = cls.may_match is not GerbangRecognizer.may_match
        self._invalidates = cls.invalidate_result is not PatternRecognizer.invalidate_result

    def context_words(self) -> ContextWords:
        """How context words are found around a span (plain words by default)."""
        return ContextWords(self.CONTEXT)

    @property
    def required_context_words(self) -> tuple[str, ...] | None:
        """Lowercase words one of which occurs (any case) in every text this recognizer finds
        something in, or None when it may find something without them."""
        return self._context.words if self._skip_without_context else None

    def prefilter(self, scan: TextScan) -> bool:
        """A cheap test on a shared scan: False means nothing can be found in the text."""
        if self.MIN_DIGITS and scan.max_digits < self.MIN_DIGITS:
            return False
        if not self.trigger_words_occur(scan):
            return False
        if not self.triggered(scan):
            return False
        return not self._skip_without_context or self.context_may_occur(scan)

    def trigger_words_occur(self, scan: TextScan) -> bool:
        """False when none of `TRIGGER_WORDS` occurs (True without trigger words)."""
        return self._trigger_words is None or self._trigger_words.occurs(scan)

    def triggered(self, scan: TextScan) -> bool:
        """`TRIGGER` (or a subclass's own `may_match`): the test the engine's shared gates (digits,
        trigger words, context words) leave to the recognizer."""
        if self._own_may_match:
            return self.may_match(scan.text)
        if self.TRIGGER is None:
            return True
        if self._trigger is not None:
            return self._trigger.occurs(scan)
        return self.TRIGGER.search(scan.text) is not None

    def declared_triggers(self, scan: TextScan) -> bool:
        """`TRIGGER_WORDS` and `triggered`, without the shortcuts (digits, context words)."""
        return self.trigger_words_occur(scan) and self.triggered(scan)

    def context_may_occur(self, scan: TextScan) -> bool:
        """False when no context word occurs anywhere in the text."""
        return self._context.may_occur(scan)

    def may_match(self, text: str) -> bool:
        """A cheap test: False means this recognizer cannot find anything in `text`."""
        return self.prefilter(TextScan(text))

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's pattern matching and validation, without its per-call bookkeeping.

        Same semantics as PatternRecognizer.analyze (validate_result False drops a match, True
        raises it to the maximum score; invalidate_result True drops it), minus the timing,
        debug logging and explanation objects it builds for every pattern and match: on a dense
        message that bookkeeping costs more than the matching. Regexes run with a timeout; on
        timeout DetectionTimeout is raised (fail closed) where Presidio would skip the pattern.
        """
        return self.find(TextScan(text))

    def find(self, scan: TextScan) -> list[RecognizerResult]:
        """The findings in the scanned text (what `analyze` returns), with the scan shared."""
        return self.refine(scan.text, self.match(scan))

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop or adjust pattern findings using the text around them (none by default)."""
        return results

    def match(self, scan: TextScan) -> list[RecognizerResult]:
        """Every pattern's validated matches in the scanned text."""
        text = scan.text
        validate = self.validate_result
        invalidate = self.invalidate_result if self._invalidates else None
        results: list[RecognizerResult] = []
        for pattern in self._compiled:
            pos, endpos = 0, len(text)
            if pattern.min_digits:
                window = scan.number_window(pattern.min_digits, self.NUMBER_LEAD)
                if window is None:
                    continue
                pos, endpos = window
            if pattern.trigger is not None and scan.shortcuts and scan.is_ascii:
                windowed = pattern.trigger_in_window
                if not scan.occurs(
                    pattern.trigger, pos if windowed else 0, endpos if windowed else -1
                ):
                    continue
            try:
                spans = scan.spans(pattern.compiled, pos, endpos)
            except TimeoutError:
                # Presidio would skip the pattern and find nothing: that fails open. A message
                # that makes a pattern run this long is refused instead.
                raise DetectionTimeout(f"{type(self).__name__} ran out of time") from None
            for start, end in spans:
                if start == end:
                    continue
                matched = text[start:end]
                valid = validate(matched)
                if valid is False or (invalidate is not None and invalidate(matched)):
                    continue
                results.append(
                    RecognizerResult(
                        self.ENTITY,
                        start,
                        end,
                        self.MAX_SCORE if valid else pattern.score,
                        recognition_metadata={PATTERN_NAME: pattern.name},
                    )
                )
        return results

    def context_distance(self, text: str, start: int, end: int) -> int | None:
        """Characters between the span and the nearest context word, or None when there is none."""
        return self._context.distance(text, start, end)

    def context_distance_in(self, scan: TextScan, start: int, end: int) -> int | None:
        """`context_distance` in a scanned text (the engine's call)."""
        if self._own_context_distance:
            return self.context_distance(scan.text, start, end)
        return self._context.distance_in(scan, start, end)
