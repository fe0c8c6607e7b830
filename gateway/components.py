"""The long-lived parts of one worker, built from the config: who, what policy, what PII, what log.

Built once per worker process and shared by every exchange. `start` opens what needs the event
loop (key sets, the audit log, Redis); `close` releases it after the drain. Anything that cannot
be built is a ConfigError naming the section, so the gateway refuses to start rather than run
without a control it was configured to have.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from audit.errors import AuditUnavailable
from audit.writer import AuditWriter
from gateway.audit_config import open_audit_writer
from gateway.audit_trail import AuditTrail
from gateway.auth import Authenticator
from gateway.config import GatewayConfig, KeysConfig
from gateway.conversations import (
    ConversationStore,
    MappingSealer,
    MemoryConversations,
    RedisConversations,
)
from gateway.errors import ConfigError
from gateway.findings_cache import FindingsCache
from gateway.policy_engine import create_engine
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.metrics import RateLimitMetrics
from keys.aead import AeadSealer
from keys.algorithms import sha256
from keys.errors import KeysError
from keys.kek import load_kek
from keys.keyring import Keyring
from pii.anonymizer import Anonymizer
from pii.engine import PiiEngine
from policies.cache import CachingEngine
from policies.embedded import EmbeddedEngine
from policies.engine import PolicyEngine
from policies.store import PolicyLoadError

LOG = logging.getLogger("gerbang.components")
DETECTION_THREADS = 2


def open_keyring(config: KeysConfig) -> Keyring:
    """Open the keyring; any problem (permissions, wrong KEK) is a ConfigError naming it."""
    try:
        kek = load_kek(file=config.kek.file, env=config.kek.env)
        return Keyring.open(config.dir, kek)
    except KeysError as exc:
        raise ConfigError(f"[keys]: {exc}") from None


@dataclass
class Components:
    """Everything the exchange stages share within one worker."""

    config: GatewayConfig
    pii: PiiEngine
    anonymizer: Anonymizer
    executor: ThreadPoolExecutor
    policy: PolicyEngine
    authenticator: Authenticator | None = None
    keyring: Keyring | None = None
    audit_writer: AuditWriter | None = None
    audit: AuditTrail | None = None
    conversations: ConversationStore | None = None
    rate_limiter: RateLimiter | None = None
    findings_cache: FindingsCache | None = None
    _watcher: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        config: GatewayConfig,
        *,
        audit_stream: str | None = None,
        rate_limit_metrics: RateLimitMetrics | None = None,
    ) -> Components:
        """Construct (not yet started) from a validated config."""
        keyring = open_keyring(config.keys) if config.keys is not None else None
        pii = PiiEngine()
        anonymizer = Anonymizer(
            hash_key=keyring.current("pseudonym").material if keyring else None,
            sealer=keyring.token_sealer() if keyring else None,
        )
        components = cls(
            config=config,
            pii=pii,
            anonymizer=anonymizer,
            executor=ThreadPoolExecutor(DETECTION_THREADS, thread_name_prefix="gerbang-pii"),
            policy=_policy_engine(config),
            authenticator=Authenticator.from_config(config.auth) if config.auth else None,
            keyring=keyring,
        )
        if config.detection.cache_entries:
            components.findings_cache = FindingsCache(config.detection.cache_entries)
        if config.audit is not None:
            assert keyring is not None  # the config validation requires [keys] with [audit]
            components.audit_writer = open_audit_writer(
                config.audit, keyring.signer, stream=audit_stream
            )
            components.audit = AuditTrail(
                components.audit_writer,
                keyring.pseudonym,
                truncate_client=config.audit.truncate_client_address,
            )
        else:
            LOG.warning("no [audit] section: exchanges are not recorded in an access log")
        components.conversations = _conversation_store(config, keyring)
        limits = {route.name: route.rate_limit for route in config.routes if route.rate_limit}
        if limits:
            components.rate_limiter = RateLimiter.from_config(
                config.rate_limits,
                limits,
                pseudonym=keyring.pseudonym if keyring else _digest_pseudonym,
                metrics=rate_limit_metrics,
            )
        return components

    @property
    def embedded_policy(self) -> EmbeddedEngine | None:
        """The in-process engine, when that is the one deciding (it can reload its files)."""
        engine = self.policy.engine if isinstance(self.policy, CachingEngine) else self.policy
        return engine if isinstance(engine, EmbeddedEngine) else None

    async def reload_policy(self) -> None:
        """Reload the policy files (SIGHUP); a broken policy is refused, the old one stays."""
        embedded = self.embedded_policy
        if embedded is not None:
            result = await embedded.reload()
            log = LOG.warning if result.status == "refused" else LOG.info
            log(
                "policy reload %s",
                result.status,
                extra={"revision": result.revision, "problem": result.error},
            )

    async def start(self) -> None:
        """Open the audit log and policy engine; fetch issuers' keys early where possible."""
        if self.audit_writer is not None:
            try:
                await self.audit_writer.start()
            except AuditUnavailable as exc:
                raise ConfigError(f"[audit]: {exc}") from None
        embedded = self.embedded_policy
        interval = self.config.policy.watch_interval
        if embedded is not None and embedded.poller is not None:  # [policy] bundle_url
            self._watcher = asyncio.create_task(embedded.poll(), name="policy-bundle-poll")
        elif embedded is not None and interval > 0:
            self._watcher = asyncio.create_task(embedded.watch(interval), name="policy-watch")
        if self.authenticator is not None:
            await self.authenticator.warm_up()

    async def close(self) -> None:
        """Release connections and flush the audit log (after the drain)."""
        if self._watcher is not None:
            self._watcher.cancel()
        if self.authenticator is not None:
            await self.authenticator.close()
        if self.rate_limiter is not None:
            await self.rate_limiter.close()
        await self.policy.close()
        if self.conversations is not None:
            await self.conversations.close()
        if self.audit_writer is not None:
            await self.audit_writer.close()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _policy_engine(config: GatewayConfig) -> PolicyEngine:
    try:
        return create_engine(config.policy)
    except PolicyLoadError as exc:
        raise ConfigError(f"[policy]: {exc}") from None


def _digest_pseudonym(value: str) -> str:
    return "d:" + sha256(value.encode()).hex()


def _conversation_store(config: GatewayConfig, keyring: Keyring | None) -> ConversationStore | None:
    settings = config.conversations
    if not settings.enabled:
        return None
    # Without a keyring (memory store only) mappings are sealed with a key of this process.
    sealer = MappingSealer(keyring.token_sealer() if keyring else AeadSealer(os.urandom(32)))
    if settings.store == "redis":
        assert settings.redis_url is not None  # the config model requires it
        return RedisConversations(
            sealer,
            url=settings.redis_url,
            password=settings.redis_password.reveal() if settings.redis_password else None,
            ttl=settings.ttl,
            timeout=settings.timeout,
        )
    return MemoryConversations(sealer, ttl=settings.ttl, max_entries=settings.max_entries)
