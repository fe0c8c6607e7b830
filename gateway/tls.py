"""TLS contexts: the HTTPS listener's, and the always-verifying ones for upstream calls."""

from __future__ import annotations

import ssl

from gateway.config import RouteConfig, ServerTls
from gateway.errors import ConfigError


def server_ssl_context(tls: ServerTls) -> ssl.SSLContext:
    """The HTTPS listener's context (TLS 1.2 or newer); ConfigError names the file that failed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        password = tls.key_password.reveal() if tls.key_password else None
    except ConfigError as exc:
        raise ConfigError(f"server.tls.key_password: {exc}") from None
    try:
        context.load_cert_chain(tls.cert_file, tls.key_file, password=password)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            f"server.tls: cannot load certificate {tls.cert_file} with key {tls.key_file}: "
            f"{getattr(exc, 'reason', None) or exc.strerror or type(exc).__name__}"
        ) from None
    return context


def upstream_ssl_context(route: RouteConfig) -> ssl.SSLContext:
    """Certificate-verifying TLS for a route: the system CAs, or the route's own CA file."""
    try:
        context = ssl.create_default_context(cafile=str(route.ca_file) if route.ca_file else None)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            f"routes (name {route.name!r}).ca_file: cannot load {route.ca_file}: {exc}"
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
