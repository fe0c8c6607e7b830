"""Training, in miniature: a few synthetic sentences make a model the tagger loads; twice the
same bytes (the full retraining takes minutes and is not run here)."""

from __future__ import annotations

import random
from pathlib import Path

from pii.person.features import FeatureExtractor
from pii.person.gazetteer import COMMON, NAME_ID, PLACE, SURNAME_ID, Gazetteer
from pii.person.synthetic import Generator, generate
from pii.person.tagger import PersonTagger
from pii.person.train import bos_of, learned_names, split_multiword, train
from tests.pii.person.test_synthetic import LISTS

GAZETTEER = Gazetteer(
    {
        **{n.lower(): NAME_ID for n in LISTS["given"]},
        **{n.lower(): SURNAME_ID for n in LISTS["family"]},
        "bandung": PLACE,
        "mau": COMMON,
        "tanya": COMMON,
    }
)


def tiny_model(directory: Path) -> Path:
    examples = generate(Generator(random.Random(3), **LISTS), chat=120, news=40)
    extractor = FeatureExtractor(GAZETTEER)
    model = directory / "model.crfsuite"
    train(((w, y, extractor) for w, y in examples), model, c1=0.05, c2=0.01, iterations=30)
    GAZETTEER.save(directory / "gazetteer.tsv.gz")
    return model


def test_when_a_tiny_model_is_trained_then_the_tagger_loads_it_and_finds_a_cued_name(
    tmp_path: Path,
) -> None:
    model = tiny_model(tmp_path)
    tagger = PersonTagger(model, tmp_path / "gazetteer.tsv.gz")
    text = "Selamat pagi, nama saya Budi Santoso dari Bandung."
    spans = [text[s.start : s.end] for s in tagger.find(text)]
    assert spans == ["Budi Santoso"]


def test_when_trained_twice_on_the_same_data_then_the_model_files_are_identical(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert tiny_model(tmp_path / "a").read_bytes() == tiny_model(tmp_path / "b").read_bytes()


def test_helpers_split_multiword_tokens_learn_names_and_mark_sentence_starts() -> None:
    assert split_multiword([[("Ibu Kota", "NNP"), ("baru", "JJ")]]) == [
        [("Ibu", "NNP"), ("Kota", "NNP"), ("baru", "JJ")]
    ]
    sentences = [
        (["kata", "Sutarmin", "."], ["O", "B-PER", "O"]),
        (["ujar", "Sutarmin", "."], ["O", "B-PER", "O"]),
        (["di", "Bandung", "."], ["O", "NNP", "O"]),
    ]
    assert learned_names(sentences, GAZETTEER) == {"sutarmin"}
    assert bos_of(["Saya", "datang", ".", "Lalu", "pulang"]) == [True, False, False, True, False]
