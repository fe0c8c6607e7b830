"""The policy engine a `[policy]` configuration section describes."""

from __future__ import annotations

from policies.cache import CachingEngine, DecisionCache
from policies.config import PolicyConfig
from policies.embedded import EmbeddedEngine
from policies.engine import PolicyEngine
from policies.opa_server import OpaServerEngine
from policies.store import PolicyLoadError, load_policy_files


def create_engine(config: PolicyConfig) -> PolicyEngine:
    """The engine `config` describes, behind the cache when it has entries.

    Raises PolicyLoadError when the embedded engine cannot load the files, and ConfigError
    when the OPA token cannot be read.
    """
    engine: PolicyEngine
    if config.engine == "embedded":
        engine = EmbeddedEngine(config.dir)
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


def reloadable(engine: PolicyEngine) -> EmbeddedEngine | None:
    """The engine whose policy files the gateway reloads (on SIGHUP, and with `watch()` every
    `watch_interval` seconds), seen through the cache; None for the OPA engine, whose server
    reloads its own files."""
    inner = engine.engine if isinstance(engine, CachingEngine) else engine
    return inner if isinstance(inner, EmbeddedEngine) else None
