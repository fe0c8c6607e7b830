"""The verified caller, as the rest of the gateway and the policies see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

API_KEY_ISSUER = "urn:gerbang:api-key"
"""The `issuer` of every principal authenticated by an API key."""

AuthMethod = Literal["jwt", "introspection", "api_key"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: identity, roles and scopes from a verified credential, never the credential.

    `roles`, `groups` and `scopes` are sorted and deduplicated; `expires_at` is the token's `exp`
    in epoch seconds (None for API keys).
    """

    issuer: str
    subject: str
    client_id: str | None
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    scopes: tuple[str, ...]
    agency: str | None
    authenticated_by: AuthMethod
    expires_at: float | None

    def policy_input(self) -> dict[str, object]:
        """The `principal` object of the policy input document (version 1)."""
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "client_id": self.client_id,
            "roles": list(self.roles),
            "groups": list(self.groups),
            "scopes": list(self.scopes),
            "agency": self.agency,
            "authenticated_by": self.authenticated_by,
        }
