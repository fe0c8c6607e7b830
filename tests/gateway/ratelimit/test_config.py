"""`[rate_limits]` and `[routes.rate_limit]`: defaults; bad values refused with a clear reason."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gateway.ratelimit.config import BucketConfig, RateLimitsConfig, RouteRateLimit


def test_when_burst_is_omitted_then_the_bucket_holds_rate_tokens():
    bucket = BucketConfig.model_validate({"rate": 10, "per": 2})
    assert bucket.capacity == 10
    assert bucket.refill_per_second == 5.0
    assert BucketConfig.model_validate({"rate": 10, "burst": 20}).capacity == 20


def test_when_nothing_is_configured_then_memory_store_and_refuse_on_failure():
    config = RateLimitsConfig()
    assert config.store == "memory"
    assert config.on_store_failure == "refuse"


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (RouteRateLimit, {}, "give per_principal, per_service or both"),
        (BucketConfig, {"rate": 0}, "greater than or equal to 1"),
        (BucketConfig, {"rate": 1.5}, "valid integer"),
        (BucketConfig, {"rate": 1, "per": 0}, "greater than 0"),
        (BucketConfig, {"rate": 1, "burst": 0}, "greater than or equal to 1"),
        (BucketConfig, {"rate": 1, "perr": 1}, "Extra inputs are not permitted"),
        (RateLimitsConfig, {"store": "redis"}, "needs redis_url"),
        (RateLimitsConfig, {"store": "disk"}, "'memory' or 'redis'"),
        (RateLimitsConfig, {"redis_url": "redis://h:6379/0"}, 'only used with store = "redis"'),
        (RateLimitsConfig, {"store": "redis", "redis_url": "http://h/"}, "redis://"),
        (
            RateLimitsConfig,
            {"store": "redis", "redis_url": "redis://user:hunter2@h:6379/0"},
            "no password in the URL",
        ),
        (
            RateLimitsConfig,
            {"store": "redis", "redis_url": "redis://h/0", "redis_password": "hunter2"},
            "secrets are never written in the config",
        ),
        (RateLimitsConfig, {"on_store_failure": "open"}, "'refuse' or 'local'"),
    ],
)
def test_when_a_value_is_wrong_then_validation_names_the_problem(
    model: Any, data: dict[str, Any], message: str
):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    messages = " ".join(error["msg"] for error in caught.value.errors())
    assert message in messages
    assert "hunter2" not in messages  # the config error the gateway prints never quotes a secret


def test_when_the_password_comes_from_the_environment_then_it_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("GERBANG_TEST_REDIS_PASSWORD", "synthetic-password")
    config = RateLimitsConfig.model_validate(
        {
            "store": "redis",
            "redis_url": "redis://127.0.0.1:6379/0",
            "redis_password": {"env": "GERBANG_TEST_REDIS_PASSWORD"},
            "on_store_failure": "local",
        }
    )
    assert config.redis_password is not None
    assert config.redis_password.reveal() == "synthetic-password"
