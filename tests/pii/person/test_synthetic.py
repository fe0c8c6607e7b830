"""Synthetic sentences: labels follow the slots, and generation is deterministic."""

from __future__ import annotations

import random

from pii.person.synthetic import Generator, generate, to_example

LISTS: dict[str, list[str]] = {
    "given": ["Budi", "Siti", "Agus"],
    "family": ["Santoso", "Aminah"],
    "intl_given": ["John", "Maria"],
    "intl_family": ["Smith", "Rossi"],
    "provinces": ["Jawa Barat"],
    "regencies": ["Bogor"],
    "cities": ["Bandung"],
    "districts": ["Coblong"],
    "streets": ["Jend. Sudirman"],
    "foreign_words": ["ghost", "river"],
    "common_words": ["cinta", "hari"],
    "thing_words": ["hill", "records"],
    "foreign_places": ["Wisconsin"],
}


def generator(seed: int = 1) -> Generator:
    return Generator(random.Random(seed), **LISTS)


def test_when_slots_are_joined_then_names_are_labelled_and_honorifics_and_degrees_are_not() -> None:
    slots = [
        ("Kepada Yth. ", "O"),
        ("Ibu Hj. ", "O"),
        ("Sri Mulyani", "PER"),
        (", S.H.", "O"),
        (" di ", "O"),
        ("Kota Bandung", "NNP"),
    ]
    words, labels = to_example(slots, "as-is")
    pairs = list(zip(words, labels, strict=True))
    # Kepada Yth . Ibu Hj . | Sri Mulyani | , S . H . | di | Kota Bandung
    assert pairs[6:8] == [("Sri", "B-PER"), ("Mulyani", "I-PER")]
    assert all(label == "O" for _, label in pairs[:6])
    assert all(label == "O" for _, label in pairs[8:14])
    assert pairs[-2:] == [("Kota", "NNP"), ("Bandung", "NNP")]


def test_when_lowercased_then_labels_are_kept() -> None:
    words, labels = to_example([("nama saya ", "O"), ("Budi Santoso", "PER")], "lower")
    assert words == ["nama", "saya", "budi", "santoso"]
    assert labels == ["O", "O", "B-PER", "I-PER"]


def test_when_generated_twice_with_one_seed_then_the_same_sentences() -> None:
    assert generate(generator(7), chat=30, news=30) == generate(generator(7), chat=30, news=30)
    examples = generate(generator(7), chat=30, news=30)
    assert any("B-PER" in labels for _, labels in examples)
    assert all(len(words) == len(labels) for words, labels in examples)
