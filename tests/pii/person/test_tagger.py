"""The run-time tagger: candidate windows, mended spans, sentence starts, threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pii.person.tagger import NameSpan, PersonTagger, mend, reduplicated, starts_sentence
from pii.person.tokens import tokenize
from pii.recognizers.person import shared_tagger


@pytest.fixture(scope="module")
def tagger() -> PersonTagger:
    return shared_tagger()


@pytest.mark.parametrize(
    ("text", "runs", "expected"),
    [
        ("Ahmad bin Ali datang", [(0, 1), (2, 3)], [(0, 3)]),
        ("Stephen R . Covey menulis", [(0, 2)], [(0, 4)]),
        ("Grace O ' Neil main", [(0, 2)], [(0, 4)]),
        ("Catherine Zeta - Jones main", [(0, 2), (3, 4)], [(0, 4)]),
        ("Pak Moer - Poppy datang", [(1, 2), (3, 4)], [(1, 2), (3, 4)]),
        ("Harold Belafonte , Jr . lahir", [(0, 2), (3, 4)], [(0, 5)]),
        ("Sir Andrew Aguecheek main", [(1, 3)], [(0, 3)]),
        ("Ma'ruf Amin hadir", [(0, 1), (3, 4)], [(0, 4)]),
        ("Ma'ruf hadir", [(0, 1)], [(0, 3)]),
    ],
)
def test_when_the_tagger_cuts_a_name_short_then_mend_joins_it(
    text: str, runs: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    tokens = tokenize(text)
    assert mend(tokens, 0, len(tokens), runs) == expected


def test_when_a_sure_name_stands_elsewhere_then_it_is_reported_there_too(
    tagger: PersonTagger,
) -> None:
    text = "Saya Wirasena. Wirasena datang; kata Ayu Wirasena, di Kota Wirasena. Oke Wirasenaku"
    sure, unsure = NameSpan(5, 13, 0.95), NameSpan(15, 23, 0.6)
    found = [
        (text[s.start : s.end], s.probability) for s in tagger.consistent(text, [sure, unsure], 0.9)
    ]
    # The unsure place of the same name is raised; a capitalised name word next to it is taken
    # in; a cue word ("Kota") and a word that merely starts with the name are not.
    assert found == [
        ("Wirasena", 0.95),
        ("Wirasena", 0.95),
        ("Ayu Wirasena", 0.95),
        ("Wirasena", 0.95),
    ]
    assert tagger.consistent(text, [NameSpan(5, 13, 0.5)], 0.9) == [NameSpan(5, 13, 0.5)]


def test_a_reduplicated_word_is_never_a_name() -> None:
    words = tokenize("lakon Mega - Mega dan Kupu-Kupu karya Zeta - Jones").words
    assert reduplicated(words, 1, 2)  # "Mega" before "- Mega"
    assert reduplicated(words, 3, 4)  # ... and after "Mega -"
    assert reduplicated(words, 1, 4)
    assert reduplicated(words, 5, 6)  # "Kupu-Kupu" is one token
    assert not reduplicated(words, 7, 10)  # "Zeta - Jones"


def test_starts_sentence_looks_back_over_spaces_quotes_and_abbreviations() -> None:
    text = 'Ya. "Budi datang" kata dr. Rina\nSiti'
    assert starts_sentence(text, 0)
    assert starts_sentence(text, text.index("Budi"))
    assert not starts_sentence(text, text.index("kata"))
    assert not starts_sentence(text, text.index("Rina"))
    assert starts_sentence(text, text.index("Siti"))


def test_when_a_chat_message_has_few_candidates_then_only_small_windows_are_tagged(
    tagger: PersonTagger,
) -> None:
    text = (
        "Selamat pagi min, mau tanya KTP saya belum jadi sejak Maret. Saya sudah ke "
        "Disdukcapil Kota Bandung dua kali. Mohon infonya, terima kasih. Salam, Budi Santoso"
    )
    windows = tagger.windows(text)
    assert len(windows) == 1
    left, right, core_start, core_end = windows[0]
    assert text[core_start:core_end] == "Budi Santoso"
    assert right - left < 40


def test_when_text_has_no_candidates_then_nothing_is_tagged(tagger: PersonTagger) -> None:
    assert tagger.windows("saya mau tanya soal ktp yang hilang, mohon dibantu ya min") == []
    assert tagger.find("") == []


def test_when_threads_share_the_tagger_then_each_gets_the_right_answer(
    tagger: PersonTagger,
) -> None:
    texts = [f"Nama saya {n}, mau tanya." for n in ("Budi Santoso", "Siti Aminah", "Ahmad Fauzi")]
    expected = [[t[s.start : s.end] for s in tagger.find(t)] for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: [t[s.start : s.end] for s in tagger.find(t)], texts * 40))
    assert results == expected * 40
