"""The `[auth]` section: trusted issuers, introspection, API keys.

Built on gateway.config's strict frozen models, so a problem reads `FILE: auth.KEY: what is wrong`.
Validation refuses what would weaken verification: the `none` algorithm, HMAC algorithms (an
issuer's keys are public), empty audience lists, plain http to anything but a loopback host, and
inline secrets.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from yarl import URL

from gateway.config_base import (
    Seconds,
    SecretRef,
    _existing_file,
    _key_path,
    _Model,
    _resolve_path,
    _secret_ref,
)
from gateway.errors import ConfigError

SIGNATURE_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
)
"""Asymmetric JWS algorithms an issuer may be trusted with (RFC 7518, RFC 8037, RFC 9864)."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_CLAIM_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


def _as_tuple(value: object) -> object:
    # TOML arrays arrive as lists; strict mode wants exactly a tuple.
    if isinstance(value, Mapping):
        raise ValueError("must be an array")
    return tuple(value) if isinstance(value, list) else value


def _tables(value: object, info: ValidationInfo) -> object:
    if isinstance(value, Mapping):
        raise ValueError(f"must be an array of tables: write [[auth.{info.field_name}]]")
    return tuple(value) if isinstance(value, list) else value


def _non_empty_strings(values: tuple[str, ...]) -> tuple[str, ...]:
    if any(not v.strip() for v in values):
        raise ValueError("must not contain empty strings")
    return values


