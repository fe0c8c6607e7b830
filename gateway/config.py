"""The one TOML configuration file, validated at start into immutable typed objects.

Every problem is reported as `FILE: KEY: what is wrong`. Unknown keys and wrong types are refused.
Secrets never appear in the file: a secret field takes `{ env = "NAME" }` or `{ file = "PATH" }`.
Relative paths are resolved against the directory of the configuration file.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from yarl import URL

from gateway.audit_config import AuditConfig
from gateway.auth.config import AuthConfig
from gateway.config_base import (
    Port,
    Seconds,
    SecretRef,
    _as_tuple,
    _existing_file,
    _key_path,
    _Model,
    _resolve_path,
    _secret_ref,
    valid_redis_url,
)
from gateway.errors import ConfigError
from gateway.policy_config import PolicyConfig
from gateway.ratelimit.config import RateLimitsConfig, RouteRateLimit

__all__ = [
    "AdminConfig",
    "GatewayConfig",
    "LoggingConfig",
    "Port",
    "RouteConfig",
    "RoutePiiConfig",
    "Seconds",
    "SecretRef",
    "ServerConfig",
    "ServerTls",
    "UpstreamPoolConfig",
    "_Model",
    "_existing_file",
    "_key_path",
    "_resolve_path",
    "_secret_ref",
    "config_from_mapping",
    "load_config",
]

_ROUTE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$|^\[[0-9A-Fa-f:.]+\]$")
PURPOSE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
"""A processing purpose: a route's default and the `X-Purpose` header share this form."""


def _tag_value(value: object) -> object:
    # Checked before the union so a wrong value gives one message, not one per member type.
    if not isinstance(value, str | int | float | bool):
        raise ValueError("a tag value must be a string, number or boolean")
    return value


TagValue = Annotated[str | int | float | bool, BeforeValidator(_tag_value)]


