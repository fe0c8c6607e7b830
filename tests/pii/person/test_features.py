"""Token features: shapes, classes, gazetteer and cue flags, neighbours, positions."""

from __future__ import annotations

from pii.person.features import FeatureExtractor, is_derived, word_class, word_shape
from pii.person.gazetteer import COMMON, NAME_ID, PLACE, ROOT, SURNAME_ID, Gazetteer
from pii.person.tokens import tokenize

GAZETTEER = Gazetteer(
    {
        "budi": NAME_ID,
        "santoso": SURNAME_ID,
        "bandung": PLACE,
        "mau": COMMON,
        "adil": ROOT,
        "hubung": ROOT,
    }
)


def test_word_class_and_shape() -> None:
    assert [word_class(w) for w in ("Budi", "budi", "KTP", "iPhone", "2024", "35", ",")] == [
        "W", "w", "A", "m", "y", "d", ",",
    ]  # fmt: skip
    assert word_shape("Budi") == "Xx"
    assert word_shape("A330-900") == "Xd-d"


def test_when_a_word_is_an_affixed_root_then_it_is_derived() -> None:
    assert is_derived("keadilan", GAZETTEER)
    assert is_derived("perhubungan", GAZETTEER)
    assert not is_derived("santoso", GAZETTEER)


def test_when_a_sentence_is_featurized_then_each_token_sees_itself_its_lists_and_neighbours() -> (
    None
):
    tokens = tokenize("Nama saya Budi Santoso dari Bandung")
    features = FeatureExtractor(GAZETTEER).sequence(tokens.words, tokens.bos)
    budi = set(features[2])
    assert {"w=budi", "c=W", "g=nid", "g=nid|W", "-1w=saya", "-2w=nama", "+1g=sid"} <= budi
    assert "cue_window" in budi
    assert "bos" in features[0]
    assert "-2pad" in features[0]
    assert "g=pl" in features[5]


def test_when_a_name_is_followed_by_a_verb_or_preceded_by_a_work_cue_then_features_say_so() -> None:
    tokens = tokenize("Fuhrman dilemparkan , berjudul Hikari")
    features = FeatureExtractor(GAZETTEER).sequence(tokens.words, tokens.bos)
    assert "+1v=di" in features[0]
    assert "-1g=wrk" in features[4]


def test_when_an_unlisted_lowercase_word_follows_a_cue_then_a_conjunction_says_so() -> None:
    for text in ("nama saya sutarjo", "a.n. sutarjo"):
        tokens = tokenize(text)
        features = FeatureExtractor(GAZETTEER).sequence(tokens.words, tokens.bos)
        assert {"cue_window|w", "cue_window|notag|w"} <= set(features[-1]), text


def test_when_a_window_is_featurized_then_it_matches_the_same_tokens_in_the_whole_sentence() -> (
    None
):
    tokens = tokenize("Selamat pagi, saya Budi Santoso dari Bandung mau tanya.")
    extractor = FeatureExtractor(GAZETTEER)
    whole = extractor.sequence(tokens.words, tokens.bos)
    assert extractor.sequence(tokens.words, tokens.bos, 4, 7) == whole[4:7]


def test_when_the_model_knows_few_attributes_then_unknown_ones_are_dropped() -> None:
    tokens = tokenize("saya Budi")
    known = frozenset({"b", "w=budi", "-1w=saya"})
    features = FeatureExtractor(GAZETTEER, known).sequence(tokens.words, tokens.bos)
    positional = {f for f in features[1] if f.startswith("cue_window")}
    assert set(features[1]) <= known | positional | {"after_bos", "+1pad", "+2pad", "-2pad"}
    assert {"b", "w=budi", "-1w=saya"} <= set(features[1])