StrTuple = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_url(value: str) -> str:
    """An absolute https:// URL (http:// only to a loopback host), no query, fragment or user."""
    try:
        url = URL(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a URL: {exc}") from exc
    if not url.absolute or not url.host:
        raise ValueError("must be an absolute https:// URL with a host")
    if url.scheme == "http" and not is_loopback(url.host):
        raise ValueError("must use https:// (plain http:// is only accepted for a loopback host)")
    if url.scheme not in ("http", "https"):
        raise ValueError("must be an https:// URL")
    if url.query_string or url.fragment or url.user or url.password:
        raise ValueError("must not carry a query, fragment or credentials")
    return value


class ClaimMapping(_Model):
    """Where roles, groups and the agency are found in a token's claims."""

    roles_claim: str = "roles"
    groups_claim: str = "groups"
    agency_claim: str | None = "agency"
    agency: str | None = None
    leeway: Annotated[int, Field(ge=0, le=600)] = 60

    @field_validator("roles_claim", "groups_claim", "agency_claim")
    @classmethod
    def _claim_path(cls, value: str | None) -> str | None:
        if value is not None and not _CLAIM_PATH.match(value):
            raise ValueError("must be a claim name or a dotted path such as realm_access.roles")
        return value

    @field_validator("agency")
    @classmethod
    def _agency_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (at most 63)")
        return value

    @model_validator(mode="after")
    def _one_agency_source(self) -> ClaimMapping:
        if (
            "agency_claim" in self.model_fields_set
            and self.agency_claim is not None
            and self.agency is not None
        ):
            raise ValueError("give agency_claim or a fixed agency, not both")
        return self


class IssuerConfig(ClaimMapping):
    """One trusted token issuer whose JWT access tokens are verified locally."""

    issuer: str
    discovery: bool = False
    jwks_uri: str | None = None
    audiences: Annotated[StrTuple, Field(min_length=1)]
    algorithms: Annotated[StrTuple, Field(min_length=1)] = ("RS256",)
    jwks_cache_ttl: Seconds = 600.0
    jwks_min_refresh_interval: Annotated[float, Field(gt=0, le=3600)] = 30.0

    _issuer_url = field_validator("issuer")(secure_url)
    _audiences = field_validator("audiences")(_non_empty_strings)

    @field_validator("jwks_uri")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        return None if value is None else secure_url(value)

    @field_validator("algorithms")
    @classmethod
    def _allowed_algorithms(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for alg in values:
            if alg.lower() == "none":
                raise ValueError('"none" is never accepted: such tokens carry no signature')
            if alg.upper().startswith("HS"):
                raise ValueError(
                    f"{alg} is refused: HMAC needs a shared secret, and an issuer's keys are "
                    "public (a public key used as an HMAC secret forges tokens)"
                )
            if alg not in SIGNATURE_ALGORITHMS:
                raise ValueError(
                    f"unsupported algorithm {alg!r}; use {', '.join(SIGNATURE_ALGORITHMS)}"
                )
        if len(set(values)) != len(values):
            raise ValueError("lists an algorithm twice")
        return values

    @model_validator(mode="after")
    def _key_source(self) -> IssuerConfig:
        if self.discovery == (self.jwks_uri is not None):
            raise ValueError("set either discovery = true or jwks_uri (exactly one)")
        if self.jwks_min_refresh_interval > self.jwks_cache_ttl:
            raise ValueError("jwks_min_refresh_interval must not exceed jwks_cache_ttl")
        return self

    @property
    def discovery_url(self) -> str:
        """The OpenID Connect discovery document of this issuer."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class IntrospectionConfig(ClaimMapping):
    """An RFC 7662 endpoint for opaque tokens, called with client_secret_basic authentication."""

    endpoint: str
    client_id: Annotated[str, Field(min_length=1)]
    client_secret: SecretRef
    issuer: str | None = None
    audiences: StrTuple = ()
    max_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = 300.0
    max_cache_entries: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000

    _endpoint_url = field_validator("endpoint")(secure_url)
    _no_inline_secret = field_validator("client_secret", mode="before")(_secret_ref)
    _audiences = field_validator("audiences")(_non_empty_strings)


class ApiKeyConfig(_Model):
    """A service account: the SHA-256 (hex) of its key, never the key itself."""

    name: str
    sha256: str
    roles: StrTuple = ()
    groups: StrTuple = ()
    scopes: StrTuple = ()
    agency: str | None = None

    @field_validator("name", "agency")
    @classmethod
    def _valid_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (at most 63)")
        return value

    @field_validator("sha256")
    @classmethod
    def _digest(cls, value: str) -> str:
        if not _SHA256_HEX.match(value.lower()):
            raise ValueError(
                "must be the 64 hexadecimal digits of the key's SHA-256 "
                '(for example: printf %s "$KEY" | sha256sum)'
            )
        return value.lower()


class AuthConfig(_Model):
    """How callers are authenticated: JWT issuers, introspection and API keys."""

    max_token_bytes: Annotated[int, Field(ge=256, le=65_536)] = 8192
    fetch_timeout: Seconds = 5.0
    jwt_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = 60.0
    jwt_cache_entries: Annotated[int, Field(ge=0, le=1_000_000)] = 10_000
    ca_file: Path | None = None
    issuers: tuple[IssuerConfig, ...] = ()
    introspection: IntrospectionConfig | None = None
    api_keys: tuple[ApiKeyConfig, ...] = ()

    _resolve = field_validator("ca_file", mode="before")(_resolve_path)
    _exists = field_validator("ca_file")(_existing_file)
    _arrays = field_validator("issuers", "api_keys", mode="before")(_tables)

    @field_validator("issuers")
    @classmethod
    def _unique_issuers(cls, issuers: tuple[IssuerConfig, ...]) -> tuple[IssuerConfig, ...]:
        seen = [i.issuer for i in issuers]
        if len(set(seen)) != len(seen):
            raise ValueError("the same issuer is listed twice")
        return issuers

    @field_validator("api_keys")
    @classmethod
    def _unique_keys(cls, keys: tuple[ApiKeyConfig, ...]) -> tuple[ApiKeyConfig, ...]:
        if len({k.name for k in keys}) != len(keys):
            raise ValueError("two API keys have the same name")
        if len({k.sha256 for k in keys}) != len(keys):
            raise ValueError("two API keys have the same sha256")
        return keys


def auth_config_from_mapping(
    data: Mapping[str, Any], *, source: str = "<config>", base_dir: Path | None = None
) -> AuthConfig:
    """Validate an `[auth]` table on its own; errors read `SOURCE: auth.KEY: what is wrong`."""
    try:
        return AuthConfig.model_validate(
            data, context={"base_dir": base_dir or Path.cwd()}, strict=True
        )
    except ValidationError as exc:
        wrapped = {"auth": data}
        lines = [
            f"{source}: {_key_path(('auth', *err['loc']), wrapped)}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None
