"""EmbeddedEngine: regopy evaluating the policy files; undefined, errors and bad output refuse."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from policies.embedded import EmbeddedEngine
from policies.store import PolicyLoadError, load_policy_files
from tests.policies.table import CASES, CITIZEN


def _policy(tmp_path: Path, source: str, data: str | None = None) -> Path:
    (tmp_path / "policy.rego").write_text("package gerbang\n\n" + source, encoding="utf-8")
    if data is not None:
        (tmp_path / "data.json").write_text(data, encoding="utf-8")
    return tmp_path


async def test_revision_is_the_hash_of_the_files(embedded: EmbeddedEngine) -> None:
    from policies import DEFAULT_BUNDLE

    assert embedded.revision == load_policy_files(DEFAULT_BUNDLE).revision
    assert len(embedded.revision) == 64


async def test_concurrent_decisions_each_get_their_own_answer(embedded: EmbeddedEngine) -> None:
    cases = list(CASES) * 3
    decisions = await asyncio.gather(*(embedded.decide(case.input) for case in cases))
    assert [(d.allow, d.reason) for d in decisions] == [(c.allow, c.reason) for c in cases]


async def test_decide_now_and_decide_agree(embedded: EmbeddedEngine) -> None:
    assert embedded.decide_now(CITIZEN) == await embedded.decide(CITIZEN)


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ('decision := {"allow": true} if input.never == true\n', "undefined"),
        ("decision := 1 if true\n\ndecision := 2 if true\n", "evaluation error"),
        ('decision := {"allow": true, "status": 200}\n', "malformed"),
        ('decision := "allow"\n', "not an object"),
        (
            'decision := {"allow": true, "status": 200, "reason": concat("", ["a", input.q]),'
            ' "masking": {}, "restore": true, "scan_response": true}\n',
            "output that is not JSON",
        ),
    ],
)
async def test_when_policy_gives_no_valid_decision_then_refused(
    tmp_path: Path, source: str, why: str
) -> None:
    engine = EmbeddedEngine(_policy(tmp_path, source))
    try:
        decision = await engine.decide({**CITIZEN, "q": 'x"y'})
    finally:
        await engine.close()
    assert (decision.allow, decision.status, decision.reason) == (False, 403, "policy undefined")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("allow if input.x\n", "no module defines data.gerbang.decision"),
        ("decision := {\n", "policy.rego:3:13: "),
        ("decision if { data.x[input.y[_]] }\n", "policy.rego:3:30: Invalid bracket argument"),
    ],
    ids=["no-decision-rule", "syntax-error", "rejected-construct"],
)
def test_when_policy_cannot_be_compiled_then_load_is_refused_naming_the_place(
    tmp_path: Path, source: str, message: str
) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        EmbeddedEngine(_policy(tmp_path, source))
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)


@pytest.fixture
def opa_built_bundle(opa_binary: str, tmp_path: Path) -> Path:
    """The default bundle as `opa build` packs it (.tar.gz with a .manifest)."""
    from policies import DEFAULT_BUNDLE

    archive = tmp_path / "bundle.tar.gz"
    subprocess.run(
        [opa_binary, "build", "--bundle", str(DEFAULT_BUNDLE), "--output", str(archive)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return archive


async def test_engine_from_an_opa_built_bundle_decides_like_the_directory(
    opa_built_bundle: Path, shared_embedded: EmbeddedEngine
) -> None:
    archive = opa_built_bundle
    engine = EmbeddedEngine(archive)
    try:
        for case in CASES:
            assert (await engine.decide(case.input)) == (await shared_embedded.decide(case.input))
    finally:
        await engine.close()
