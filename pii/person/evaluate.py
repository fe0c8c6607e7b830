"""PERSON precision, recall and F1 on a BIO file: `python -m pii.person.evaluate [PATH]`.

The file has one `token<TAB>label` a line and blank lines between sentences (NERGrit's format;
labels B-PERSON/I-PERSON). Each sentence is joined with spaces and run through the same path as
the engine (`PersonRecognizer`: candidate windows, tagger, calibrated score, threshold); a
prediction counts only when its span matches a gold span exactly. Without a path the NERGrit dev
set next to the repository (`../shared/data/nergrit_valid.txt`) is used; when the file is missing
the command says so and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pii.person.corpus import bio_spans, read_columns
from pii.recognizers.person import PersonRecognizer, probability_at

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO.parent / "shared" / "data" / "nergrit_valid.txt"
THRESHOLD = 0.5  # the engine's default
CURVE_AT = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)  # engine scores for `--curve`


def _person_label(label: str) -> str:
    for prefix in ("B-", "I-"):
        if label.startswith(prefix) and label[2:] in ("PERSON", "PER"):
            return prefix + "PERSON"
    return "O"


def evaluate_bio(
    path: Path = DEFAULT_PATH,
    *,
    threshold: float = THRESHOLD,
    recognizer: PersonRecognizer | None = None,
    errors: list[str] | None = None,
    scored: list[tuple[float, bool]] | None = None,
) -> dict[str, Any]:
    """Exact-span PERSON precision/recall/F1 of `PersonRecognizer` on a BIO file.

    Returns sentences, gold, predicted, tp, fp, fn, precision, recall, f1, seconds and
    characters (of the joined text). When `errors` is a list, a line per miss and per false
    finding is appended to it; when `scored` is a list, every finding's score and whether it
    is right, whatever the threshold (for `curve`).
    """
    recognizer = recognizer if recognizer is not None else PersonRecognizer()
    sentences = read_columns(path)
    tp = fp = fn = 0
    characters = 0
    seconds = 0.0
    for sentence in sentences:
        words = [w for w, _ in sentence]
        labels = [_person_label(label) for _, label in sentence]
        starts: list[int] = []
        position = 0
        for word in words:
            starts.append(position)
            position += len(word) + 1
        text = " ".join(words)
        characters += len(text)
        gold = {
            (starts[s], starts[e - 1] + len(words[e - 1])) for s, e in bio_spans(labels, "PERSON")
        }
        began = time.perf_counter()
        results = recognizer.analyze(text, ["PERSON"])
        seconds += time.perf_counter() - began
        predicted = {(r.start, r.end) for r in results if r.score >= threshold}
        if scored is not None:
            scored.extend((r.score, (r.start, r.end) in gold) for r in results)
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
        if errors is not None:
            errors.extend(f"miss  {text[s:e]!r}  | {text}" for s, e in sorted(gold - predicted))
            errors.extend(f"false {text[s:e]!r}  | {text}" for s, e in sorted(predicted - gold))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "path": str(path),
        "threshold": threshold,
        "sentences": len(sentences),
        "gold": tp + fn,
        "predicted": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "characters": characters,
        "seconds": round(seconds, 4),
    }


def curve(
    scored: list[tuple[float, bool]], gold: int, thresholds: tuple[float, ...] = CURVE_AT
) -> list[dict[str, float]]:
    """Precision and recall at each score threshold, from `evaluate_bio(scored=...)`."""
    rows: list[dict[str, float]] = []
    for threshold in thresholds:
        tp = sum(1 for score, right in scored if score >= threshold and right)
        fp = sum(1 for score, right in scored if score >= threshold and not right)
        rows.append(
            {
                "threshold": threshold,
                "probability": round(probability_at(threshold), 4),
                "tp": tp,
                "fp": fp,
                "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
                "recall": round(tp / gold, 4) if gold else 0.0,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print PERSON precision/recall/F1 on a BIO file (skip with a message when it is missing)."""
    parser = argparse.ArgumentParser(prog="python -m pii.person.evaluate", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list misses and false findings")
    parser.add_argument("--curve", action="store_true", help="precision/recall by threshold")
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"skipped: {args.path} not found", file=sys.stderr)
        return 0
    errors: list[str] | None = [] if args.errors else None
    scored: list[tuple[float, bool]] = []
    result = evaluate_bio(args.path, threshold=args.threshold, errors=errors, scored=scored)
    for line in errors or []:
        print(line)
    if args.curve:
        print("score  tagger-p  precision  recall  tp  fp")
        for row in curve(scored, result["gold"]):
            print(
                f"{row['threshold']:5.2f}  {row['probability']:8.3f}  {row['precision']:9.3f}  "
                f"{row['recall']:6.3f}  {row['tp']:3.0f}  {row['fp']:3.0f}"
            )
    print(
        f"PERSON on {result['path']} ({result['sentences']} sentences, threshold "
        f"{result['threshold']}): precision {result['precision']:.3f}  recall "
        f"{result['recall']:.3f}  F1 {result['f1']:.3f}  (tp {result['tp']}, fp {result['fp']}, "
        f"fn {result['fn']}; {result['characters'] / max(result['seconds'], 1e-9) / 1e6:.2f} MB/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
