"""The refusals of authentication, each with a fixed description: never a token or claim value."""

from __future__ import annotations

from gateway.errors import Unauthenticated


def missing_credentials() -> Unauthenticated:
    """No credentials (or an unsupported scheme): 401 with a bare challenge, no error code."""
    return Unauthenticated("this route needs credentials: a bearer token or an API key")


def invalid_token(description: str) -> Unauthenticated:
    """The token (or API key) was presented but is not acceptable (RFC 6750 `invalid_token`)."""
    return Unauthenticated(description, error="invalid_token")


def invalid_request(description: str) -> Unauthenticated:
    """The credentials are malformed or ambiguous (RFC 6750 `invalid_request`)."""
    return Unauthenticated(description, error="invalid_request")
