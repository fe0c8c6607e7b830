"""The OPA server engine: decisions from a running `opa run --server`, through opa-python-client.

`AsyncOpaClient.query_rule` POSTs `{"input": ...}` to /v1/data/gerbang/decision. OPA answers an
undefined rule with no `result` key: that is a refusal (403). When OPA cannot answer - connection
refused, no answer within `timeout` seconds (retries included), an HTTP error status - the engine
raises PolicyUnavailable (503). A `result` that is not a well-formed decision is a refusal.

Queries ask for provenance: when OPA serves a bundle, its answer names the bundle's revision, and
that is the revision the decision carries (and `revision` follows it). A replica therefore records
the policy revision OPA actually decided with, whenever OPA activated a new bundle.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Mapping

import aiohttp
from opa_client import AsyncOpaClient
from yarl import URL

from policies.decision import Decision, parse_decision
from policies.engine import PACKAGE, RULE
from policies.errors import PolicyUnavailable
from policies.store import MAX_REVISION_CHARS

log = logging.getLogger(__name__)


_PROVENANCE: dict[str, bool] = {"provenance": True}


def bundle_revision(answer: Mapping[str, object]) -> str | None:
    """The revision in an OPA answer's provenance when OPA serves exactly one bundle with one
    (printable, at most 128 characters as audit records hold); None otherwise."""
    provenance = answer.get("provenance")
    bundles = provenance.get("bundles") if isinstance(provenance, dict) else None
    if not isinstance(bundles, dict) or len(bundles) != 1:
        return None
    (bundle,) = bundles.values()
    revision = bundle.get("revision") if isinstance(bundle, dict) else None
    if not isinstance(revision, str) or not revision:
        return None
    if len(revision) > MAX_REVISION_CHARS or not revision.isprintable():
        return None
    return revision


class OpaServerEngine:
    """PolicyEngine asking an OPA server over its REST Data API."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.5,
        retries: int = 0,
        token: str | None = None,
        revision: str | None = None,
        package: str = PACKAGE,
        rule: str = RULE,
    ) -> None:
        """`url` is OPA's base URL (http://127.0.0.1:8181); `revision` names the policy files
        OPA serves (their SHA-256), when the caller knows them."""
        parsed = URL(url)
        if (
            parsed.scheme not in ("http", "https")
            or not parsed.host
            or parsed.path not in ("", "/")
        ):
            raise ValueError("the OPA url must be http(s)://HOST[:PORT] without a path")
        if timeout <= 0 or retries < 0:
            raise ValueError("timeout must be positive and retries not negative")
        self._url = str(parsed.with_path(""))
        self._host, self._port, self._ssl = (
            parsed.host,
            parsed.port or 8181,
            parsed.scheme == "https",
        )
        self._timeout = timeout
        self._retries = retries
        self._token = token
        self._package, self._rule = package, rule
        self._revision = revision or hashlib.sha256(f"opa-server {self._url}".encode()).hexdigest()
        self._configured_revision = self._revision
        self._client: AsyncOpaClient | None = None
        self._session = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    @property
    def revision(self) -> str:
        """The bundle revision OPA named in its last answer; before that (or when OPA serves
        no bundle) the revision given at construction, else a digest of the server's URL."""
        return self._revision

    @property
    def url(self) -> str:
        """OPA's base URL."""
        return self._url

    async def decide(self, input: Mapping[str, object]) -> Decision:
        """Ask OPA for data.gerbang.decision; PolicyUnavailable when it cannot answer."""
        client = await self._connected()
        try:
            async with asyncio.timeout(self._timeout):
                answer = await client.query_rule(
                    input_data=dict(input),
                    package_path=self._package,
                    rule_name=self._rule,
                    query_params=_PROVENANCE,
                )
        except TimeoutError:
            raise PolicyUnavailable(
                f"the policy server did not answer within {self._timeout:g} s"
            ) from None
        except aiohttp.ContentTypeError:
            log.warning("the policy server answered with something that is not JSON; refusing")
            return Decision.deny()
        except aiohttp.ClientResponseError as exc:
            raise PolicyUnavailable(f"the policy server answered HTTP {exc.status}") from None
        except (aiohttp.ClientError, OSError):
            raise PolicyUnavailable("the policy server is unreachable") from None
        except ValueError:  # a JSON body that does not parse
            log.warning("the policy server answered with malformed JSON; refusing")
            return Decision.deny()
        if not isinstance(answer, dict):
            return Decision.deny()
        revision = bundle_revision(answer)
        if revision is not None:
            self._revision = revision
        decision = (
            parse_decision(answer["result"], source=f"OPA at {self._url}")
            if "result" in answer
            else Decision.deny()  # undefined: OPA omits `result`
        )
        # Without a single bundle named in this answer, the revision is the configured one, not
        # whatever an earlier answer named.
        return dataclasses.replace(decision, revision=revision or self._configured_revision)

    async def close(self) -> None:
        """Close the HTTP session."""
        async with self._lock:
            self._client = None
            await self._session.aclose()

    async def _connected(self) -> AsyncOpaClient:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                self._client = await self._session.enter_async_context(
                    AsyncOpaClient(
                        host=self._host,
                        port=self._port,
                        ssl=self._ssl,
                        token=self._token,
                        retries=self._retries,
                        timeout=self._timeout,
                    )
                )
            return self._client
