"""The one TOML configuration file, validated at start into immutable typed objects.

Every problem is reported as `FILE: KEY: what is wrong`. Unknown keys and wrong types are refused.
Secrets never appear in the file: a secret field takes `{ env = "NAME" }` or `{ file = "PATH" }`.
Relative paths are resolved against the directory of the configuration file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from yarl import URL

from gateway.errors import ConfigError

_ROUTE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$|^\[[0-9A-Fa-f:.]+\]$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Seconds = Annotated[float, Field(gt=0, le=86_400)]
Port = Annotated[int, Field(ge=0, le=65_535)]


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _resolve_path(value: object, info: ValidationInfo) -> object:
    """Turn a string path into an absolute Path relative to the config file's directory."""
    if not isinstance(value, str):
        return value
    base = (info.context or {}).get("base_dir")
    path = Path(value).expanduser()
    if not path.is_absolute() and isinstance(base, Path):
        path = base / path
    return path


def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return path


class SecretRef(_Model):
    """Where a secret lives: an environment variable or a file. Never the secret itself."""

    env: str | None = None
    file: Path | None = None

    _resolve_file = field_validator("file", mode="before")(_resolve_path)

    @field_validator("env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("must be an environment variable name such as GERBANG_TLS_KEY_PASS")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError('give exactly one of { env = "NAME" } or { file = "PATH" }')
        return self

    def reveal(self) -> str:
        """Read the secret now; raises ConfigError naming the variable or file, never the value."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError(f"environment variable {self.env} is not set")
            return value
        assert self.file is not None
        try:
            return self.file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"cannot read secret file {self.file}: {exc.strerror}") from exc


def _secret_ref(value: object) -> object:
    if isinstance(value, str):
        raise ValueError(
            'secrets are never written in the config: use { env = "NAME" } or { file = "PATH" }'
        )
    return value


class ServerTls(_Model):
    """Serve HTTPS with this certificate chain and private key (PEM)."""

    cert_file: Path
    key_file: Path
    key_password: SecretRef | None = None

    _resolve = field_validator("cert_file", "key_file", mode="before")(_resolve_path)
    _exists = field_validator("cert_file", "key_file")(_existing_file)
    _no_inline_secret = field_validator("key_password", mode="before")(_secret_ref)


class ServerConfig(_Model):
    """The public listener."""

    host: str = "127.0.0.1"
    port: Port = 8080
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    shutdown_timeout: Seconds = 30.0
    access_log: bool = True
    tls: ServerTls | None = None


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

    _resolve = field_validator("ca_file", mode="before")(_resolve_path)
    _exists = field_validator("ca_file")(_existing_file)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _ROUTE_NAME.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (at most 63)")
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


class GatewayConfig(_Model):
    """The whole configuration."""

    server: ServerConfig = Field(default_factory=ServerConfig)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    upstream_pool: UpstreamPoolConfig = Field(default_factory=UpstreamPoolConfig)
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


def _key_path(loc: Sequence[int | str], data: Mapping[str, Any]) -> str:
    """Render a pydantic error location as a TOML key path, naming routes where possible."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                name = node.get("name") if isinstance(node, dict) else None
                if isinstance(name, str):
                    label += f" (name {name!r})"
            parts.append(label)
            continue
        parts.append(f".{item}" if parts else str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"
