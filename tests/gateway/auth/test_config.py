"""The `[auth]` section: what validation refuses, and how it says so (FILE: auth.KEY: message)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from gateway.auth import AuthConfig, auth_config_from_mapping
from gateway.errors import ConfigError

EXAMPLE = """
max_token_bytes = 8192
[[issuers]]
issuer = "https://sso.example.go.id/realms/layanan"
discovery = true
audiences = ["gerbang"]
algorithms = ["RS256", "ES256"]
leeway = 60
roles_claim = "realm_access.roles"
groups_claim = "groups"
agency_claim = "agency"
jwks_cache_ttl = 600
jwks_min_refresh_interval = 30
[[issuers]]
issuer = "https://login.bpjs.example.go.id"
jwks_uri = "https://login.bpjs.example.go.id/keys"
audiences = ["gerbang"]
agency = "bpjs"
[introspection]
endpoint = "https://sso.example.go.id/realms/layanan/introspect"
client_id = "gerbang"
client_secret = { env = "GERBANG_INTROSPECTION_SECRET" }
max_cache_seconds = 300
[[api_keys]]
name = "batch-verifier"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
roles = ["verifier"]
agency = "dukcapil"
"""


def issuer(**overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "issuer": "https://sso.example.go.id/realms/layanan",
        "discovery": True,
        "audiences": ["gerbang"],
    }
    table.update(overrides)
    return {k: v for k, v in table.items() if v is not None}


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        auth_config_from_mapping(data, source="gerbang.toml")
    return str(refused.value)


def test_when_the_documented_example_is_given_then_it_validates() -> None:
    config = auth_config_from_mapping(tomllib.loads(EXAMPLE), source="gerbang.toml")
    assert isinstance(config, AuthConfig)
    first, second = config.issuers
    assert first.algorithms == ("RS256", "ES256")
    assert first.discovery_url == (
        "https://sso.example.go.id/realms/layanan/.well-known/openid-configuration"
    )
    assert (second.discovery, second.agency, second.leeway) == (False, "bpjs", 60)
    assert config.introspection is not None
    assert config.introspection.client_secret.env == "GERBANG_INTROSPECTION_SECRET"
    assert config.api_keys[0].roles == ("verifier",)


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        (issuer(algorithms=["none"]), "auth.issuers[0].algorithms", '"none" is never accepted'),
        (issuer(algorithms=["RS256", "HS256"]), "auth.issuers[0].algorithms", "HS256 is refused"),
        (issuer(algorithms=["hs512"]), "auth.issuers[0].algorithms", "refused"),
        (issuer(algorithms=["RS1"]), "auth.issuers[0].algorithms", "unsupported algorithm"),
        (issuer(algorithms=[]), "auth.issuers[0].algorithms", "at least 1"),
        (issuer(audiences=[]), "auth.issuers[0].audiences", "at least 1"),
        (issuer(audiences=[""]), "auth.issuers[0].audiences", "empty"),
        (issuer(audiences=None), "auth.issuers[0].audiences", "Field required"),
        (issuer(issuer="http://sso.example.go.id"), "auth.issuers[0].issuer", "https://"),
        (issuer(issuer="ftp://sso.example.go.id"), "auth.issuers[0].issuer", "https://"),
        (issuer(issuer="https://sso.example.go.id/?a=1"), "auth.issuers[0].issuer", "query"),
        (issuer(issuer="sso.example.go.id"), "auth.issuers[0].issuer", "absolute"),
        (issuer(jwks_uri="https://sso.example.go.id/keys"), "auth.issuers[0]", "exactly one"),
        (issuer(discovery=None), "auth.issuers[0]", "exactly one"),
        (
            issuer(discovery=None, jwks_uri="http://10.0.0.5/keys"),
            "auth.issuers[0].jwks_uri",
            "loopback",
        ),
        (issuer(leeway=3600), "auth.issuers[0].leeway", "less than or equal to 600"),
        (issuer(leeway=1.5), "auth.issuers[0].leeway", "integer"),
        (
            issuer(jwks_cache_ttl=10, jwks_min_refresh_interval=30),
            "auth.issuers[0]",
            "must not exceed jwks_cache_ttl",
        ),
        (issuer(agency_claim="agency", agency="dukcapil"), "auth.issuers[0]", "not both"),
        (issuer(roles_claim="realm_access..roles"), "auth.issuers[0].roles_claim", "dotted"),
        (issuer(colour="blue"), "auth.issuers[0].colour", "Extra inputs"),
    ],
)
def test_when_an_issuer_is_unsafe_or_wrong_then_refused_naming_the_key(
    table: dict[str, Any], key: str, words: str
) -> None:
    message = refusal({"issuers": [table]})
    assert message.startswith(f"gerbang.toml: {key}: "), message
    assert words in message


def test_when_issuers_repeat_or_are_a_table_then_refused() -> None:
    assert "listed twice" in refusal({"issuers": [issuer(), issuer()]})
    assert "write [[auth.issuers]]" in refusal({"issuers": issuer()})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8443/realms/a",
        "http://localhost:8080",
        "http://[::1]:9000/x",
        "http://127.0.0.2",
        "https://sso.example.go.id",
    ],
)
def test_when_http_is_on_loopback_then_accepted(url: str) -> None:
    auth_config_from_mapping({"issuers": [issuer(issuer=url)]})


def test_when_introspection_secret_is_inline_then_refused_without_echo() -> None:
    message = refusal(
        {
            "introspection": {
                "endpoint": "https://sso.example.go.id/introspect",
                "client_id": "gerbang",
                "client_secret": "hunter2-inline",
            }
        }
    )
    assert message.startswith("gerbang.toml: auth.introspection.client_secret: ")
    assert "hunter2-inline" not in message


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ([{"name": "a", "sha256": "abc"}], "64 hexadecimal digits"),
        ([{"name": "Bad Name", "sha256": "0" * 64}], "lower-case"),
        ([{"name": "a", "sha256": "0" * 64}, {"name": "a", "sha256": "1" * 64}], "same name"),
        ([{"name": "a", "sha256": "0" * 64}, {"name": "b", "sha256": "0" * 64}], "same sha256"),
        ([{"name": "a", "sha256": "0" * 64, "key": "plain"}], "Extra inputs"),
    ],
)
def test_when_api_keys_are_wrong_then_refused(keys: list[dict[str, Any]], words: str) -> None:
    message = refusal({"api_keys": keys})
    assert message.startswith("gerbang.toml: auth.api_keys"), message
    assert words in message


def test_when_ca_file_is_missing_then_refused_with_the_resolved_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        auth_config_from_mapping({"ca_file": "idp-ca.pem"}, base_dir=tmp_path)
