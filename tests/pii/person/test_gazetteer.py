"""The gazetteer: compact, reproducible, and the shipped one knows names and places apart."""

from __future__ import annotations

from pathlib import Path

from pii.person.gazetteer import (
    ANY_NAME,
    COMMON,
    GAZETTEER_FILE,
    NAME_ID,
    PLACE,
    Gazetteer,
)


def test_when_saved_twice_then_the_bytes_are_identical_and_load_round_trips(tmp_path: Path) -> None:
    gazetteer = Gazetteer({"budi": NAME_ID, "bandung": PLACE, "mau": COMMON})
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    gazetteer.save(a)
    gazetteer.save(b)
    assert a.read_bytes() == b.read_bytes()
    loaded = Gazetteer.load(a)
    assert loaded.flags("Budi") == NAME_ID
    assert loaded.flags("unknown") == 0


def test_the_shipped_gazetteer_is_small_and_tells_names_from_places() -> None:
    assert GAZETTEER_FILE.stat().st_size < 1_000_000
    gazetteer = Gazetteer.load()
    assert gazetteer.flags("budi") & ANY_NAME
    assert gazetteer.flags("siti") & ANY_NAME
    assert gazetteer.flags("bandung") & PLACE
    assert not gazetteer.flags("bandung") & ANY_NAME
    assert gazetteer.flags("tanya") & COMMON
