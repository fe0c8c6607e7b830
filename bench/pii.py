"""`python -m bench pii`: how well and how fast personal data is found, side by side.

Three detectors run over the labelled corpus tests/data/pii_corpus.jsonl (synthetic Indonesian
public-service messages, see tests/data/PII_CORPUS.md):

  gerbang   Gerbang's PiiEngine (pii/engine.py) with its default recognizers and threshold
  presidio  stock Presidio AnalyzerEngine: predefined recognizers, a blank spaCy "en" pipeline
            (no model download, so no NER), language "en" for every message (Presidio ships no
            Indonesian recognizers), default score threshold 0
  samaran   the lokal-id package's Samaran detector, `lokal.samaran.detect_pii(text)`

Each detector's labels are mapped onto Gerbang's entity types where they mean the same thing;
other labels stay unmapped (they still count as masking, and as over-masking where they hit no
labelled span). Rules:

  exact match    same type, same start and end
  overlap match  same type, spans share at least one character
  recall         labelled spans matched by some prediction / labelled spans
  precision      predictions (of that type) matching some labelled span / predictions
  unmasked       characters inside labelled spans covered by no prediction of any type
                 / characters inside labelled spans
  false positive a prediction of any type (mapped or not) that overlaps no labelled span;
                 counted per 100 messages over the negatives-only messages and over all

Speed: every detector runs over the whole corpus repeatedly for at least --seconds (MB/s of
UTF-8 text, one thread, from the median pass), and p50/p90 latency of one ~1 KB message built by
joining corpus messages. The first pass over the corpus is timed too: a detector that learns per
word (Gerbang's PERSON features) has seen none of its words yet, as with text a gateway has not
met before; the median pass has seen them all. Only each detector's own call is timed; turning
its answer into the benchmark's spans for scoring is not.
If ../shared/data/nergrit_valid.txt exists (relative to the repository root), PERSON precision
and recall on that news-text NER corpus are measured too. Results go to
bench/results/pii-<UTC timestamp>.json; --markdown also prints the tables as Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "tests" / "data" / "pii_corpus.jsonl"
NERGRIT = REPO_ROOT.parent / "shared" / "data" / "nergrit_valid.txt"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DETECTORS = ("gerbang", "presidio", "samaran")
KILOBYTE = 1024

ENTITY_ORDER = (
    "ID_NIK", "ID_KK", "ID_NPWP", "ID_NIP", "ID_BPJS", "ID_PASSPORT", "ID_SIM",
    "ID_VEHICLE_PLATE", "ID_BANK_ACCOUNT", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD",
    "IP_ADDRESS", "PERSON", "ADDRESS", "DATE_OF_BIRTH", "HEALTH", "RELIGION", "MARITAL_STATUS",
    "GENDER", "NATIONALITY", "CRIMINAL_RECORD",
)  # fmt: skip
# The structured identifiers held to ">= 99% recall, no false positives on negatives".
STRUCTURED = (
    "ID_NIK", "ID_KK", "ID_NPWP", "ID_NIP", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD",
    "ID_BANK_ACCOUNT", "ID_BPJS", "ID_PASSPORT", "ID_VEHICLE_PLATE",
)  # fmt: skip
TARGET_STRUCTURED_RECALL = 0.99
TARGET_PERSON_RECALL = 0.80
TARGET_PERSON_PRECISION = 0.90
TARGET_MB_S = 1.0

# Presidio's entity names with a counterpart here. DATE_TIME counts only where it matches a date
# of birth; any other date it finds is a false positive when it overlaps no labelled span.
PRESIDIO_MAP = {
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "PERSON": "PERSON",
    "DATE_TIME": "DATE_OF_BIRTH",
}
SAMARAN_MAP = {
    "NIK": "ID_NIK",
    "KK": "ID_KK",
    "NPWP": "ID_NPWP",
    "PASSPORT": "ID_PASSPORT",
    "SIM": "ID_SIM",
    "NIP": "ID_NIP",
    "BPJS": "ID_BPJS",
    "PHONE": "PHONE_NUMBER",
    "EMAIL": "EMAIL_ADDRESS",
    "BANK_ACCOUNT": "ID_BANK_ACCOUNT",
    "CARD": "CREDIT_CARD",
    "PLATE": "ID_VEHICLE_PLATE",
    "IP": "IP_ADDRESS",
    "NAME": "PERSON",
    "ADDRESS": "ADDRESS",
    "BIRTH_DATE": "DATE_OF_BIRTH",
    "GENDER": "GENDER",
    "RELIGION": "RELIGION",
    "MARITAL_STATUS": "MARITAL_STATUS",
    "NATIONALITY": "NATIONALITY",
    "HEALTH": "HEALTH",
    "CRIMINAL_RECORD": "CRIMINAL_RECORD",
}  # unmapped: NISN, AKTA, GEO, FINANCIAL, BIOMETRIC


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled or predicted span; `type` is None for a label with no counterpart here."""

    start: int
    end: int
    type: str | None
    label: str

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    style: str
    language: str
    text: str
    gold: tuple[Span, ...]

    @property
    def negative(self) -> bool:
        return not self.gold


