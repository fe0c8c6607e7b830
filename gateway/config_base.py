"""Building blocks of every configuration model: strict frozen models, secrets, paths, errors.

Sub-systems (authentication, policy, audit, rate limits) define their own sections with these;
`gateway.config` assembles the whole file from them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from yarl import URL

from gateway.errors import ConfigError

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Seconds = Annotated[float, Field(gt=0, le=86_400)]
Port = Annotated[int, Field(ge=0, le=65_535)]


def _as_tuple(value: object) -> object:
    # TOML arrays arrive as lists; strict models want tuples (immutable, hashable).
    return tuple(value) if isinstance(value, list) else value


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


def valid_redis_url(value: str | None) -> str | None:
    """Validate a Redis URL: redis://, rediss:// or unix://, never with a password inside."""
    if value is None:
        return None
    try:
        url = URL(value)
    except ValueError as exc:
        raise ValueError("not a URL; use redis://HOST:PORT/DB") from exc
    if url.scheme not in ("redis", "rediss", "unix"):
        raise ValueError("use a redis://, rediss:// or unix:// URL")
    if url.password is not None:
        raise ValueError(
            'no password in the URL: use redis_password = { env = "NAME" } or { file = "PATH" }'
        )
    return value
