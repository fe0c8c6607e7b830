"""The CRF decoder reads CRFsuite's model file and tags as CRFsuite does."""

from __future__ import annotations

import itertools
import json
import math
import random
import struct
from pathlib import Path

import pycrfsuite
import pytest

from pii.person.crf import CrfModel, CrfModelError
from pii.person.tagger import MODEL_FILE, PersonTagger, core_range, starts_sentence
from pii.person.tokens import Tokens, tokenize
from pii.recognizers.person import shared_tagger

CORPUS = Path(__file__).parents[2] / "data" / "pii_corpus.jsonl"


@pytest.fixture(scope="module")
def crfsuite() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_FILE))
    return tagger


@pytest.fixture(scope="module")
def tagger() -> PersonTagger:
    return shared_tagger()


def _corpus_tokens() -> list[Tokens]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [tokenize(text) for text in texts if text.strip()]


def test_the_model_file_reads_as_crfsuite_reads_it(crfsuite: pycrfsuite.Tagger) -> None:
    model = CrfModel.load(MODEL_FILE)
    info = crfsuite.info()  # CRFsuite's dump: weights printed to six decimals
    assert model.labels == crfsuite.labels()
    read = {
        (attribute, model.labels[label]): weight
        for attribute, weights in model.state.items()
        for label, weight in enumerate(weights)
    }
    dumped = info.state_features
    assert {attribute for attribute, _ in dumped} == set(model.state)
    assert all(abs(read.get(key, 0.0) - dumped.get(key, 0.0)) <= 5e-7 for key in read | dumped)
    for (source, target), weight in info.transitions.items():
        got = model.transitions[model.labels.index(source)][model.labels.index(target)]
        assert abs(got - weight) <= 5e-7


def test_labels_and_probabilities_are_crfsuites_on_every_corpus_text(
    tagger: PersonTagger, crfsuite: pycrfsuite.Tagger
) -> None:
    checked = 0
    for tokens in _corpus_tokens():
        labels, probabilities = tagger.tag(tokens)
        expected = crfsuite.tag(tagger.features.sequence(tokens.words, tokens.bos))
        assert labels == expected
        for t, label in enumerate(labels):
            if label in ("B-PER", "I-PER"):
                want = crfsuite.marginal("B-PER", t) + crfsuite.marginal("I-PER", t)
                assert math.isclose(probabilities[t], want, rel_tol=1e-9, abs_tol=1e-12)
                checked += 1
            else:
                assert probabilities[t] == 0.0
    assert checked > 200  # the corpus holds names: the probabilities were compared


def test_the_windows_the_tagger_tags_get_crfsuites_labels_and_probabilities(
    tagger: PersonTagger, crfsuite: pycrfsuite.Tagger
) -> None:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    windows = 0
    for text in texts:
        for left, right, core_start, core_end in tagger.windows(text):
            tokens = tokenize(text, left, right, at_start=starts_sentence(text, left))
            first, last = core_range(tokens, core_start, core_end)
            labels, probabilities = tagger.tag(tokens, first, last)
            features = tagger.features.sequence(tokens.words, tokens.bos, first, last)
            assert labels == crfsuite.tag(features)
            for t, label in enumerate(labels):
                if label in ("B-PER", "I-PER"):
                    want = crfsuite.marginal("B-PER", t) + crfsuite.marginal("I-PER", t)
                    assert math.isclose(probabilities[t], want, rel_tol=1e-9, abs_tol=1e-12)
            windows += 1
    assert windows > 250


def _brute_force(
    transitions: list[list[float]], scores: list[list[float]]
) -> tuple[list[int], list[list[float]]]:
    """The best path and the marginals by enumerating every labelling (tiny cases only)."""
    count, length = len(transitions), len(scores)
    weights: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(count), repeat=length):
        total = sum(scores[t][label] for t, label in enumerate(path))
        total += sum(transitions[a][b] for a, b in itertools.pairwise(path))
        weights[path] = total
    best = max(weights, key=lambda path: weights[path])
    top = weights[best]
    z = sum(math.exp(w - top) for w in weights.values())
    marginals = [[0.0] * count for _ in range(length)]
    for path, w in weights.items():
        for t, label in enumerate(path):
            marginals[t][label] += math.exp(w - top) / z
    return list(best), marginals