CallFn = Callable[[str, str], Any]
SpansFn = Callable[[Any], list[Span]]


@dataclass
class Detector:
    """A detector under test. `call` is its own analysis call, the one speed is measured on;
    `spans` turns its answer into the benchmark's spans for scoring (not timed)."""

    name: str
    description: str
    call: CallFn
    spans: SpansFn
    info: dict[str, Any] = field(default_factory=dict)

    def detect(self, text: str, language: str) -> list[Span]:
        """The detector's answer for `text` as the benchmark's spans."""
        return self.spans(self.call(text, language))


# ---------------------------------------------------------------------------------------------
# Data


def load_corpus(path: Path = CORPUS) -> list[Message]:
    """The labelled corpus, one Message per JSON line."""
    messages = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            raw = json.loads(line)
            gold = tuple(Span(e["start"], e["end"], e["type"], e["type"]) for e in raw["entities"])
            messages.append(Message(raw["id"], raw["style"], raw["language"], raw["text"], gold))
    return messages


def load_bio(path: Path) -> list[Message]:
    """A token-per-line BIO file as messages: tokens joined by spaces, PERSON spans as gold."""
    messages: list[Message] = []
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if not tokens:
            return
        parts: list[str] = []
        gold: list[Span] = []
        pos = 0
        current: list[int] | None = None
        for token, tag in tokens:
            if parts:
                pos += 1
            start, end = pos, pos + len(token)
            parts.append(token)
            pos = end
            if tag == "B-PERSON" or (tag == "I-PERSON" and current is None):
                if current is not None:
                    gold.append(Span(current[0], current[1], "PERSON", "PERSON"))
                current = [start, end]
            elif tag == "I-PERSON" and current is not None:
                current[1] = end
            elif current is not None:
                gold.append(Span(current[0], current[1], "PERSON", "PERSON"))
                current = None
        if current is not None:
            gold.append(Span(current[0], current[1], "PERSON", "PERSON"))
        text = " ".join(parts)
        messages.append(
            Message(f"nergrit-{len(messages) + 1:03d}", "news", "id", text, tuple(gold))
        )
        tokens.clear()

    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            token, _, tag = line.partition("\t")
            tokens.append((token, tag.strip() or "O"))
    flush()
    return messages


def kilobyte_message(messages: Sequence[Message]) -> str:
    """A realistic ~1 KB message: corpus messages of mixed styles joined until >= 1 KB."""
    stride = 7  # walk the corpus in steps so the message mixes styles
    picked: list[str] = []
    for i in range(len(messages)):
        picked.append(messages[(i * stride) % len(messages)].text)
        text = "\n\n".join(picked)
        if len(text.encode("utf-8")) >= KILOBYTE:
            return text
    return "\n\n".join(picked)


# ---------------------------------------------------------------------------------------------
# Detectors


