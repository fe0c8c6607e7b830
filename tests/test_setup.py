"""The build's own requirements (pyproject.toml [build-system]) are the versions the venv runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        if match := re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;#]+).*", line.strip()):
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_the_build_requirements_that_are_pinned_match_constraints() -> None:
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    pinned = _pins(build["requires"])
    locked = _pins((REPO / "constraints.txt").read_text(encoding="utf-8").splitlines())
    assert {"mypy", "presidio-analyzer"} <= pinned.keys()
    assert {name: locked.get(name) for name in pinned} == pinned