class Tags(dict[str, str | int | float | bool]):
    """A route's tags: a read-only dict (so a frozen config stays frozen), still picklable."""

    def _refuse(self, *_: object, **__: object) -> None:
        raise TypeError("route tags are read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[Tags], tuple[dict[str, str | int | float | bool]]]:
        return (Tags, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


class ServerTls(_Model):
    """Serve HTTPS with this certificate chain and private key (PEM)."""

    cert_file: Path
    key_file: Path
    key_password: SecretRef | None = None

    _resolve = field_validator("cert_file", "key_file", mode="before")(_resolve_path)
    _exists = field_validator("cert_file", "key_file")(_existing_file)
    _no_inline_secret = field_validator("key_password", mode="before")(_secret_ref)


def _network(value: str) -> str:
    """An address or network (`10.0.0.0/8`, `::1`), in its normal form."""
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ValueError(
            f"{value!r} is not an IP address or network (host bits must be zero: 10.0.0.0/8)"
        ) from None


class ServerConfig(_Model):
    """The public listener."""

    host: str = "127.0.0.1"
    port: Port = 8080
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    shutdown_timeout: Seconds = 30.0
    access_log: bool = True
    tls: ServerTls | None = None
    trusted_proxies: Annotated[
        tuple[Annotated[str, AfterValidator(_network)], ...], BeforeValidator(_as_tuple)
    ] = ()
    """Load balancers whose X-Forwarded-For names the client (gateway/client_address.py)."""


class AdminConfig(_Model):
    """The operations listener (/healthz, /readyz, /metrics); keep it on a private address."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 9090


class LoggingConfig(_Model):
    """Application and access logs, written to standard error."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["json", "text"] = "json"


class UpstreamPoolConfig(_Model):
    """The shared pool of upstream connections of one worker process."""

    max_connections: Annotated[int, Field(ge=1, le=100_000)] = 512
    max_connections_per_host: Annotated[int, Field(ge=0, le=100_000)] = 0
    keepalive_timeout: Seconds = 30.0


def _json_paths(paths: tuple[str, ...]) -> tuple[str, ...]:
    from gateway.bodies import parse_json_path

    for path in paths:
        parse_json_path(path)
    return paths


JsonPaths = Annotated[tuple[str, ...], BeforeValidator(_as_tuple), AfterValidator(_json_paths)]


class RoutePiiConfig(_Model):
    """How a route's request bodies are scanned for personal data."""

    scan_request: bool = True
    unscannable: Literal["refuse", "passthrough"] = "refuse"
    json_include: JsonPaths = ()
    json_exclude: JsonPaths = ()
    language: Literal["id", "en"] = "id"
    # Characters a streamed answer gathers beyond its hold-back window before they are scanned
    # and released (gateway/rewrite.py): larger trades first-content latency for less CPU.
    stream_step: Annotated[int, Field(ge=1, le=4096)] = 32  # gateway.rewrite.DEFAULT_STEP


class DetectionConfig(_Model):
    """How request texts are scanned, whatever the route."""

    # Findings of texts a caller sent before, reused (gateway/findings_cache.py); 0 = off.
    cache_entries: Annotated[int, Field(ge=0, le=1_000_000)] = 10_000


class RouteConfig(_Model):
    """One service behind the gateway."""

    name: str
    path_prefix: str
    host: str | None = None
    upstream: str
    strip_prefix: bool = False
    connect_timeout: Seconds = 5.0
    total_timeout: Seconds = 300.0
    max_body_bytes: Annotated[int, Field(ge=0)] = 10 * 1024 * 1024
    ca_file: Path | None = None
    tags: Annotated[dict[str, TagValue], AfterValidator(Tags)] = Field(default_factory=Tags)
    public: bool = False
    forward_authorization: bool = False
    purpose: str | None = None
    pii: RoutePiiConfig = Field(default_factory=RoutePiiConfig)
    rate_limit: RouteRateLimit | None = None

    _resolve = field_validator("ca_file", mode="before")(_resolve_path)
    _exists = field_validator("ca_file")(_existing_file)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _ROUTE_NAME.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (at most 63)")
        return value

    @field_validator("purpose")
    @classmethod
    def _valid_purpose(cls, value: str | None) -> str | None:
        if value is not None and not PURPOSE.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (at most 64)")
        return value

    @field_validator("path_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        if not value.startswith("/") or any(c in value for c in "?#") or "//" in value:
            raise ValueError("must start with '/' and hold no '?', '#' or '//'")
        if any(segment in (".", "..") for segment in value.split("/")):
            raise ValueError("must not contain '.' or '..' segments")
        return value

    @field_validator("host")
    @classmethod
    def _valid_host(cls, value: str | None) -> str | None:
        if value is not None and not _HOSTNAME.match(value):
            raise ValueError("must be a host name without scheme, port or path")
        return value.lower() if value else value

    @field_validator("upstream")
    @classmethod
    def _valid_upstream(cls, value: str) -> str:
        try:
            url = URL(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("must be an absolute http:// or https:// URL with a host")
        if url.query_string or url.fragment or url.user or url.password:
            raise ValueError("must not carry a query, fragment or credentials")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RouteConfig:
        if self.connect_timeout > self.total_timeout:
            raise ValueError("connect_timeout must not exceed total_timeout")
        if self.ca_file is not None and self.upstream_url.scheme != "https":
            raise ValueError("ca_file is only used with an https:// upstream")
        return self

    @property
    def upstream_url(self) -> URL:
        """The upstream base URL, parsed."""
        return URL(self.upstream)


class KeysConfig(_Model):
    """The keyring (`gerbang keys init`): signing, pseudonym and token keys under a KEK."""

    dir: Path
    kek: SecretRef

    _resolve = field_validator("dir", mode="before")(_resolve_path)
    _no_inline_secret = field_validator("kek", mode="before")(_secret_ref)


class ConversationsConfig(_Model):
    """Placeholder numbering kept across the turns of a conversation the client names."""

    enabled: bool = True
    header: str = "X-Conversation-ID"
    store: Literal["memory", "redis"] = "memory"
    redis_url: str | None = None
    redis_password: SecretRef | None = None
    timeout: Annotated[float, Field(gt=0, le=10)] = 1.0
    ttl: Seconds = 3600.0
    max_entries: Annotated[int, Field(ge=1, le=10_000_000)] = 10_000

    _redis_url = field_validator("redis_url")(valid_redis_url)
    _password = field_validator("redis_password", mode="before")(_secret_ref)

    @model_validator(mode="after")
    def _store_matches_url(self) -> ConversationsConfig:
        if self.store == "redis" and self.redis_url is None:
            raise ValueError('store = "redis" needs redis_url')
        return self


class GatewayConfig(_Model):
    """The whole configuration."""

    server: ServerConfig = Field(default_factory=ServerConfig)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    upstream_pool: UpstreamPoolConfig = Field(default_factory=UpstreamPoolConfig)
    auth: AuthConfig | None = None
    keys: KeysConfig | None = None
    audit: AuditConfig | None = None
    conversations: ConversationsConfig = Field(default_factory=ConversationsConfig)
    detection: DetectionConfig = Field(default_factory=DetectionConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    rate_limits: RateLimitsConfig = Field(default_factory=RateLimitsConfig)
    routes: tuple[RouteConfig, ...]

    @field_validator("routes", mode="before")
    @classmethod
    def _routes_list(cls, value: object) -> object:
        # TOML arrays arrive as lists; strict mode wants exactly a tuple.
        if isinstance(value, Mapping):
            raise ValueError("must be an array of tables: write [[routes]], not [routes]")
        return tuple(value) if isinstance(value, list) else value

    @field_validator("routes")
    @classmethod
    def _unique_routes(cls, routes: tuple[RouteConfig, ...]) -> tuple[RouteConfig, ...]:
        if not routes:
            raise ValueError("at least one [[routes]] table is required")
        seen_names: set[str] = set()
        seen_matches: dict[tuple[str | None, str], str] = {}
        for route in routes:
            if route.name in seen_names:
                raise ValueError(f"duplicate route name {route.name!r}")
            seen_names.add(route.name)
            match = (route.host, route.path_prefix.rstrip("/") or "/")
            if match in seen_matches:
                raise ValueError(
                    f"routes {seen_matches[match]!r} and {route.name!r} have the same match"
                )
            seen_matches[match] = route.name
        return routes

    @model_validator(mode="after")
    def _callers_can_be_identified(self) -> GatewayConfig:
        # Fail closed: a route that is not public needs a way to authenticate its callers.
        guarded = [route.name for route in self.routes if not route.public]
        auth = self.auth
        if guarded and (auth is None or not (auth.issuers or auth.introspection or auth.api_keys)):
            raise ValueError(
                f"routes {', '.join(map(repr, guarded))} need [auth] issuers, introspection or "
                "api_keys to identify callers (or set public = true on a route that needs none)"
            )
        return self

    @model_validator(mode="after")
    def _dependencies_present(self) -> GatewayConfig:
        if self.audit is not None and self.keys is None:
            raise ValueError("[audit] signs its log heads with the keyring: add [keys]")
        if self.conversations.store == "redis" and self.keys is None:
            raise ValueError(
                "conversations shared through Redis are sealed with the keyring's token key: "
                "add [keys]"
            )
        return self

    @model_validator(mode="after")
    def _listeners_apart(self) -> GatewayConfig:
        server, admin = self.server, self.admin
        if (
            admin.enabled
            and server.port != 0
            and (admin.host, admin.port)
            == (
                server.host,
                server.port,
            )
        ):
            raise ValueError("admin and server listen on the same address and port")
        return self


def load_config(
    path: str | os.PathLike[str], *, server_overrides: Mapping[str, Any] | None = None
) -> GatewayConfig:
    """Read and validate a TOML config file; raise ConfigError naming the file and key.

    `server_overrides` (from command-line flags) replace keys of `[server]` before validation,
    so they are checked exactly like the file's own values.
    """
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text at byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: {exc}") from exc
    if server_overrides:
        server = data.get("server", {})
        data["server"] = {**server, **server_overrides} if isinstance(server, dict) else server
    return config_from_mapping(data, source=str(file), base_dir=file.resolve().parent)


def config_from_mapping(
    data: Mapping[str, Any], *, source: str = "<config>", base_dir: Path | None = None
) -> GatewayConfig:
    """Validate an already parsed mapping (for embedded defaults and tests)."""
    try:
        return GatewayConfig.model_validate(
            data, context={"base_dir": base_dir or Path.cwd()}, strict=True
        )
    except ValidationError as exc:
        lines = [
            f"{source}: {_key_path(err['loc'], data)}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None