def gerbang_detector(skip: frozenset[str] = frozenset()) -> Detector:
    """The engine with its default recognizers, less those whose class name is in `skip`."""
    from pii.engine import PiiEngine
    from pii.findings import Finding
    from pii.recognizers import default_recognizers

    recognizers = [r for r in default_recognizers() if type(r).__name__ not in skip]
    engine = PiiEngine(recognizers)

    def spans(findings: list[Finding]) -> list[Span]:
        return [Span(f.start, f.end, f.type, f.type) for f in findings]

    left_out = f", without {', '.join(sorted(skip))}" if skip else ""
    return Detector(
        "gerbang",
        f"Gerbang PiiEngine, default recognizers{left_out} and threshold",
        engine.analyze,
        spans,
        {
            "recognizers": [type(r).__name__ for r in recognizers],
            "skipped": sorted(skip),
            "entity_types": list(engine.entity_types),
        },
    )


def presidio_detector(threshold: float) -> Detector:
    import spacy
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerResult
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from pii.offline import offline_tld_extractor

    # Presidio's email recognizer calls tldextract.extract, which would download the public
    # suffix list; point the module's default extractor at the bundled snapshot instead.
    tldextract.tldextract.TLD_EXTRACTOR = offline_tld_extractor()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """A spaCy NLP engine over `spacy.blank("en")`: tokens only, no model, no download."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    with _presidio_classes_first():
        analyzer = AnalyzerEngine(
            nlp_engine=BlankSpacyNlpEngine(),
            supported_languages=["en"],
            default_score_threshold=threshold,
        )

    def call(text: str, language: str) -> list[RecognizerResult]:
        return analyzer.analyze(text, language="en")

    def spans(results: list[RecognizerResult]) -> list[Span]:
        return [
            Span(r.start, r.end, PRESIDIO_MAP.get(r.entity_type), r.entity_type) for r in results
        ]

    return Detector(
        "presidio",
        f"stock Presidio {_version('presidio-analyzer')}, predefined recognizers, "
        f'blank spaCy "en", language "en", threshold {threshold:g}',
        call,
        spans,
        {
            "version": _version("presidio-analyzer"),
            "threshold": threshold,
            "recognizers": sorted({type(r).__name__ for r in analyzer.registry.recognizers}),
            "mapping": PRESIDIO_MAP,
        },
    )


@contextlib.contextmanager
def _presidio_classes_first() -> Iterator[None]:
    """Let Presidio load its own predefined recognizers.

    Presidio finds a predefined recognizer by class name among all subclasses of
    EntityRecognizer. Once Gerbang's recognizers are imported (by this benchmark or by any module
    that imports the gateway) that search can return Gerbang's `CreditCardRecognizer` or
    `PhoneRecognizer` instead of Presidio's, depending on set order, and the engine fails to build.
    """
    from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
        RecognizerListLoader,
    )

    original = RecognizerListLoader.get_existing_recognizer_cls

    def presidio_own(recognizer_name: str) -> Any:
        for cls in RecognizerListLoader.get_all_existing_recognizers():
            if cls.__name__ == recognizer_name and cls.__module__.startswith("presidio_analyzer"):
                return cls
        return original(recognizer_name)

    RecognizerListLoader.get_existing_recognizer_cls = staticmethod(presidio_own)  # type: ignore[method-assign]
    try:
        yield
    finally:
        RecognizerListLoader.get_existing_recognizer_cls = staticmethod(original)  # type: ignore[method-assign]


def samaran_detector() -> Detector:
    from lokal.samaran import detect_pii

    def call(text: str, language: str) -> Any:
        return detect_pii(text)

    def spans(matches: Any) -> list[Span]:
        return [Span(m.start, m.end, SAMARAN_MAP.get(m.type), m.type) for m in matches]

    return Detector(
        "samaran",
        f"lokal-id {_version('lokal-id')} Samaran detect_pii, default (medium) confidence",
        call,
        spans,
        {"version": _version("lokal-id"), "mapping": SAMARAN_MAP},
    )


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def build_detectors(
    names: Sequence[str], presidio_threshold: float, skip: frozenset[str] = frozenset()
) -> list[Detector]:
    builders: dict[str, Callable[[], Detector]] = {
        "gerbang": lambda: gerbang_detector(skip),
        "presidio": lambda: presidio_detector(presidio_threshold),
        "samaran": samaran_detector,
    }
    detectors = []
    for name in names:
        try:
            detectors.append(builders[name]())
        except ImportError as exc:  # an optional comparison package is not installed
            print(f"skipping {name}: {exc}")
    return detectors


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class TypeScore:
    gold: int = 0
    predicted: int = 0
    gold_exact: int = 0
    gold_overlap: int = 0
    predicted_exact: int = 0
    predicted_overlap: int = 0
    gold_chars: int = 0
    unmasked_chars: int = 0
    on_negatives: int = 0  # predictions of this type on negatives-only messages

    def add(self, other: TypeScore) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Evaluation:
    messages: int = 0
    negatives: int = 0
    by_type: dict[str, TypeScore] = field(default_factory=lambda: defaultdict(TypeScore))
    by_style: dict[str, TypeScore] = field(default_factory=lambda: defaultdict(TypeScore))
    false_positives: int = 0
    false_positives_on_negatives: int = 0
    fp_labels: Counter[str] = field(default_factory=Counter)
    unmapped_predictions: Counter[str] = field(default_factory=Counter)
    # Predictions that hit a labelled span of another type only: "predicted type -> labelled type".
    confusions: Counter[str] = field(default_factory=Counter)
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    fp_examples: list[str] = field(default_factory=list)

    def total(self) -> TypeScore:
        total = TypeScore()
        for score in self.by_type.values():
            total.add(score)
        return total

    def summary(self) -> dict[str, Any]:
        total = self.total()
        return {
            "messages": self.messages,
            "negatives": self.negatives,
            "recall_exact": _ratio(total.gold_exact, total.gold),
            "recall_overlap": _ratio(total.gold_overlap, total.gold),
            "precision_exact": _ratio(total.predicted_exact, total.predicted),
            "precision_overlap": _ratio(total.predicted_overlap, total.predicted),
            "unmasked_share": _ratio(total.unmasked_chars, total.gold_chars),
            "false_positives": self.false_positives,
            "false_positives_on_negatives": self.false_positives_on_negatives,
            "fp_per_100_messages": 100 * self.false_positives / max(1, self.messages),
            "fp_per_100_negatives": (
                100 * self.false_positives_on_negatives / max(1, self.negatives)
            ),
        }

    def to_json(self) -> dict[str, Any]:
        def scores(table: dict[str, TypeScore]) -> dict[str, Any]:
            out = {}
            for key, s in sorted(table.items()):
                out[key] = {
                    **asdict(s),
                    "recall_exact": _ratio(s.gold_exact, s.gold),
                    "recall_overlap": _ratio(s.gold_overlap, s.gold),
                    "precision_exact": _ratio(s.predicted_exact, s.predicted),
                    "precision_overlap": _ratio(s.predicted_overlap, s.predicted),
                    "unmasked_share": _ratio(s.unmasked_chars, s.gold_chars),
                }
            return out

        return {
            "summary": self.summary(),
            "by_type": scores(self.by_type),
            "by_style": scores(self.by_style),
            "false_positive_labels": dict(self.fp_labels.most_common()),
            "unmapped_predictions": dict(self.unmapped_predictions.most_common()),
            "confusions": dict(self.confusions.most_common()),
            "missed_examples": dict(self.misses),
            "false_positive_examples": self.fp_examples,
        }


def _snippet(text: str, span: Span, width: int = 30) -> str:
    before = text[max(0, span.start - width) : span.start].replace("\n", " ")
    after = text[span.end : span.end + width].replace("\n", " ")
    return f"…{before}[{text[span.start : span.end]}]{after}…"


def evaluate(
    messages: Sequence[Message],
    predictions: Sequence[Sequence[Span]],
    *,
    examples: int = 8,
) -> Evaluation:
    """Score predictions (one list per message) against the messages' labelled spans."""
    ev = Evaluation()
    for message, predicted in zip(messages, predictions, strict=True):
        ev.messages += 1
        ev.negatives += message.negative
        covered = bytearray(len(message.text))
        for p in predicted:
            covered[p.start : p.end] = b"\x01" * (p.end - p.start)
        for g in message.gold:
            assert g.type is not None
            score = TypeScore(gold=1, gold_chars=g.end - g.start)
            same_type = [p for p in predicted if p.type == g.type]
            score.gold_exact = any((p.start, p.end) == (g.start, g.end) for p in same_type)
            score.gold_overlap = any(p.overlaps(g) for p in same_type)
            score.unmasked_chars = covered[g.start : g.end].count(0)
            if not score.gold_overlap and len(ev.misses[g.type]) < examples:
                ev.misses[g.type].append(f"{message.id}: {_snippet(message.text, g)}")
            ev.by_type[g.type].add(score)
            ev.by_style[message.style].add(score)
        for p in predicted:
            if p.type is None:
                ev.unmapped_predictions[p.label] += 1
            else:
                gold_same = [g for g in message.gold if g.type == p.type]
                score = TypeScore(
                    predicted=1,
                    predicted_exact=any((g.start, g.end) == (p.start, p.end) for g in gold_same),
                    predicted_overlap=any(g.overlaps(p) for g in gold_same),
                    on_negatives=message.negative,
                )
                ev.by_type[p.type].add(score)
                ev.by_style[message.style].add(score)
            hit = [g for g in message.gold if g.overlaps(p)]
            if p.type is not None and hit and all(g.type != p.type for g in hit):
                ev.confusions[f"{p.type} -> {hit[0].type}"] += 1
            if not hit:
                ev.false_positives += 1
                ev.false_positives_on_negatives += message.negative
                ev.fp_labels[p.label] += 1
                if len(ev.fp_examples) < 4 * examples:
                    ev.fp_examples.append(f"{message.id} {p.label}: {_snippet(message.text, p)}")
    return ev


