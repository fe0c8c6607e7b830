"""Weak labels for nlp-id's proper nouns: people, other proper nouns, and what stays undecided."""

from __future__ import annotations

from pii.person.gazetteer import COMMON, NAME_ID, PLACE, SURNAME_ID, Gazetteer
from pii.person.weak import (
    NOT_PERSON,
    PERSON,
    UNDECIDED,
    WeakLabeller,
    headline_words,
    label_corpus,
)

GAZETTEER = Gazetteer(
    {
        "joko": NAME_ID,
        "widodo": SURNAME_ID,
        "budi": NAME_ID,
        "jakarta": PLACE,
        "jawa": PLACE,
        "barat": PLACE | COMMON,
        "baru": COMMON,
        "menjadi": COMMON,
        "juara": COMMON,
    }
)
PHRASES = {("jakarta",), ("jawa", "barat")}


def tagged(text: str) -> list[tuple[str, str]]:
    """`Presiden/N Joko/N datang` -> tokens with NNP where marked."""
    return [(w.removesuffix("/N"), "NNP" if w.endswith("/N") else "NN") for w in text.split()]


def verdicts(text: str, headline: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    sentence = tagged(text)
    labeller = WeakLabeller(GAZETTEER, PHRASES, headline)
    out = []
    for run in labeller.runs(sentence):
        for segment in labeller.segments(sentence, run):
            name = " ".join(w for w, _ in sentence[segment.start : segment.end])
            out.append((name, segment.verdict))
    return out


def test_when_a_title_chain_comes_before_a_name_then_only_the_name_is_a_person() -> None:
    assert verdicts("arahan Presiden/N Joko/N Widodo/N kepada nya") == [("Joko Widodo", PERSON)]
    assert verdicts("kata Gubernur/N Jawa/N Barat/N Ridwan/N Kamil/N .") == [
        ("Ridwan Kamil", PERSON)
    ]


def test_when_news_grammar_says_person_then_person() -> None:
    assert verdicts("kata Sutarmin/N di sana") == [("Sutarmin", PERSON)]
    assert verdicts("korban Wiryadi/N ( 35 ) ditemukan") == [("Wiryadi", PERSON)]
    assert verdicts("lalu Kusnadi/N mengatakan , ya") == [("Kusnadi", PERSON)]


def test_when_a_run_is_a_place_an_org_or_mixed_with_common_words_then_not_a_person() -> None:
    assert verdicts("tinggal di Jakarta/N sejak lama") == []
    assert verdicts("pergi ke Kalideres/N kemarin") == [("Kalideres", NOT_PERSON)]
    assert verdicts("kantor PT/N Sumber/N Makmur/N buka") == [("Sumber Makmur", NOT_PERSON)]
    assert verdicts("ke Bali/N Baru/N lagi") in ([], [("Bali", NOT_PERSON)])


def test_when_a_run_follows_a_work_or_village_cue_then_not_a_person() -> None:
    assert verdicts("single berjudul Hikari/N Hitotsu/N dirilis") == [
        ("Hikari Hitotsu", NOT_PERSON)
    ]
    assert verdicts("grup musik Zorblax/N dibentuk") == [("Zorblax", NOT_PERSON)]
    assert verdicts("warga desa Wuwur/N menolak") == [("Wuwur", NOT_PERSON)]


def test_when_a_run_is_a_title_case_headline_then_the_name_in_it_stays_undecided() -> None:
    corpus = [tagged("dia menjadi juara"), tagged("ia menjadi ketua"), tagged("kami menjadi satu")]
    corpus = [[(w, "VB" if w == "menjadi" else t) for w, t in s] for s in corpus]
    headline = headline_words(corpus)
    assert "menjadi" in headline
    assert verdicts("Zorblax/N Quux/N Menjadi/N Juara/N") == [("Zorblax Quux", NOT_PERSON)]
    assert verdicts("Zorblax/N Quux/N Menjadi/N Juara/N", headline) == [("Zorblax Quux", UNDECIDED)]


def test_when_a_name_is_written_with_an_inner_capital_then_it_may_be_a_name() -> None:
    assert verdicts("kata DiCaprio/N kemudian") == [("DiCaprio", PERSON)]
    assert verdicts("pakai iPhone/N baru") == []


def test_when_nothing_decides_then_undecided() -> None:
    assert verdicts("lalu Zorblax/N datang") == [("Zorblax", UNDECIDED)]


def test_when_a_corpus_is_labelled_then_votes_decide_words_seen_as_people_elsewhere() -> None:
    corpus = [
        tagged("kata Sutarmin/N di sana"),
        tagged("ujar Sutarmin/N kemudian"),
        tagged("lalu Sutarmin/N datang"),
        tagged("lalu Zorblax/N datang"),
    ]
    result = label_corpus(corpus, WeakLabeller(GAZETTEER, PHRASES))
    assert result.sentences[2][1][:3] == ["O", "B-PER", "O"]
    assert len(result.sentences) == 3
    assert result.dropped == 1
    words, labels, segments = result.pending[0]
    assert (words[1], labels[1], segments) == ("Zorblax", "NNP", [(1, 2)])


def test_when_an_honorific_precedes_a_name_then_it_is_labelled_outside_the_name() -> None:
    corpus = [tagged("kata Pak/N Budi/N kemarin")]
    (sentence,) = label_corpus(corpus, WeakLabeller(GAZETTEER, PHRASES)).sentences
    assert sentence[1] == ["O", "O", "B-PER", "O"]
