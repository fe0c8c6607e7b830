"""The default bundle's decisions, one table (tests/policies/table.py), on the embedded engine."""

from __future__ import annotations

import pytest

from policies.embedded import EmbeddedEngine
from tests.policies.table import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_when_default_bundle_decides_then_decision_matches_table(
    shared_embedded: EmbeddedEngine, case: Case
) -> None:
    decision = await shared_embedded.decide(case.input)
    assert (decision.allow, decision.status, decision.reason) == (
        case.allow,
        case.status,
        case.reason,
    )
    assert decision.restore is case.restore
    assert decision.scan_response is case.scan_response
    assert {k: decision.masking.get(k) for k in case.masking} == case.masking
    assert decision.operator_for("UNLISTED_TYPE") == "placeholder"


def test_table_is_large_enough_and_covers_both_outcomes() -> None:
    assert len(CASES) >= 30
    assert {c.allow for c in CASES} == {True, False}
    assert len({c.name for c in CASES}) == len(CASES)


async def test_when_allowed_then_restore_only_where_the_role_has_the_right(
    shared_embedded: EmbeddedEngine,
) -> None:
    refused = [c for c in CASES if not c.allow]
    for case in refused:
        assert (await shared_embedded.decide(case.input)).restore is False, case.name