# ---------------------------------------------------------------------------------------------
# Speed


def throughput(detector: Detector, messages: Sequence[Message], seconds: float) -> dict[str, Any]:
    """MB/s over whole passes of the corpus, repeated for at least `seconds`.

    The headline figure is the median pass (wall time): on a machine shared with other work, a
    burst of it slows a few passes, and the median of many is what the detector does. The mean
    over all passes and the median CPU time per pass are kept too.
    """
    size = sum(len(m.text.encode("utf-8")) for m in messages)
    walls: list[float] = []
    cpus: list[float] = []
    start = time.perf_counter()
    while True:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for m in messages:
            detector.call(m.text, m.language)
        cpus.append(time.process_time() - cpu0)
        walls.append(time.perf_counter() - wall0)
        if time.perf_counter() - start >= seconds and len(walls) >= 3:
            break
    median_wall = statistics.median(walls)
    median_cpu = statistics.median(cpus)
    return {
        "passes": len(walls),
        "bytes": size * len(walls),
        "seconds": sum(walls),
        "cpu_seconds": sum(cpus),
        "pass_seconds": walls,
        "mb_per_s": size / median_wall / 1e6,
        "mb_per_s_mean": size * len(walls) / sum(walls) / 1e6,
        "mb_per_cpu_s": size / median_cpu / 1e6 if median_cpu > 0 else None,
    }


