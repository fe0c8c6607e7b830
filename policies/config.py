"""The `[policy]` configuration section (policies/factory.py builds the engine from it).

    [policy]
    engine = "embedded"              # or "opa": ask an OPA server
    dir = "policies/bundle"          # policy directory or .tar.gz bundle (default: the shipped one)
    watch_interval = 2.0             # seconds between checks for changed files; 0 = only on SIGHUP

    [policy.opa]                     # engine = "opa" only
    url = "http://127.0.0.1:8181"
    timeout = 0.5                    # seconds for one decision, retries included
    retries = 0                      # extra attempts after a refused connection or HTTP 5xx
    # token = { env = "GERBANG_OPA_TOKEN" }   # bearer token, when OPA requires one

    [policy.cache]
    max_entries = 10000              # 0 = no cache
    max_age = 5.0                    # seconds a decision is reused

With engine = "opa", OPA serves its own copy of the policy; `dir`, when it exists, only gives the
revision recorded with each decision (deploy the same files to OPA).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from yarl import URL

from gateway.config_base import Seconds, SecretRef, _Model, _resolve_path, _secret_ref
from policies import DEFAULT_BUNDLE


class OpaConfig(_Model):
    """Where the OPA server is and how long to wait for it."""

    url: str = "http://127.0.0.1:8181"
    timeout: Annotated[float, Field(gt=0, le=60)] = 0.5
    retries: Annotated[int, Field(ge=0, le=3)] = 0
    token: SecretRef | None = None

    _no_inline_secret = field_validator("token", mode="before")(_secret_ref)

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            url = URL(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
            raise ValueError("must be http(s)://HOST[:PORT] without a path")
        if url.query_string or url.fragment or url.user or url.password:
            raise ValueError("must not carry a query, fragment or credentials")
        return value


class PolicyCacheConfig(_Model):
    """The decision cache (policies/cache.py)."""

    max_entries: Annotated[int, Field(ge=0, le=10_000_000)] = 10_000
    max_age: Seconds = 5.0


class PolicyConfig(_Model):
    """Which engine decides, from which files, with which cache."""

    engine: Literal["embedded", "opa"] = "embedded"
    dir: Path = DEFAULT_BUNDLE
    watch_interval: Annotated[float, Field(ge=0, le=3600)] = 2.0
    opa: OpaConfig = Field(default_factory=OpaConfig)
    cache: PolicyCacheConfig = Field(default_factory=PolicyCacheConfig)

    _resolve_dir = field_validator("dir", mode="before")(_resolve_path)

    @field_validator("dir")
    @classmethod
    def _exists(cls, value: Path) -> Path:
        if not value.exists():
            raise ValueError(f"no such policy directory or bundle: {value}")
        return value
