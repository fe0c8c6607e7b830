"""docker/redis/redis.conf and users.acl (from docker/prepare) on a real redis-server: the
gateways' user can do what the gateway does and nothing else, the default user is off, and the
compose healthcheck passes without any password."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from gateway.conversations import RedisConversations
from gateway.ratelimit.redis_backend import KEY_PREFIX, TAKE_SCRIPT
from tests.docker.stack import DOCKER, ContainerPaths, free_port, running, services, tool_or_skip

GATEWAY_USER = "gerbang"


@pytest.fixture
def stack_redis(prepared, tmp_path):
    """redis-server with the stack's config, on a free loopback port; yields the port."""
    server = tool_or_skip("redis-server", "scripts/install-redis installs it")
    paths = ContainerPaths.of_service("redis", tmp_path, generated=prepared.generated)
    port = free_port()
    text = paths.rewrite((DOCKER / "redis" / "redis.conf").read_text("utf-8"))
    text = text.replace("bind 0.0.0.0", "bind 127.0.0.1").replace("port 6379", f"port {port}")
    config = tmp_path / "redis.conf"
    config.write_text(text, "utf-8")
    with running([server, str(config)], log=tmp_path / "redis.log"):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port


def _gateway_client(port, prepared):
    return redis.Redis(
        host="127.0.0.1",
        port=port,
        username=GATEWAY_USER,
        password=prepared.env["REDIS_PASSWORD"],
        socket_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )


def test_when_compose_checks_redis_then_the_healthcheck_passes(stack_redis):
    test = services()["redis"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    command = test[1].replace("redis-cli ", f"redis-cli -p {stack_redis} ", 1)
    assert subprocess.run(["sh", "-c", command], timeout=10).returncode == 0


def test_when_a_client_has_no_password_then_it_can_do_nothing(stack_redis):
    anonymous = redis.Redis(
        host="127.0.0.1", port=stack_redis, socket_timeout=2, retry=Retry(NoBackoff(), 0)
    )
    with pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.get("gerbang:conversation:x")
    health = redis.Redis(
        host="127.0.0.1",
        port=stack_redis,
        username="healthcheck",
        password="x",
        socket_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )
    assert health.ping() is True
    with pytest.raises(redis.exceptions.NoPermissionError):
        health.get("gerbang:conversation:x")


def test_when_the_gateway_uses_redis_then_its_commands_and_keys_are_allowed(prepared, stack_redis):
    client = _gateway_client(stack_redis, prepared)
    key = RedisConversations.PREFIX + "synthetic-conversation"
    assert client.set(key, b"sealed-bytes", px=60_000) is True
    assert client.get(key) == b"sealed-bytes"
    # The token-bucket script, as the rate limiter runs it (TIME, HMGET, HSET, PEXPIRE inside).
    allowed = client.eval(TAKE_SCRIPT, 1, KEY_PREFIX + "synthetic-bucket", "10", "0.000001")
    assert allowed[0] == 1
    # EVALSHA is granted (an unknown script is NOSCRIPT, not NOPERM): the limiter tries it first.
    with pytest.raises(redis.exceptions.NoScriptError):
        client.evalsha("0" * 40, 0)


def test_when_the_gateway_user_steps_outside_its_keys_or_commands_then_redis_refuses(
    prepared, stack_redis
):
    client = _gateway_client(stack_redis, prepared)
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.set("not-gerbang", b"x")
    for forbidden in (client.flushall, client.keys, client.config_get, client.info):
        with pytest.raises(redis.exceptions.NoPermissionError):
            forbidden()
    wrong = redis.Redis(
        host="127.0.0.1",
        port=stack_redis,
        username=GATEWAY_USER,
        password="not-the-password",
        socket_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )
    with pytest.raises(redis.exceptions.AuthenticationError):
        wrong.ping()