def latency(detector: Detector, text: str, seconds: float) -> dict[str, Any]:
    """p50/p90 latency of analysing `text`, over at least 30 calls and `seconds`."""
    samples: list[float] = []
    start = time.perf_counter()
    while len(samples) < 30 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        detector.call(text, "id")
        samples.append(time.perf_counter() - t0)
    deciles = statistics.quantiles(samples, n=10)
    return {
        "bytes": len(text.encode("utf-8")),
        "calls": len(samples),
        "p50_ms": statistics.median(samples) * 1000,
        "p90_ms": deciles[8] * 1000,
    }


# ---------------------------------------------------------------------------------------------
# Targets and output


def targets(result: dict[str, Any]) -> dict[str, Any]:
    by_type = result["corpus"]["by_type"]
    structured = {}
    for t in STRUCTURED:
        s = by_type.get(t)
        recall = s["recall_exact"] if s else None
        on_negatives = s["on_negatives"] if s else 0
        structured[t] = {
            "recall_exact": recall,
            "on_negatives": on_negatives,
            "met": recall is not None and recall >= TARGET_STRUCTURED_RECALL and on_negatives == 0,
        }
    person = None
    if result.get("nergrit"):
        n = result["nergrit"]["summary"]
        r, p = n["recall_exact"], n["precision_exact"]
        person = {
            "recall_exact": r,
            "precision_exact": p,
            "met": r is not None
            and p is not None
            and r >= TARGET_PERSON_RECALL
            and p >= TARGET_PERSON_PRECISION,
        }
    mb_s = result["throughput"]["mb_per_s"]
    return {
        "structured": structured,
        "structured_met": sum(v["met"] for v in structured.values()),
        "person_nergrit": person,
        "throughput": {"mb_per_s": mb_s, "met": mb_s >= TARGET_MB_S},
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    markdown: bool,
    *,
    numeric: bool = True,
) -> str:
    rows = [list(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |"]
        align = "---:" if numeric else "---"
        lines.append("|" + "|".join("---" if i == 0 else align for i in range(len(headers))) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:{'>' if i and numeric else '<'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), *(fmt.format(*r) for r in rows)])


def render(results: dict[str, Any], markdown: bool = False) -> str:
    detectors = results["detectors"]
    names = list(detectors)
    corpus = results["corpus"]
    out: list[str] = []
    gold_counts = corpus["spans_per_type"]

    def per_type(metric: str, title: str) -> None:
        rows = []
        for t in ENTITY_ORDER:
            row = [t, str(gold_counts.get(t, 0))]
            for name in names:
                s = detectors[name]["corpus"]["by_type"].get(t)
                if s is None:
                    row.append("-")
                elif metric == "recall":
                    row.append(f"{_pct(s['recall_exact'])} / {_pct(s['recall_overlap'])}")
                else:
                    if not s["predicted"]:
                        row.append("- (0)")
                    else:
                        row.append(
                            f"{_pct(s['precision_exact'])} / {_pct(s['precision_overlap'])}"
                            f" ({s['predicted']})"
                        )
            rows.append(row)
        out.append(title)
        out.append(_table(["type", "spans", *names], rows, markdown))
        out.append("")

    per_type("recall", "Recall per type, % (exact / overlap match):")
    per_type("precision", "Precision per type, % (exact / overlap match) (predictions):")

    summary_rows = []
    metrics: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("recall, all types (exact / overlap)", lambda d: "{} / {}".format(
            _pct(d["corpus"]["summary"]["recall_exact"]),
            _pct(d["corpus"]["summary"]["recall_overlap"]))),
        ("precision, mapped types (exact / overlap)", lambda d: "{} / {}".format(
            _pct(d["corpus"]["summary"]["precision_exact"]),
            _pct(d["corpus"]["summary"]["precision_overlap"]))),
        ("personal characters left unmasked", lambda d: _pct(
            d["corpus"]["summary"]["unmasked_share"]) + "%"),
        ("false positives / 100 negative messages", lambda d: "{:.1f}".format(
            d["corpus"]["summary"]["fp_per_100_negatives"])),
        ("false positives / 100 messages (all)", lambda d: "{:.1f}".format(
            d["corpus"]["summary"]["fp_per_100_messages"])),
        ("throughput, MB/s (1 thread, median pass)", lambda d: "{:.3f}".format(
            d["throughput"]["mb_per_s"])),
        ("throughput, MB/s, first pass (words unseen)", lambda d: "{:.3f}".format(
            d["throughput"]["first_pass_mb_per_s"]) if "first_pass_mb_per_s" in d["throughput"]
            else "-"),
        ("latency p50 / p90, ~1 KB message, ms", lambda d: "{:.2f} / {:.2f}".format(
            d["latency"]["p50_ms"], d["latency"]["p90_ms"])),
    ]  # fmt: skip
    if results.get("nergrit_file"):
        metrics.append(
            (
                "NERGrit PERSON recall (exact / overlap)",
                lambda d: "{} / {}".format(
                    _pct(d["nergrit"]["summary"]["recall_exact"]),
                    _pct(d["nergrit"]["summary"]["recall_overlap"]),
                ),
            )
        )
        metrics.append(
            (
                "NERGrit PERSON precision (exact / overlap)",
                lambda d: "{} / {}".format(
                    _pct(d["nergrit"]["summary"]["precision_exact"]),
                    _pct(d["nergrit"]["summary"]["precision_overlap"]),
                ),
            )
        )
    for label, fn in metrics:
        summary_rows.append([label, *(fn(detectors[n]) for n in names)])
    out.append("Summary:")
    out.append(_table(["metric", *names], summary_rows, markdown))
    out.append("")

    target_rows = []
    for t in STRUCTURED:
        row = [t]
        for name in names:
            v = detectors[name]["targets"]["structured"][t]
            mark = "met" if v["met"] else "no"
            row.append(f"{mark} ({_pct(v['recall_exact'])}, {v['on_negatives']})")
        target_rows.append(row)
    row = [f"throughput >= {TARGET_MB_S:g} MB/s"]
    for name in names:
        v = detectors[name]["targets"]["throughput"]
        row.append(f"{'met' if v['met'] else 'no'} ({v['mb_per_s']:.2f})")
    target_rows.append(row)
    if results.get("nergrit_file"):
        row = ["NERGrit PERSON R >= 80% at P >= 90%"]
        for name in names:
            v = detectors[name]["targets"]["person_nergrit"]
            row.append(
                f"{'met' if v['met'] else 'no'} "
                f"(R {_pct(v['recall_exact'])}, P {_pct(v['precision_exact'])})"
            )
        target_rows.append(row)
    out.append(
        "Targets: structured ids need exact recall >= 99% and no prediction of that type on a "
        "negative message (recall %, predictions on negatives):"
    )
    out.append(_table(["target", *names], target_rows, markdown))
    out.append("")

    fp_rows = []
    for name in names:
        labels = detectors[name]["corpus"]["false_positive_labels"]
        top = ", ".join(f"{k} {v}" for k, v in list(labels.items())[:6]) or "none"
        fp_rows.append([name, top])
    out.append("False positives by the detector's own label (most frequent):")
    out.append(_table(["detector", "labels"], fp_rows, markdown, numeric=False))
    return "\n".join(out)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def machine_info() -> dict[str, Any]:
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gerbang": _version("gerbang"),
        "presidio_analyzer": _version("presidio-analyzer"),
        "spacy": _version("spacy"),
        "lokal_id": _version("lokal-id"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        # Uncommitted changes to the code measured: the commit alone does not name it then.
        "git_status": (_git("status", "--porcelain", "--", "pii", "tests/data") or "").splitlines(),
    }


