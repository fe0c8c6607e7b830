"""Reading token-per-line corpora: nlp-id's POS file and BIO-labelled NER files."""

from __future__ import annotations

from pathlib import Path

Sentence = list[tuple[str, str]]


def read_columns(path: Path) -> list[Sentence]:
    """Sentences of `token<TAB>label` lines separated by blank lines; malformed lines skipped."""
    sentences: list[Sentence] = []
    current: Sentence = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0]:
                continue
            current.append((parts[0], parts[1].strip()))
    if current:
        sentences.append(current)
    return sentences


def nlp_id_postag_path() -> Path:
    """Where the installed nlp-id package keeps its POS-tagged news corpus (training extra)."""
    import nlp_id

    return Path(nlp_id.__file__).resolve().parent / "data" / "dataset_postag.txt"


def bio_spans(labels: list[str], entity: str) -> list[tuple[int, int]]:
    """Token spans `[start, end)` of `entity` in BIO labels (an `I-` without `B-` starts one)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, label in enumerate([*labels, "O"]):
        inside = label == f"I-{entity}" and start is not None
        if start is not None and not inside:
            spans.append((start, i))
            start = None
        if label in (f"B-{entity}", f"I-{entity}") and start is None:
            start = i
    return spans
