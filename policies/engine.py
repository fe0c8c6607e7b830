"""The one interface the gateway sees, whichever engine evaluates the policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from policies.decision import Decision

PACKAGE = "gerbang"
RULE = "decision"
ENTRYPOINT = f"{PACKAGE}/{RULE}"
"""The rule every engine evaluates: data.gerbang.decision."""


@runtime_checkable
class PolicyEngine(Protocol):
    """Decides one exchange from its input document (policies/input.py).

    `decide` returns a Decision; an undefined or malformed result is a refusal, never an
    allow. When the engine cannot answer at all (OPA unreachable, too slow, erroring) it raises
    policies.errors.PolicyUnavailable (the gateway answers 503). `revision` identifies the policy
    files and data decisions come from (a bundle manifest revision, or a SHA-256 hex digest of
    the files), for audit records and cache keys.
    """

    @property
    def revision(self) -> str:
        """The revision of the policy in force."""
        ...

    async def decide(self, input: Mapping[str, object]) -> Decision:
        """The decision for one input document."""
        ...

    async def close(self) -> None:
        """Release connections, threads and interpreters."""
        ...