def corpus_stats(messages: Sequence[Message], path: Path) -> dict[str, Any]:
    return {
        "file": str(path),
        "messages": len(messages),
        "negatives": sum(m.negative for m in messages),
        "bytes": sum(len(m.text.encode("utf-8")) for m in messages),
        "messages_per_style": dict(Counter(m.style for m in messages)),
        "messages_per_language": dict(Counter(m.language for m in messages)),
        "spans_per_type": {
            t: n
            for t in ENTITY_ORDER
            if (n := sum(1 for m in messages for g in m.gold if g.type == t))
        },
    }


def run(args: argparse.Namespace) -> int:
    messages = load_corpus(args.corpus)
    nergrit = load_bio(args.nergrit) if args.nergrit.exists() else None
    detectors = build_detectors(args.detectors, args.presidio_threshold, args.skip_recognizers)
    one_kb = kilobyte_message(messages)
    results: dict[str, Any] = {
        "benchmark": "pii",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "options": {
            "seconds": args.seconds,
            "presidio_threshold": args.presidio_threshold,
            "detectors": list(args.detectors),
            "skip_recognizers": sorted(args.skip_recognizers),
        },
        "corpus": corpus_stats(messages, args.corpus),
        "nergrit_file": str(args.nergrit) if nergrit is not None else None,
        "nergrit_stats": None
        if nergrit is None
        else {
            "sentences": len(nergrit),
            "person_spans": sum(len(m.gold) for m in nergrit),
            "bytes": sum(len(m.text.encode("utf-8")) for m in nergrit),
        },
        "rules": {
            "exact": "same type, same start and end",
            "overlap": "same type, at least one shared character",
            "unmasked": "chars in labelled spans covered by no prediction of any type",
            "false_positive": "a prediction of any type overlapping no labelled span",
        },
        "detectors": {},
    }
    print(
        f"corpus: {len(messages)} messages ({results['corpus']['negatives']} negatives-only), "
        f"{results['corpus']['bytes']:,} bytes; 1 KB message: {len(one_kb.encode()):,} bytes"
    )
    if nergrit is None:
        print(f"NERGrit: {args.nergrit} not found, PERSON on news text not measured")
    for detector in detectors:
        print(f"running {detector.name}: {detector.description}", flush=True)
        started = time.perf_counter()
        for m in messages:
            detector.call(m.text, m.language)
        first_pass = time.perf_counter() - started
        predictions = [detector.detect(m.text, m.language) for m in messages]
        entry: dict[str, Any] = {
            "description": detector.description,
            "info": detector.info,
            "corpus": evaluate(messages, predictions, examples=args.examples).to_json(),
        }
        if nergrit is not None:
            person_only = [
                [p for p in detector.detect(m.text, m.language) if p.type == "PERSON"]
                for m in nergrit
            ]
            entry["nergrit"] = evaluate(nergrit, person_only, examples=args.examples).to_json()
        entry["throughput"] = throughput(detector, messages, args.seconds)
        entry["throughput"]["first_pass_mb_per_s"] = results["corpus"]["bytes"] / first_pass / 1e6
        entry["latency"] = latency(detector, one_kb, min(args.seconds, 2.0))
        entry["targets"] = targets(entry)
        results["detectors"][detector.name] = entry
    if "gerbang" in results["detectors"]:
        info = results["detectors"]["gerbang"]["info"]
        print(f"gerbang recognizers at this commit: {', '.join(info['recognizers'])}")
    print()
    print(render(results, markdown=False))
    if args.markdown:
        print()
        print(render(results, markdown=True))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.results_dir / f"pii-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults: {path}")
    return 0


