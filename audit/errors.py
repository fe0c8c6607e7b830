"""Errors of the access log; the gateway answers them with 503 audit_unavailable."""

from __future__ import annotations


class AuditUnavailable(Exception):
    """The access log cannot be written (disk full, write error) or is not open: refuse."""

    code = "audit_unavailable"
