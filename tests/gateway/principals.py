"""A synthetic caller for tests that need a verified principal without a token."""

from __future__ import annotations

from gateway.auth.principal import Principal

ISSUER = "https://sso.example.go.id"


def citizen(subject: str = "warga-1", issuer: str = ISSUER) -> Principal:
    """A JWT-authenticated citizen (role `warga`) of `issuer`."""
    return Principal(
        issuer=issuer,
        subject=subject,
        client_id=None,
        roles=("warga",),
        groups=(),
        scopes=(),
        agency=None,
        authenticated_by="jwt",
        expires_at=None,
    )