def _detectors(text: str) -> tuple[str, ...]:
    chosen = {part.strip() for part in text.split(",") if part.strip()}
    if unknown := chosen - set(DETECTORS):
        raise argparse.ArgumentTypeError(f"unknown detector(s): {', '.join(sorted(unknown))}")
    if not chosen:
        raise argparse.ArgumentTypeError("no detector given")
    return tuple(name for name in DETECTORS if name in chosen)


def _names(text: str) -> frozenset[str]:
    from pii.recognizers import RECOGNIZER_CLASSES

    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    known = {cls.__name__ for cls in RECOGNIZER_CLASSES}
    if unknown := chosen - known:
        raise argparse.ArgumentTypeError(f"unknown recognizer(s): {', '.join(sorted(unknown))}")
    return chosen


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def add_parser(subparsers: Any) -> None:
    """Register the `pii` subcommand."""
    parser = subparsers.add_parser(
        "pii",
        help="PII detection quality and speed: Gerbang vs stock Presidio vs lokal-id Samaran",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--detectors",
        type=_detectors,
        default=DETECTORS,
        help="comma-separated subset of gerbang,presidio,samaran (default: all three)",
    )
    parser.add_argument(
        "--seconds",
        type=_seconds,
        default=3.0,
        help="minimum seconds of repeated corpus passes for throughput (default 3)",
    )
    parser.add_argument(
        "--skip-recognizers",
        type=_names,
        default=frozenset(),
        metavar="NAMES",
        help="comma-separated Gerbang recognizer classes to leave out (e.g. PersonRecognizer), "
        "to see what one recognizer costs",
    )
    parser.add_argument(
        "--presidio-threshold",
        type=float,
        default=0.0,
        help="Presidio's score threshold (default 0, Presidio's own default)",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--nergrit",
        type=Path,
        default=NERGRIT,
        help="NERGrit BIO file for PERSON on news text (default ../shared/data/nergrit_valid.txt)",
    )
    parser.add_argument(
        "--examples", type=int, default=8, help="missed/false-positive examples kept per type"
    )
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)
