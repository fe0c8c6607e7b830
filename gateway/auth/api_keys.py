"""API keys for service accounts: only their SHA-256 is configured, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from gateway.auth.claims import string_set
from gateway.auth.config import ApiKeyConfig
from gateway.auth.principal import API_KEY_ISSUER, Principal
from gateway.auth.refusal import invalid_token


class ApiKeyVerifier:
    """Matches a presented key against the configured digests."""

    def __init__(self, keys: Sequence[ApiKeyConfig]) -> None:
        self._keys = tuple((bytes.fromhex(k.sha256), k) for k in keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def verify(self, presented: str) -> Principal:
        """The service account's principal; raises Unauthenticated for an unknown key.

        Every configured digest is compared (no early exit), each in constant time.
        """
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        match: ApiKeyConfig | None = None
        for stored, config in self._keys:
            if hmac.compare_digest(digest, stored) and match is None:
                match = config
        if match is None:
            raise invalid_token("the API key is not recognised")
        return Principal(
            issuer=API_KEY_ISSUER,
            subject=match.name,
            client_id=match.name,
            roles=string_set(match.roles),
            groups=string_set(match.groups),
            scopes=string_set(match.scopes),
            agency=match.agency,
            authenticated_by="api_key",
            expires_at=None,
        )
