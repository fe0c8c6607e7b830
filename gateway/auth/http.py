"""The one HTTP client session used to reach identity providers (discovery, JWKS, introspection).

Documents are JSON objects of bounded size, fetched without following redirects (a redirect
could downgrade to plain http) and within one total timeout.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from gateway.errors import ConfigError

MAX_DOCUMENT_BYTES = 1024 * 1024
"""The largest discovery document, key set or introspection answer accepted."""


class FetchFailed(Exception):
    """A document could not be fetched; `reason` is safe to log (no URL query, no body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdpClient:
    """A lazily created aiohttp session for identity provider endpoints, owned by its creator."""

    def __init__(self, *, timeout: float, ca_file: Path | None = None) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ssl: ssl.SSLContext | bool = True
        if ca_file is not None:
            try:
                self._ssl = ssl.create_default_context(cafile=str(ca_file))
            except (ssl.SSLError, OSError) as exc:
                raise ConfigError(f"auth.ca_file: cannot load {ca_file}: {exc}") from exc
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use so it belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(ssl=self._ssl, limit=32),
                headers={"Accept": "application/json", "User-Agent": "gerbang"},
                trust_env=False,
            )
        return self._session

    async def get_json(self, url: str) -> dict[str, Any]:
        """GET a JSON object."""
        return await self._request("GET", url)

    async def post_form_json(
        self, url: str, form: Mapping[str, str], authorization: str
    ) -> dict[str, Any]:
        """POST a form with this Authorization header value; the answer is a JSON object."""
        return await self._request(
            "POST", url, data=dict(form), headers={"Authorization": authorization}
        )

    async def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._client().request(
                method, url, allow_redirects=False, **kwargs
            ) as response:
                if response.status != 200:
                    raise FetchFailed(f"HTTP status {response.status}")
                body = bytearray()
                async for chunk in response.content.iter_any():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise FetchFailed(f"document larger than {MAX_DOCUMENT_BYTES} bytes")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FetchFailed(type(exc).__name__) from None
        try:
            document = json.loads(body)
        except ValueError:
            raise FetchFailed("document is not JSON") from None
        if not isinstance(document, dict):
            raise FetchFailed("document is not a JSON object")
        return document

    async def close(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
