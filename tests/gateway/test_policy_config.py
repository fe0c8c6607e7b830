"""The `[policy]` section and the engine built from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.policy_config import PolicyConfig
from gateway.policy_engine import create_engine, reloadable
from policies import DEFAULT_BUNDLE
from policies.cache import CachingEngine
from policies.embedded import EmbeddedEngine
from policies.opa_server import OpaServerEngine
from policies.store import load_policy_files
from tests.policies.table import CITIZEN


def _config(data: dict[str, object], base: Path | None = None) -> PolicyConfig:
    return PolicyConfig.model_validate(data, context={"base_dir": base or Path.cwd()})


def test_defaults_are_the_embedded_engine_on_the_shipped_bundle() -> None:
    config = _config({})
    assert (config.engine, config.dir, config.watch_interval) == ("embedded", DEFAULT_BUNDLE, 2.0)
    assert (config.cache.max_entries, config.cache.max_age) == (10_000, 5.0)
    assert (config.opa.url, config.opa.timeout, config.opa.retries) == (
        "http://127.0.0.1:8181", 0.5, 0)  # fmt: skip


def test_relative_dir_is_resolved_against_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    assert _config({"dir": "rules"}, tmp_path).dir == tmp_path / "rules"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"engine": "wasm"}, "engine"),
        ({"dir": "/no/such/dir"}, "no such policy directory or bundle"),
        ({"opa": {"url": "http://127.0.0.1:8181/v1/data"}}, "without a path"),
        ({"opa": {"url": "http://user:pw@127.0.0.1:8181"}}, "credentials"),
        ({"opa": {"timeout": 0}}, "timeout"),
        ({"opa": {"token": "inline-secret"}}, "secrets are never written in the config"),
        ({"cache": {"max_entries": -1}}, "max_entries"),
        ({"watch_interval": -1}, "watch_interval"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_settings_are_refused_by_name(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _config(data)


async def test_embedded_engine_behind_the_cache() -> None:
    engine = create_engine(_config({}))
    try:
        assert isinstance(engine, CachingEngine)
        assert isinstance(engine.engine, EmbeddedEngine)
        assert (await engine.decide(CITIZEN)).allow is True
        assert (await engine.decide(CITIZEN)).allow is True
        assert engine.cache.hits == 1
        assert reloadable(engine) is engine.engine
    finally:
        await engine.close()


async def test_opa_engine_without_cache_records_the_files_revision(opa_url: str) -> None:
    engine = create_engine(
        _config(
            {"engine": "opa", "opa": {"url": opa_url, "timeout": 5}, "cache": {"max_entries": 0}}
        )
    )
    try:
        assert isinstance(engine, OpaServerEngine)
        assert engine.revision == load_policy_files(DEFAULT_BUNDLE).revision
        assert (await engine.decide(CITIZEN)).allow is True
        assert reloadable(engine) is None
    finally:
        await engine.close()
