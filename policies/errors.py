"""Errors of the policy layer; the gateway answers them with 503 policy_unavailable."""

from __future__ import annotations


class PolicyUnavailable(Exception):
    """The policy engine cannot decide now (OPA unreachable, too slow, erroring): refuse."""

    code = "policy_unavailable"
