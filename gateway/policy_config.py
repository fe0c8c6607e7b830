"""The `[policy]` configuration section (gateway/policy_engine.py builds the engine from it).

    [policy]
    engine = "embedded"              # or "opa": ask an OPA server
    dir = "policies/bundle"          # policy directory or .tar.gz bundle (default: the shipped one)
    watch_interval = 2.0             # seconds between checks for changed files; 0 = only on SIGHUP
    verification_key = "bundle.pem"  # accept only bundles signed by this key (PEM public key)
    bundle_url = "https://bundles.example/gerbang.tar.gz"  # poll a bundle service instead of dir
    bundle_cache = "/var/lib/gerbang/policy.tar.gz"        # where the last good bundle is kept
    polling_interval = 30.0          # longest wait between polls (each a random 1/3 to all of it)

    [policy.opa]                     # engine = "opa" only
    url = "http://127.0.0.1:8181"
    timeout = 0.5                    # seconds for one decision, retries included
    retries = 0                      # extra attempts after a refused connection or HTTP 5xx
    # token = { env = "GERBANG_OPA_TOKEN" }   # bearer token, when OPA requires one

    [policy.cache]
    max_entries = 10000              # 0 = no cache
    max_age = 5.0                    # seconds a decision is reused

With engine = "opa", OPA serves its own copy of the policy and names the revision of the bundle it
decided with; `dir`, when it exists, gives the revision recorded while OPA serves no bundle. OPA
verifies and polls its own bundles: verification_key and bundle_url are the embedded engine's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
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
    verification_key: Path | None = None
    bundle_url: str | None = None
    bundle_cache: Path | None = None
    polling_interval: Annotated[float, Field(ge=0.05, le=3600)] = 30.0
    opa: OpaConfig = Field(default_factory=OpaConfig)
    cache: PolicyCacheConfig = Field(default_factory=PolicyCacheConfig)

    _resolve_paths = field_validator("dir", "verification_key", "bundle_cache", mode="before")(
        _resolve_path
    )

    @field_validator("dir")
    @classmethod
    def _exists(cls, value: Path) -> Path:
        if not value.exists():
            raise ValueError(f"no such policy directory or bundle: {value}")
        return value

    @field_validator("verification_key")
    @classmethod
    def _key_file(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @field_validator("bundle_cache")
    @classmethod
    def _cache_folder(cls, value: Path) -> Path:
        if not value.parent.is_dir():
            raise ValueError(f"no such folder: {value.parent}")
        if value.is_dir():
            raise ValueError(f"is a folder; name the bundle file to write: {value}")
        return value

    @field_validator("bundle_url")
    @classmethod
    def _bundle_url(cls, value: str) -> str:
        try:
            url = URL(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if url.scheme not in ("http", "https") or not url.host or url.path in ("", "/"):
            raise ValueError("must be http(s)://HOST[:PORT]/PATH of the bundle")
        if url.user or url.password or url.fragment:
            raise ValueError("must not carry credentials or a fragment")
        return value

    @model_validator(mode="after")
    def _bundle_settings_agree(self) -> PolicyConfig:
        if self.engine == "opa" and (self.verification_key or self.bundle_url):
            raise ValueError(
                'verification_key and bundle_url are for engine = "embedded"; an OPA server '
                "verifies and polls bundles by its own configuration"
            )
        if self.bundle_url is not None:
            if self.verification_key is None:
                raise ValueError("bundle_url needs verification_key: downloaded bundles are signed")
            if self.bundle_cache is None:
                raise ValueError("bundle_url needs bundle_cache, the file the bundle is kept in")
            if "dir" in self.model_fields_set:
                raise ValueError("dir and bundle_url exclude each other")
        elif self.bundle_cache is not None:
            raise ValueError("bundle_cache is only used with bundle_url")
        return self
