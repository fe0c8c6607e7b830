"""Optional key-encryption key held by Vault or OpenBao transit: the KEK never leaves the server.

`VaultTransitKek` implements `keys.kek.KeyEncryptionKey` with an `aes256-gcm96` transit key:
wrap is `POST {address}/v1/{mount}/encrypt/{key}` and unwrap `POST .../decrypt/{key}`, each with
the entry's associated data as `associated_data` (Vault 1.13+, OpenBao). The token comes from the
environment (`VAULT_TOKEN` or `BAO_TOKEN` by default), never from a file or the config text.
Transit key rotation (`.../keys/{key}/rotate`) and `rewrap` stay Vault's own operations: old
ciphertexts keep opening as long as Vault keeps the old key versions.

Errors: a refusal by the transit key (wrong key, changed ciphertext or associated data) is a
`CryptoError`, like a local KEK; an unreachable server, a bad token or a missing key is a
`KekError` naming the server and key, never the token.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from keys.algorithms import CryptoError
from keys.errors import KekError

TOKEN_VARIABLES = ("VAULT_TOKEN", "BAO_TOKEN")


class VaultTransitKek:
    """Wraps key material with a Vault/OpenBao transit key over its HTTP API."""

    def __init__(
        self,
        address: str,
        key_name: str,
        token: str,
        *,
        mount: str = "transit",
        namespace: str | None = None,
        ca_file: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KekError(f"Vault address {address!r}: expected http(s)://host:port")
        if not key_name or not mount:
            raise KekError("Vault transit: a key name and a mount are required")
        self._base = f"{address.rstrip('/')}/v1/{quote(mount.strip('/'))}"
        self._key = quote(key_name, safe="")
        self._source = f"Vault transit key {mount.strip('/')}/{key_name} at {address.rstrip('/')}"
        self._headers = {"X-Vault-Token": token, "Content-Type": "application/json"}
        if namespace:
            self._headers["X-Vault-Namespace"] = namespace
        self._context = (
            ssl.create_default_context(cafile=ca_file) if parts.scheme == "https" else None
        )
        self._timeout = timeout

    @classmethod
    def from_env(
        cls,
        address: str,
        key_name: str,
        *,
        token_env: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> VaultTransitKek:
        """Like the constructor, with the token read from `token_env` (or VAULT_TOKEN/BAO_TOKEN)."""
        env = os.environ if environ is None else environ
        names = (token_env,) if token_env else TOKEN_VARIABLES
        token = next((env[name] for name in names if env.get(name)), None)
        if token is None:
            raise KekError(f"Vault transit: set the token in {' or '.join(names)}")
        return cls(address, key_name, token, **options)

    @property
    def source(self) -> str:
        """The server and transit key, for messages (never the token)."""
        return self._source

    def wrap(self, material: bytes, associated_data: bytes) -> bytes:
        """The transit ciphertext ("vault:v1:...") of `material`, as UTF-8 bytes."""
        answer = self._call("encrypt", {"plaintext": _b64(material)}, associated_data)
        ciphertext = answer.get("ciphertext")
        if not isinstance(ciphertext, str):
            raise KekError(f"{self._source}: encrypt answered without a ciphertext")
        return ciphertext.encode("utf-8")

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """The material; CryptoError when the transit key refuses the ciphertext."""
        try:
            ciphertext = wrapped.decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("cannot unwrap: not a transit ciphertext") from None
        if not ciphertext.startswith("vault:v"):
            raise CryptoError("cannot unwrap: not a transit ciphertext")
        answer = self._call("decrypt", {"ciphertext": ciphertext}, associated_data)
        try:
            return base64.b64decode(str(answer.get("plaintext", "")), validate=True)
        except (binascii.Error, ValueError):
            raise KekError(f"{self._source}: decrypt answered without a plaintext") from None

    def __repr__(self) -> str:
        return f"VaultTransitKek({self._source})"

    def _call(self, operation: str, body: dict[str, str], associated_data: bytes) -> dict[str, Any]:
        body = {**body, "associated_data": _b64(associated_data)}
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
            f"{self._base}/{operation}/{self._key}",
            data=json.dumps(body).encode("utf-8"),
            headers=self._headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self._timeout, context=self._context
            ) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            errors = _errors(exc)
            if exc.code == 400 and operation == "decrypt":
                raise CryptoError(f"cannot unwrap: {errors}") from None
            raise KekError(
                f"{self._source}: {operation} refused (HTTP {exc.code}: {errors})"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise KekError(f"{self._source}: unreachable ({reason})") from None
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise KekError(f"{self._source}: {operation} answered without data")
        return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _errors(exc: urllib.error.HTTPError) -> str:
    try:
        errors = json.loads(exc.read()).get("errors")
    except (ValueError, AttributeError, OSError):
        return "no details"
    if isinstance(errors, list) and errors:
        return "; ".join(str(error) for error in errors)[:200]
    return "no details"
