"""RFC 9457 problem details (`application/problem+json`) for every error the gateway returns."""

from __future__ import annotations

import json

from aiohttp import web

from gateway.errors import GerbangError
from gateway.headers import REQUEST_ID_HEADER

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(error: GerbangError, request_id: str) -> web.Response:
    """A problem+json response with the error's stable code; never includes request data."""
    body = {
        "type": f"urn:gerbang:problem:{error.code}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        "request_id": request_id,
    }
    # The error's own headers (a challenge, Retry-After) never replace the type or the request id.
    headers = {**error.headers, "Content-Type": PROBLEM_CONTENT_TYPE, REQUEST_ID_HEADER: request_id}
    return web.Response(status=error.status, body=json.dumps(body).encode(), headers=headers)
