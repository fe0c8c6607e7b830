"""One error hierarchy for Gerbang; each error has a stable `code` and HTTP status.

The codes appear in HTTP problem bodies (RFC 9457), logs and, later, audit records. They are part
of the public contract: never rename one, only add.
"""

from __future__ import annotations

from typing import ClassVar


class GerbangError(Exception):
    """Base of every Gerbang error: `code` is stable; `detail` never carries personal data."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

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


ALL_ERRORS: tuple[type[GerbangError], ...] = (
    GerbangError,
    ConfigError,
    BadRequest,
    RouteNotFound,
    BodyTooLarge,
    UpstreamUnreachable,
    UpstreamTimeout,
    ServiceUnavailable,
)
