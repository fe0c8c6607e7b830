"""One error hierarchy for Gerbang; each error has a stable `code` and HTTP status.

The codes appear in HTTP problem bodies (RFC 9457), logs and, later, audit records. They are part
of the public contract: never rename one, only add.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class GerbangError(Exception):
    """Base of every Gerbang error: `code` is stable; `detail` never carries personal data."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    headers: Mapping[str, str] = MappingProxyType({})
    """Extra headers of the problem response (a challenge, Retry-After); never request data."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class ConfigError(GerbangError):
    """The configuration file is missing, unreadable or invalid."""

    code = "config_invalid"
    title = "Invalid configuration"


class BadRequest(GerbangError):
    """The request cannot be routed safely (for example a path with dot segments)."""

    code = "bad_request"
    status = 400
    title = "Bad request"


class RouteNotFound(GerbangError):
    """No route matches the request's host and path."""

    code = "route_not_found"
    status = 404
    title = "No route matches this request"


class BodyTooLarge(GerbangError):
    """The request body exceeds the route's `max_body_bytes`."""

    code = "body_too_large"
    status = 413
    title = "Request body too large"


class UpstreamUnreachable(GerbangError):
    """The upstream refused the connection, reset it, or answered with broken HTTP."""

    code = "upstream_unreachable"
    status = 502
    title = "Upstream service unreachable"


class UpstreamTimeout(GerbangError):
    """The upstream did not connect or answer within the route's timeouts."""

    code = "upstream_timeout"
    status = 504
    title = "Upstream service timed out"


class ServiceUnavailable(GerbangError):
    """The gateway is shutting down or not ready."""

    code = "unavailable"
    status = 503
    title = "Gateway unavailable"


class MalformedBody(GerbangError):
    """The body does not parse as its declared type (JSON, form, multipart, charset)."""

    code = "malformed_body"
    status = 400
    title = "Malformed request body"


class UnsupportedMediaType(GerbangError):
    """The body's type or encoding cannot be scanned for personal data on this route."""

    code = "unsupported_media_type"
    status = 415
    title = "Body type cannot be scanned"


class PolicyDenied(GerbangError):
    """The policy refused the exchange; `detail` carries the policy's reason."""

    code = "policy_denied"
    status = 403
    title = "Refused by policy"

    def __init__(self, detail: str | None = None, *, status: int = 403) -> None:
        super().__init__(detail)
        # A policy may choose another refusal status (451, 429...), never a success or 5xx.
        self.status = status if 400 <= status <= 499 else 403  # type: ignore[misc]


class DetectionFailed(GerbangError):
    """Personal-data detection failed or ran out of time; nothing is forwarded."""

    code = "detection_failed"
    status = 503
    title = "Personal-data detection failed"


class Unauthenticated(GerbangError):
    """Missing or invalid credentials: 401 with an RFC 6750 challenge in `www_authenticate`.

    `error` is the RFC 6750 error code (`invalid_request`, `invalid_token`) or None when the
    request simply carried no credentials (RFC 6750 section 3.1: no error code then). The
    description is a fixed sentence: never a token, key or claim value.
    """

    code = "unauthenticated"
    status = 401
    title = "Authentication required"

    def __init__(
        self, detail: str | None = None, *, error: str | None = None, realm: str = "gerbang"
    ) -> None:
        super().__init__(detail)
        self.error = error
        challenge = f'Bearer realm="{_quoted(realm)}"'
        if error is not None:
            challenge += f', error="{_quoted(error)}", error_description="{_quoted(self.detail)}"'
        self.www_authenticate = challenge
        self.headers = {"WWW-Authenticate": challenge}


def _quoted(text: str) -> str:
    # RFC 6750 section 3: the attribute values allow %x20-21 / %x23-5B / %x5D-7E only.
    return "".join(c for c in text if " " <= c <= "~" and c not in '"\\')


class AuthenticationUnavailable(GerbangError):
    """Credentials cannot be checked now (identity provider keys or introspection unreachable)."""

    code = "authentication_unavailable"
    status = 503
    title = "Authentication service unavailable"


class AuditUnavailable(GerbangError):
    """The access log cannot be written (disk full, write error): exchanges are refused."""

    code = "audit_unavailable"
    status = 503
    title = "Audit log unavailable"


class ConversationStoreUnavailable(GerbangError):
    """The conversation store (Redis) cannot be read or written; the exchange is refused."""

    code = "conversation_store_unavailable"
    status = 503
    title = "Conversation store unavailable"


class ConversationConflict(GerbangError):
    """Other turns of the same conversation kept saving first; this turn was not forwarded."""

    code = "conversation_conflict"
    status = 409
    title = "The conversation changed during this turn; send it again"


class RateLimited(GerbangError):
    """A rate limit of the route is used up: 429 with `Retry-After` in whole seconds (rounded up).

    `retry_after` is the wait in seconds until the limit admits one more request.
    """

    code = "rate_limited"
    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: float = 1.0, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}


class RateLimitUnavailable(GerbangError):
    """The rate-limit store (Redis) is unreachable and the config says refuse (fail closed)."""

    code = "rate_limit_unavailable"
    status = 503
    title = "Rate-limit store unavailable"


class ResponseUnscannable(GerbangError):
    """The policy asked to scan the response, and the upstream's answer cannot be scanned."""

    code = "response_unscannable"
    status = 502
    title = "Upstream response cannot be scanned"


class PolicyUnavailable(GerbangError):
    """The policy engine cannot decide now (OPA unreachable, too slow, erroring): refused."""

    code = "policy_unavailable"
    status = 503
    title = "Policy engine unavailable"


ALL_ERRORS: tuple[type[GerbangError], ...] = (
    GerbangError,
    ConfigError,
    BadRequest,
    RouteNotFound,
    BodyTooLarge,
    UpstreamUnreachable,
    UpstreamTimeout,
    ServiceUnavailable,
    MalformedBody,
    UnsupportedMediaType,
    PolicyDenied,
    DetectionFailed,
    ConversationStoreUnavailable,
    ResponseUnscannable,
    Unauthenticated,
    AuthenticationUnavailable,
    AuditUnavailable,
    RateLimited,
    RateLimitUnavailable,
    PolicyUnavailable,
)
