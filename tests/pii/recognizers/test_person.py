"""PersonRecognizer: chat cues found with exact spans, places and offices left alone, scores,
the engine, arbitrary input, and a model that loads without the network."""

from __future__ import annotations

import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii.engine import PiiEngine
from pii.person.gazetteer import GAZETTEER_FILE
from pii.person.tagger import MODEL_FILE, PersonTagger
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.person import PersonRecognizer, calibrated
from tests.pii.person.chat_cases import FOUND, NOT_FOUND


@pytest.fixture(scope="module")
def recognizer() -> PersonRecognizer:
    return PersonRecognizer()


@pytest.fixture(scope="module")
def engine(recognizer: PersonRecognizer) -> PiiEngine:
    return PiiEngine([NikRecognizer(), recognizer])


def names(engine: PiiEngine, text: str) -> tuple[str, ...]:
    return tuple(f.value_in(text) for f in engine.analyze(text) if f.type == "PERSON")


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[t[:40] for t, _ in FOUND])
def test_when_a_chat_message_names_someone_then_exactly_that_name_is_found(
    engine: PiiEngine, text: str, expected: tuple[str, ...]
) -> None:
    assert names(engine, text) == expected


@pytest.mark.parametrize("text", NOT_FOUND, ids=[t[:40] for t in NOT_FOUND])
def test_when_a_message_names_places_offices_months_or_titles_only_then_no_person(
    engine: PiiEngine, text: str
) -> None:
    assert names(engine, text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Kota Bandung",
        "Jawa Barat",
        "Disdukcapil",
        "Kementerian Dalam Negeri",
        "PT Telkom",
        "Januari",
        "Senin",
        "Selamat",
        "Mohon",
    ],
)
def test_when_a_place_or_office_stands_alone_then_no_person(engine: PiiEngine, text: str) -> None:
    assert names(engine, text) == ()


def test_when_found_then_the_finding_has_offsets_a_calibrated_score_and_category(
    engine: PiiEngine,
) -> None:
    text = "Nama: Ahmad Fauzi, NIK 3273012505900001"
    person, nik = engine.analyze(text)
    assert (person.type, person.value_in(text), person.recognizer) == (
        "PERSON",
        "Ahmad Fauzi",
        "PersonRecognizer",
    )
    assert 0.5 <= person.score <= 1.0
    assert person.category == "umum"
    assert nik.type == "ID_NIK"


def test_when_a_reported_name_stands_elsewhere_then_every_place_is_reported(
    engine: PiiEngine,
) -> None:
    text = "Nama saya Wirasena Adikusumo. Kemarin Wirasena Adikusumo datang lagi ke kantor."
    assert names(engine, text) == ("Wirasena Adikusumo", "Wirasena Adikusumo")


def test_calibration_maps_the_report_probability_to_the_engine_threshold() -> None:
    from pii.recognizers.person import REPORT_AT

    assert calibrated(REPORT_AT) == pytest.approx(0.5)
    assert calibrated(1.0) == pytest.approx(1.0)
    assert calibrated(0.0) == 0.0
    assert calibrated(REPORT_AT - 0.01) < 0.5


def test_the_recognizer_follows_the_protocol(recognizer: PersonRecognizer) -> None:
    assert recognizer.ENTITY == "PERSON"
    assert recognizer.CONTEXT_REQUIRED is False
    assert recognizer.name == "PersonRecognizer"
    assert recognizer.may_match("nama saya budi")
    assert not recognizer.may_match("0812 3456 7890 !!!")
    assert recognizer.context_distance("saya Budi", 5, 9) is None
    assert recognizer.analyze("saya Budi Santoso", ["ID_NIK"]) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_when_input_is_arbitrary_unicode_then_the_engine_never_raises(text: str) -> None:
    engine = PiiEngine([PersonRecognizer()])
    for finding in engine.analyze(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert 0.5 <= finding.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Nama", ":", "saya", "Budi", "bin", "Pak", ".", "a.n.", "S.H.", ",", "\n", "Jr", "-",
             "'", "O", "R", "Kota", "BANDUNG", "ahmad", "Ibu", "Hj.", "(", ")", "II", "van"]
        ),
        max_size=40,
    )
)  # fmt: skip
def test_when_cue_words_and_punctuation_pile_up_then_spans_stay_inside_the_text(
    words: list[str],
) -> None:
    text = " ".join(words)
    for result in PersonRecognizer().analyze(text, ["PERSON"]):
        assert 0 <= result.start < result.end <= len(text)
        assert text[result.start : result.end].strip() == text[result.start : result.end]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_the_model_loads_and_tags_without_the_network() -> None:
    tagger = PersonTagger()
    text = "nama saya budi santoso"
    assert [text[s.start : s.end] for s in tagger.find(text)] == ["budi santoso"]


def test_the_shipped_model_is_commit_sized_and_described() -> None:
    assert MODEL_FILE.stat().st_size < 5_000_000
    assert GAZETTEER_FILE.stat().st_size < 1_000_000
    meta = json.loads(MODEL_FILE.with_name("model.json").read_text(encoding="utf-8"))
    assert {"feature_set_version", "trained", "sources", "params", "data"} <= set(meta)
    assert all({"name", "package", "version", "licence"} <= set(s) for s in meta["sources"])
