"""The engine's hot path runs compiled by mypyc (setup.py): never from a stale build, and with
exactly the findings of its Python sources."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import pii
from pii.engine import PiiEngine

PII_ROOT = Path(pii.__file__).parent
CORPUS = Path(__file__).resolve().parents[1] / "data" / "pii_corpus.jsonl"
REBUILD = "pip install -c constraints.txt --no-build-isolation -e . (what make install runs)"
HOT_PATH = (
    "pii.engine",
    "pii.recognizers.base",
    "pii.recognizers.phone",
    "pii.person.tagger",
    "pii.person.crf",
    "pii.person.features",
    "pii.person.tokens",
)

# Run in a fresh interpreter that imports every module from its Python source where both a
# source and a compiled module exist (third-party extension modules still load).
_INTERPRETED_FINDINGS = """
import json, sys
from importlib.machinery import (EXTENSION_SUFFIXES, SOURCE_SUFFIXES, ExtensionFileLoader,
                                 FileFinder, SourceFileLoader)
sys.path_hooks.insert(0, FileFinder.path_hook((SourceFileLoader, SOURCE_SUFFIXES),
                                              (ExtensionFileLoader, EXTENSION_SUFFIXES)))
sys.path_importer_cache.clear()
import pii.engine, pii.person.tagger
assert pii.engine.__file__.endswith(".py") and pii.person.tagger.__file__.endswith(".py")
engine = pii.engine.PiiEngine()
for line in sys.stdin:
    findings = engine.analyze(json.loads(line))
    print(json.dumps([[f.type, f.start, f.end, f.score] for f in findings]))
"""


def _compiled(module: str) -> bool:
    return str(importlib.import_module(module).__file__).endswith(tuple(EXTENSION_SUFFIXES))


def test_the_engines_hot_path_is_compiled() -> None:
    if os.environ.get("GERBANG_COMPILE") == "0":
        pytest.skip("GERBANG_COMPILE=0: THE ENGINE RUNS INTERPRETED, about a fifth slower")
    interpreted = [module for module in HOT_PATH if not _compiled(module)]
    assert not interpreted, f"not compiled: {interpreted}; run `{REBUILD}`"


def test_no_compiled_module_is_older_than_its_source() -> None:
    # Each module's extension is a shim into one library that holds the code of them all.
    library = importlib.util.find_spec("gerbang_engine__mypyc")
    library_built = Path(library.origin).stat().st_mtime if library and library.origin else 0.0
    stale = []
    for shim in PII_ROOT.rglob("*.so"):
        source = shim.with_name(shim.name.split(".", 1)[0] + ".py")
        built = max(shim.stat().st_mtime, library_built)
        if source.exists() and source.stat().st_mtime > built:
            stale.append(str(source.relative_to(PII_ROOT.parent)))
    assert not stale, f"changed since compiled: {stale}; run `{REBUILD}`"


def test_the_compiled_engine_finds_exactly_what_its_sources_find(engine: PiiEngine) -> None:
    if not _compiled("pii.engine"):
        pytest.skip("the engine is not compiled here: nothing to compare")
    corpus = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts = corpus + _token_soup(corpus, 300)
    compiled = [[[f.type, f.start, f.end, f.score] for f in engine.analyze(t)] for t in texts]
    interpreted = subprocess.run(
        [sys.executable, "-c", _INTERPRETED_FINDINGS],
        input="".join(json.dumps(text) + "\n" for text in texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=PII_ROOT.parent,
        timeout=300,
    ).stdout.splitlines()
    assert len(interpreted) == len(texts)
    differing = [
        i for i, line in enumerate(interpreted) if json.loads(line) != compiled[i]
    ]  # indices only: the texts hold (synthetic) personal data
    assert not differing, f"findings differ on texts {differing[:20]} (corpus, then soup)"


def _token_soup(corpus: list[str], count: int) -> list[str]:
    """`count` texts of corpus pieces (words, numbers, punctuation) in random order, mixed case:
    the same parts met in orders and neighbourhoods the corpus does not have."""
    pieces = [piece for text in corpus for piece in re.findall(r"\S+\s*", text)]
    rng = random.Random(20261128)
    soups = []
    for _ in range(count):
        chosen = rng.sample(pieces, rng.randint(3, 40))
        soups.append("".join(p.upper() if rng.random() < 0.1 else p for p in chosen))
    return soups
