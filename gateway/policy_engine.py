"""The policy engine a `[policy]` configuration section describes."""

from __future__ import annotations

from gateway.policy_config import PolicyConfig
from policies.cache import CachingEngine, DecisionCache
from policies.embedded import EmbeddedEngine
from policies.engine import PolicyEngine
from policies.opa_server import OpaServerEngine
from policies.remote import BundlePoller
from policies.signing import VerificationKey, load_verification_key
from policies.store import PolicyLoadError, load_policy_files


def create_engine(config: PolicyConfig) -> PolicyEngine:
    """The engine `config` describes, behind the cache when it has entries.

    Raises PolicyLoadError when the embedded engine cannot load the files (or the verification
    key, or with `bundle_url` a first bundle), and ConfigError when the OPA token cannot be read.
    With `bundle_url` this downloads the bundle before returning (blocking, at most a few
    seconds): the gateway starts only with a verified policy.
    """
    engine: PolicyEngine
    if config.engine == "embedded":
        engine = _embedded_engine(config)
    else:
        revision: str | None
        try:
            revision = load_policy_files(config.dir).revision
        except PolicyLoadError:
            revision = None
        engine = OpaServerEngine(
            config.opa.url,
            timeout=config.opa.timeout,
            retries=config.opa.retries,
            token=config.opa.token.reveal() if config.opa.token else None,
            revision=revision,
        )
    if config.cache.max_entries == 0:
        return engine
    return CachingEngine(engine, DecisionCache(config.cache.max_entries, config.cache.max_age))


def _embedded_engine(config: PolicyConfig) -> EmbeddedEngine:
    key: VerificationKey | None = None
    if config.verification_key is not None:
        try:
            key = load_verification_key(config.verification_key)
        except ValueError as exc:
            raise PolicyLoadError("verification_key", str(exc)) from None
    if config.bundle_url is None:
        return EmbeddedEngine(config.dir, verification_key=key)
    # the config model requires both with bundle_url
    assert key is not None
    assert config.bundle_cache is not None
    poller = BundlePoller(
        config.bundle_url, config.bundle_cache, key, interval=config.polling_interval
    )
    poller.prime()
    return EmbeddedEngine(config.bundle_cache, verification_key=key, poller=poller)


def reloadable(engine: PolicyEngine) -> EmbeddedEngine | None:
    """The engine whose policy files the gateway reloads (on SIGHUP, and with `watch()` every
    `watch_interval` seconds), seen through the cache; None for the OPA engine, whose server
    reloads its own files."""
    inner = engine.engine if isinstance(engine, CachingEngine) else engine
    return inner if isinstance(inner, EmbeddedEngine) else None
