"""Opaque tokens through a real RFC 7662 introspection endpoint on loopback."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import Authenticator
from gateway.errors import AuthenticationUnavailable, ConfigError, Unauthenticated
from tests.gateway.auth.conftest import bearer, issuer_entry, logged
from tests.gateway.auth.idp import MARKER_EMAIL, IdentityProvider, Realm

OPAQUE = "opq_9c1e6a0b7d2f4e58a3c1"
SECRET_ENV = "GERBANG_TEST_INTROSPECTION_SECRET"


def active(**overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "active": True,
        "sub": "svc-antrian",
        "client_id": "antrian-rs",
        "scope": "layanan.baca",
        "exp": time.time() + 300,
        "aud": "gerbang",
        "iss": "https://sso.example.go.id/realms/layanan",
        "roles": ["petugas"],
        "agency": "kemenkes",
        "email": MARKER_EMAIL,
    }
    answer.update(overrides)
    return answer


@pytest.fixture
def introspection(
    idp: IdentityProvider,
    monkeypatch: pytest.MonkeyPatch,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
) -> Callable[..., Authenticator]:
    """Build an authenticator whose introspection points at the identity provider."""
    monkeypatch.setenv(SECRET_ENV, idp.client_secret)

    def make(issuers: list[dict[str, Any]] | None = None, **overrides: Any) -> Authenticator:
        table: dict[str, Any] = {
            "endpoint": f"{idp.base}/introspect",
            "client_id": idp.client_id,
            "client_secret": {"env": SECRET_ENV},
            "issuer": "https://sso.example.go.id/realms/layanan",
        }
        table.update(overrides)
        return make_authenticator({"issuers": issuers or [], "introspection": table})

    return make


async def test_when_token_is_active_then_principal_is_built_and_the_answer_cached(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    idp.opaque[OPAQUE] = active()
    authenticator = introspection()
    principal = await authenticator.authenticate(bearer(OPAQUE))
    assert principal.authenticated_by == "introspection"
    assert principal.issuer == "https://sso.example.go.id/realms/layanan"
    assert (principal.subject, principal.client_id) == ("svc-antrian", "antrian-rs")
    assert (principal.roles, principal.scopes, principal.agency) == (
        ("petugas",),
        ("layanan.baca",),
        "kemenkes",
    )
    assert await authenticator.authenticate(bearer(OPAQUE)) == principal
    assert idp.introspection_calls == 1


async def test_when_token_is_inactive_or_unknown_then_401_invalid_token(
    idp: IdentityProvider,
    introspection: Callable[..., Authenticator],
    caplog: pytest.LogCaptureFixture,
) -> None:
    idp.opaque[OPAQUE] = {"active": False}
    authenticator = introspection()
    caplog.set_level(logging.DEBUG)
    for token in (OPAQUE, "opq_never_issued"):
        with pytest.raises(Unauthenticated) as refused:
            await authenticator.authenticate(bearer(token))
        assert (refused.value.status, refused.value.error) == (401, "invalid_token")
        assert "not active" in refused.value.detail
        assert token not in logged(caplog)
        assert token not in refused.value.www_authenticate
    # Inactive answers are not cached: asking again asks the server again.
    with pytest.raises(Unauthenticated):
        await authenticator.authenticate(bearer(OPAQUE))
    assert idp.introspection_calls == 3


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (active(exp=time.time() - 3600), "expired"),
        (active(nbf=time.time() + 3600), "not yet valid"),
        (active(iss="https://sso.penipu.example"), "issuer is not trusted"),
        (active(sub=None, client_id=None), "lacks required claims (sub)"),
        (active(exp="soon"), "expiry (exp) is invalid"),
        ({"active": "true", "sub": "x"}, "not active"),  # only the JSON true is active
    ],
)
async def test_when_active_answer_is_unacceptable_then_401(
    answer: dict[str, Any],
    words: str,
    idp: IdentityProvider,
    introspection: Callable[..., Authenticator],
) -> None:
    idp.opaque[OPAQUE] = answer
    with pytest.raises(Unauthenticated, match=re.escape(words)):
        await introspection().authenticate(bearer(OPAQUE))


async def test_when_audiences_are_configured_then_the_answer_must_name_one(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    idp.opaque[OPAQUE] = active(aud=["portal", "gerbang"])
    idp.opaque["opq_other_service"] = active(aud="layanan-lain")
    authenticator = introspection(audiences=["gerbang"])
    assert (await authenticator.authenticate(bearer(OPAQUE))).subject == "svc-antrian"
    with pytest.raises(Unauthenticated, match="audience"):
        await authenticator.authenticate(bearer("opq_other_service"))


async def test_when_endpoint_is_down_then_503_never_401(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    authenticator = introspection()
    await idp.stop()
    with pytest.raises(AuthenticationUnavailable) as unavailable:
        await authenticator.authenticate(bearer(OPAQUE))
    assert unavailable.value.status == 503
    await idp.start()
    idp.failing = True
    with pytest.raises(AuthenticationUnavailable):
        await authenticator.authenticate(bearer(OPAQUE))


async def test_when_gateway_credentials_are_refused_then_503_and_a_warning(
    idp: IdentityProvider,
    introspection: Callable[..., Authenticator],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    idp.opaque[OPAQUE] = active()
    monkeypatch.setenv(SECRET_ENV, "wrong-secret")
    authenticator = introspection()
    caplog.set_level(logging.WARNING)
    with pytest.raises(AuthenticationUnavailable):
        await authenticator.authenticate(bearer(OPAQUE))
    assert "token introspection failed" in logged(caplog)
    assert "401" in logged(caplog)
    assert "wrong-secret" not in logged(caplog)


async def test_when_token_expires_then_its_cached_answer_is_not_used(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    idp.opaque[OPAQUE] = active(exp=time.time() + 0.3)
    authenticator = introspection(leeway=0)
    await authenticator.authenticate(bearer(OPAQUE))
    await asyncio.sleep(0.35)
    with pytest.raises(Unauthenticated, match="expired"):
        await authenticator.authenticate(bearer(OPAQUE))
    assert idp.introspection_calls == 2


async def test_when_max_cache_seconds_pass_then_the_server_is_asked_again(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    idp.opaque[OPAQUE] = active()
    authenticator = introspection(max_cache_seconds=0.2)
    await authenticator.authenticate(bearer(OPAQUE))
    await authenticator.authenticate(bearer(OPAQUE))
    await asyncio.sleep(0.25)
    await authenticator.authenticate(bearer(OPAQUE))
    assert idp.introspection_calls == 2


async def test_when_cache_is_full_then_the_least_recent_answer_is_dropped(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    tokens = [f"opq_token_{i}" for i in range(3)]
    for token in tokens:
        idp.opaque[token] = active()
    authenticator = introspection(max_cache_entries=2)
    for token in tokens:
        await authenticator.authenticate(bearer(token))
    await authenticator.authenticate(bearer(tokens[2]))  # cached
    await authenticator.authenticate(bearer(tokens[0]))  # dropped: asked again
    assert idp.introspection_calls == 4


async def test_when_answers_are_cached_then_the_cache_holds_hashes_not_tokens(
    idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    idp.opaque[OPAQUE] = active()
    authenticator = introspection()
    await authenticator.authenticate(bearer(OPAQUE))
    cache = authenticator._introspection._cache  # type: ignore[union-attr]
    assert len(cache) == 1
    (key,) = cache
    assert OPAQUE not in key
    assert re.fullmatch(r"[0-9a-f]{64}", key)


async def test_when_bearer_is_opaque_and_no_introspection_then_401(
    realm: Realm, authenticator: Authenticator
) -> None:
    with pytest.raises(Unauthenticated, match="not a JWT from a trusted issuer"):
        await authenticator.authenticate(bearer(OPAQUE))


async def test_when_jwt_issuers_are_configured_then_jwts_never_go_to_introspection(
    realm: Realm, idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    authenticator = introspection(issuers=[issuer_entry(realm)])
    with pytest.raises(Unauthenticated, match="issuer is not trusted"):
        await authenticator.authenticate(bearer(realm.token(iss="https://sso.penipu.example")))
    assert (await authenticator.authenticate(bearer(realm.token()))).authenticated_by == "jwt"
    assert idp.introspection_calls == 0


async def test_when_no_issuer_is_configured_then_a_jwt_shaped_token_is_introspected(
    realm: Realm, idp: IdentityProvider, introspection: Callable[..., Authenticator]
) -> None:
    token = realm.token()
    idp.opaque[token] = active()
    principal = await introspection().authenticate(bearer(token))
    assert principal.authenticated_by == "introspection"


def test_when_secret_variable_is_unset_then_from_config_names_it(
    introspection: Callable[..., Authenticator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    with pytest.raises(ConfigError, match=SECRET_ENV):
        introspection()
