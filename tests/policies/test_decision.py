"""`policies.decision`: the decision document parsed strictly; anything malformed refuses."""

from __future__ import annotations

import logging

import pytest

from policies.decision import (
    Decision,
    DecisionError,
    decode_decision,
    parse_decision,
    parse_decision_json,
)

GOOD = {
    "allow": True,
    "status": 200,
    "reason": "allowed",
    "masking": {"ID_NIK": "placeholder", "HEALTH": "redact", "*": "hash"},
    "restore": True,
    "scan_response": False,
}


def test_when_decision_is_well_formed_then_every_field_is_kept() -> None:
    decision = parse_decision(GOOD)
    assert decision == Decision(True, 200, "allowed", decision.masking, True, False)
    assert dict(decision.masking) == GOOD["masking"]
    assert decision.to_json() == GOOD


def test_operator_for_falls_back_to_star_then_placeholder() -> None:
    decision = parse_decision(GOOD)
    assert decision.operator_for("HEALTH") == "redact"
    assert decision.operator_for("PHONE_NUMBER") == "hash"
    assert parse_decision({**GOOD, "masking": {}}).operator_for("PHONE_NUMBER") == "placeholder"


def test_masking_cannot_be_changed_after_parsing() -> None:
    decision = parse_decision(GOOD)
    with pytest.raises(TypeError):
        decision.masking["ID_NIK"] = "keep"  # type: ignore[index]


def test_refusal_with_other_status_is_kept() -> None:
    decision = parse_decision({**GOOD, "allow": False, "status": 451, "reason": "no"})
    assert (decision.allow, decision.status, decision.reason) == (False, 451, "no")


MALFORMED = [
    (None, "must be a JSON object"),
    ([GOOD], "must be a JSON object"),
    ("allow", "must be a JSON object"),
    ({k: v for k, v in GOOD.items() if k != "restore"}, "missing key(s): restore"),
    ({**GOOD, "obligations": []}, "unknown key(s): obligations"),
    ({**GOOD, "allow": "true"}, "allow: must be true or false"),
    ({**GOOD, "allow": 1}, "allow: must be true or false"),
    ({**GOOD, "status": "200"}, "status: must be an integer"),
    ({**GOOD, "status": 200.0}, "status: must be an integer"),
    ({**GOOD, "status": True}, "status: must be an integer"),
    ({**GOOD, "status": 99}, "status: must be an integer"),
    ({**GOOD, "status": 403}, "an allowing decision needs a 2xx status"),
    ({**GOOD, "allow": False, "status": 200}, "a refusing decision needs a 4xx or 5xx"),
    ({**GOOD, "reason": ""}, "reason: must be a non-empty string"),
    ({**GOOD, "reason": None}, "reason: must be a non-empty string"),
    ({**GOOD, "reason": "x" * 2000}, "reason: must be a non-empty string"),
    ({**GOOD, "masking": ["ID_NIK"]}, "masking: must be an object"),
    ({**GOOD, "masking": {"id_nik": "redact"}}, "keys must be entity types"),
    ({**GOOD, "masking": {"ID_NIK": "reveal"}}, "masking.ID_NIK: unknown operator"),
    ({**GOOD, "masking": {"ID_NIK": ["redact"]}}, "masking.ID_NIK: unknown operator"),
    ({**GOOD, "restore": "no"}, "restore: must be true or false"),
    ({**GOOD, "scan_response": None}, "scan_response: must be true or false"),
]


@pytest.mark.parametrize(("value", "problem"), MALFORMED, ids=[p for _, p in MALFORMED])
def test_when_decision_is_malformed_then_refused_403_policy_undefined(
    value: object, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(DecisionError) as caught:
        decode_decision(value)
    assert problem in str(caught.value)
    with caplog.at_level(logging.WARNING, logger="policies.decision"):
        decision = parse_decision(value)
    assert decision == Decision.deny()
    assert (decision.allow, decision.status, decision.reason) == (False, 403, "policy undefined")
    assert decision.restore is False
    assert decision.scan_response is True
    assert decision.operator_for("ANY_TYPE") == "redact"
    assert problem in caplog.text


@pytest.mark.parametrize("text", ["", "not json", "{", b"\xff\xfe", "null", '{"allow": true}'])
def test_when_decision_text_is_not_a_decision_then_refused(text: str | bytes) -> None:
    assert parse_decision_json(text) == Decision.deny()


def test_well_formed_json_text_is_parsed() -> None:
    import json

    assert parse_decision_json(json.dumps(GOOD)).allow is True