@pytest.mark.parametrize("labels", [3, 4], ids=["general code", "four-label code"])
def test_viterbi_and_marginals_are_exact_on_small_chains(labels: int) -> None:
    rng = random.Random(labels)
    for _ in range(60):
        transitions = [[rng.uniform(-3, 3) for _ in range(labels)] for _ in range(labels)]
        model = CrfModel([f"L{i}" for i in range(labels)], {}, transitions)
        scores = [[rng.uniform(-6, 6) for _ in range(labels)] for _ in range(rng.randint(1, 5))]
        assert model.viterbi([]) == []
        assert model.marginals([]) == []
        best, marginals = _brute_force(transitions, scores)
        assert model.viterbi(scores) == best
        for got, want in zip(model.marginals(scores), marginals, strict=True):
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_the_four_label_code_computes_what_the_general_code_computes() -> None:
    rng = random.Random(7)
    transitions = [[rng.uniform(-3, 3) for _ in range(4)] for _ in range(4)]
    model = CrfModel(["O", "NNP", "B-PER", "I-PER"], {}, transitions)
    for _ in range(200):
        spread = rng.choice((20.0, 900.0))  # ordinary scores, and far beyond exp()'s range
        scores = [
            [rng.uniform(-spread, spread) for _ in range(4)] for _ in range(rng.randint(1, 30))
        ]
        assert model.viterbi(scores) == model._viterbi(scores)
        marginals = model.marginals(scores)
        assert marginals == model._marginals(scores)  # to the bit
        for row in marginals:
            assert all(0.0 <= p <= 1.0 + 1e-12 for p in row)  # a sum may round a few ulp over 1
            assert math.isclose(sum(row), 1.0)


@pytest.mark.parametrize("labels", [3, 4], ids=["general code", "four-label code"])
def test_attribute_weights_add_up_per_label_and_unknown_ones_weigh_nothing(labels: int) -> None:
    state = {"a": [0.5 * (k + 1) for k in range(labels)], "b": [-1.0] * labels}
    model = CrfModel([f"L{i}" for i in range(labels)], state, [[0.0] * labels] * labels)
    assert model.weights(["a", "b", "a", "unknown"]) == [
        2 * 0.5 * (k + 1) - 1.0 for k in range(labels)
    ]
    assert model.weights([]) == [0.0] * labels


def test_marginals_are_probabilities_even_for_extreme_scores() -> None:
    model = CrfModel(["O", "B"], {}, [[0.0, -2.0], [1.0, 0.5]])
    marginals = model.marginals([[900.0, -900.0], [0.0, 800.0], [3.0, 3.0]])
    for row in marginals:
        assert all(0.0 <= p <= 1.0 for p in row)
        assert math.isclose(sum(row), 1.0)
    assert model.viterbi([[900.0, -900.0], [0.0, 800.0], [3.0, 3.0]]) == [0, 1, 0]


def test_a_file_that_is_no_crfsuite_model_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "model.crfsuite"
    bogus.write_bytes(b"not a model at all, but long enough to hold a header of 48 bytes....")
    with pytest.raises(CrfModelError, match=r"model\.crfsuite: not a CRFsuite"):
        CrfModel.load(bogus)


def test_a_damaged_model_file_is_refused_by_name(tmp_path: Path) -> None:
    shipped = MODEL_FILE.read_bytes()
    damaged = tmp_path / "damaged.crfsuite"
    cuts = [*range(0, len(shipped), len(shipped) // 40), len(shipped) - 100, len(shipped) - 1]
    for cut in cuts:  # cut short anywhere, the reference tables at the end included
        damaged.write_bytes(shipped[:cut])
        with pytest.raises(CrfModelError, match=r"damaged\.crfsuite"):
            CrfModel.load(damaged)
    features_at = struct.unpack_from("<I", shipped, 28)[0]
    fewer = bytearray(shipped)
    struct.pack_into("<I", fewer, features_at + 8, 1)  # a feature count that does not add up
    damaged.write_bytes(bytes(fewer))
    with pytest.raises(CrfModelError, match=r"damaged\.crfsuite: damaged feature table"):
        CrfModel.load(damaged)
    for bad in (float("nan"), float("inf"), 1e10):
        weight = bytearray(shipped)
        struct.pack_into("<d", weight, features_at + 12 + 12, bad)  # the first feature's weight
        damaged.write_bytes(bytes(weight))
        with pytest.raises(CrfModelError, match=r"damaged\.crfsuite: weight"):
            CrfModel.load(damaged)


def test_a_crfsuite_model_without_person_labels_is_refused(tmp_path: Path) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.append([["w=budi"], ["w=datang"]], ["NAME", "O"])
    other = tmp_path / "other.crfsuite"
    trainer.train(str(other))
    assert CrfModel.load(other).labels == ["NAME", "O"]
    with pytest.raises(CrfModelError, match=r"other\.crfsuite: no B-PER or I-PER label"):
        PersonTagger(model=other)
