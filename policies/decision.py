"""The decision document a policy returns (rule `data.gerbang.decision`), parsed strictly.

    {"allow": false, "status": 403, "reason": "...",
     "masking": {"ID_NIK": "placeholder", "HEALTH": "redact", "*": "placeholder"},
     "restore": false, "scan_response": true}

Anything else - a missing or extra key, a wrong type, an unknown masking operator, a status that
contradicts `allow`, non-JSON, an undefined rule - becomes a refusal (403, "policy undefined").
A malformed decision never allows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

log = logging.getLogger(__name__)

OPERATORS = frozenset({"redact", "mask", "hash", "placeholder", "encrypt", "keep"})
"""The masking operators a decision may name (the operators of the `pii` package)."""

FALLBACK = "*"
"""The masking key that applies to every type without its own entry."""

DEFAULT_OPERATOR = "placeholder"
"""The operator for types the decision names neither directly nor through "*"."""

UNDEFINED_REASON = "policy undefined"
MAX_REASON_CHARS = 1024

_KEYS = frozenset({"allow", "status", "reason", "masking", "restore", "scan_response"})
_ENTITY_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


class DecisionError(ValueError):
    """A decision document that does not have the agreed shape (the message names the key)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What the gateway does with one exchange."""

    allow: bool
    status: int
    reason: str
    masking: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    restore: bool = False
    scan_response: bool = True
    revision: str | None = field(default=None, compare=False)
    """The policy revision that decided, when the engine reports it with the answer (an OPA
    server's bundle revision); not part of the document the policy writes."""

    @classmethod
    def deny(cls, reason: str = UNDEFINED_REASON, status: int = 403) -> Decision:
        """A refusal that masks everything it would see, restores nothing and scans responses."""
        return cls(
            allow=False,
            status=status,
            reason=reason,
            masking=MappingProxyType({FALLBACK: "redact"}),
            restore=False,
            scan_response=True,
        )

    def operator_for(self, entity_type: str) -> str:
        """The masking operator for one entity type: its own entry, else "*", else placeholder."""
        return self.masking.get(entity_type) or self.masking.get(FALLBACK) or DEFAULT_OPERATOR

    def to_json(self) -> dict[str, object]:
        """The decision as the policy wrote it (keys in the documented order)."""
        return {
            "allow": self.allow,
            "status": self.status,
            "reason": self.reason,
            "masking": dict(self.masking),
            "restore": self.restore,
            "scan_response": self.scan_response,
        }


def decode_decision(value: object) -> Decision:
    """Parse a decision document; raises DecisionError naming the first problem."""
    if not isinstance(value, Mapping):
        raise DecisionError(f"the decision must be a JSON object, not {_kind(value)}")
    missing = sorted(_KEYS - value.keys())
    if missing:
        raise DecisionError(f"missing key(s): {', '.join(missing)}")
    extra = sorted(str(key) for key in value.keys() - _KEYS)
    if extra:
        raise DecisionError(f"unknown key(s): {', '.join(extra)}")
    allow = _boolean(value, "allow")
    status = value["status"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise DecisionError("status: must be an integer HTTP status (100-599)")
    if allow and not 200 <= status <= 299:
        raise DecisionError("status: an allowing decision needs a 2xx status")
    if not allow and status < 400:
        raise DecisionError("status: a refusing decision needs a 4xx or 5xx status")
    reason = value["reason"]
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_CHARS:
        raise DecisionError(f"reason: must be a non-empty string of at most {MAX_REASON_CHARS}")
    return Decision(
        allow=allow,
        status=status,
        reason=reason,
        masking=_masking(value["masking"]),
        restore=_boolean(value, "restore"),
        scan_response=_boolean(value, "scan_response"),
    )


def parse_decision(value: object, *, source: str = "policy") -> Decision:
    """Parse a decision document; anything malformed becomes `Decision.deny()` (logged)."""
    try:
        return decode_decision(value)
    except DecisionError as exc:
        log.warning("malformed decision from %s: %s; refusing", source, exc)
        return Decision.deny()


def parse_decision_json(text: str | bytes, *, source: str = "policy") -> Decision:
    """Parse a decision from JSON text; non-JSON becomes `Decision.deny()` (logged)."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        log.warning("decision from %s is not JSON; refusing", source)
        return Decision.deny()
    return parse_decision(value, source=source)


def _boolean(value: Mapping[str, object], key: str) -> bool:
    item = value[key]
    if not isinstance(item, bool):
        raise DecisionError(f"{key}: must be true or false")
    return item


def _masking(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise DecisionError("masking: must be an object of entity type -> operator")
    masking: dict[str, str] = {}
    for key, operator in value.items():
        if not isinstance(key, str) or not (key == FALLBACK or _ENTITY_TYPE.match(key)):
            raise DecisionError('masking: keys must be entity types such as ID_NIK, or "*"')
        if not isinstance(operator, str) or operator not in OPERATORS:
            raise DecisionError(
                f"masking.{key}: unknown operator (one of {', '.join(sorted(OPERATORS))})"
            )
        masking[key] = operator
    return MappingProxyType(masking)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    kinds = {
        bool: "a boolean",
        str: "a string",
        list: "an array",
        int: "a number",
        float: "a number",
    }
    return kinds.get(type(value), type(value).__name__)
