"""Several real `gerbang serve` replicas behind a real nginx, sharing one Redis and one keyring.

The topology of docker/compose.yaml on loopback: nginx load-balances two or more gateway
processes; every replica has the same configuration except its ports and its own audit directory
(one stream each, read together as an auditor does); conversations and rate limits live in one
Redis; every replica opens the same keyring with the same KEK, so pseudonyms and sealed mappings
agree. Callers' tokens come from `DemoIdentity` and the AI service is the recording
OpenAI-compatible assistant of the compliance tests; both run on an event loop in a background
thread of the test process, so tests can use their own loops. The policy comes from one real
OPA server that pulls the signed default bundle from a bundle service (tests/policies/
bundle_service.py), as in the compose stack; every replica asks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from audit.auditor_keys import generate as generate_auditor_key
from gateway.demo.identity import DemoCaller, DemoIdentity
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.gateway.compliance_rig import Upstream as Bodies
from tests.gateway.compliance_rig import upstream_app
from tests.gateway.process import HOST, Gerbang, Launcher, Upstream, group_members

T = TypeVar("T")
NGINX_START_DEADLINE_S = 10.0
REPLICA_START_DEADLINE_S = 90.0  # replicas start at once, each loading the PII engine
RATE_LIMITED_PREFIX = "/limited"
# The limited route: 10 requests at once per caller, then one a minute (none within a test).
RATE_BURST = 10
POLICY_CACHE_S = 1.0
"""How long a replica reuses a decision: a new policy revision reaches callers at most this long
after OPA activates it."""
_NGINX_SEARCH = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def find_nginx() -> str:
    """The nginx binary (scripts/install-bench-tools installs it), or skip loudly."""
    found = shutil.which("nginx") or next(
        (path for path in _NGINX_SEARCH if os.access(path, os.X_OK)), None
    )
    if found is None:
        message = "SCALE TESTS SKIPPED: nginx is not installed (scripts/install-bench-tools)"
        print(message, file=sys.stderr)
        pytest.skip(message)
    return found


def citizen(subject: str) -> DemoCaller:
    """A synthetic caller with the role the default policy grants `lara` to."""
    return DemoCaller(subject, ("warga",), "a citizen (scale tests)")


# -- the background loop: identity provider and recording upstream ------------------------------


class LoopThread:
    """An asyncio loop running in a daemon thread; `call` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="scale-loop", daemon=True
        )
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run `coroutine` on the background loop; its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        """Stop the loop and join the thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10.0)
        self.loop.close()


@dataclass
class Recorded:
    """What the assistant received, by the request id the gateway forwarded (X-Request-ID)."""

    bodies: dict[str, bytes] = field(default_factory=dict)

    def messages(self, request_id: str) -> list[str]:
        """The message texts of one forwarded request, as the upstream saw them."""
        body = json.loads(self.bodies[request_id])
        return [str(message.get("content")) for message in body.get("messages", [])]


def recording_assistant(recorded: Recorded) -> web.Application:
    """The compliance tests' OpenAI-compatible assistant, recording bodies by request id."""
    app = upstream_app(Bodies())

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        recorded.bodies[request.headers.get("X-Request-ID", "")] = await request.read()
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(record)
    return app


# -- nginx ----------------------------------------------------------------------------------------


def nginx_conf(prefix: Path, port: int, replica_ports: Sequence[int]) -> str:
    """The load balancer of docker/nginx/lb.conf on loopback: streaming both ways, no POST resent.

    Its access log names the replica (`upstream`) and the request id of every exchange.
    """
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = "".join(
        f"        server {HOST}:{p} max_fails=1 fail_timeout=5s;\n" for p in replica_ports
    )
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        "error_log stderr warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"{temp}"
        '    log_format replicas escape=json \'{"status":$status,"upstream":"$upstream_addr",'
        '"upstream_status":"$upstream_status","request_id":"$http_x_request_id"}\';\n'
        f"    access_log {prefix / 'access.log'} replicas;\n"
        "    upstream gerbang {\n"
        "        least_conn;\n"
        f"{servers}"
        "        keepalive 64;\n"
        "        keepalive_timeout 30s;\n"
        "    }\n"
        "    server {\n"
        f"        listen {HOST}:{port};\n"
        "        client_max_body_size 25m;\n"
        "        location / {\n"
        "            proxy_pass http://gerbang;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "            proxy_set_header Host $http_host;\n"
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "            proxy_request_buffering off;\n"
        "            proxy_buffering off;\n"
        "            proxy_connect_timeout 3s;\n"
        "            proxy_read_timeout 60s;\n"
        "            proxy_next_upstream error timeout;\n"
        "            proxy_next_upstream_tries 2;\n"
        "        }\n"
        "    }\n"
        "}\n"
    )


@dataclass
class Nginx:
    """A running nginx in the foreground, from its own prefix directory."""

    popen: subprocess.Popen[bytes]
    port: int
    prefix: Path

    @property
    def url(self) -> str:
        """The load balancer's base URL."""
        return f"http://{HOST}:{self.port}"

    def access_lines(self) -> list[dict[str, Any]]:
        """The load balancer's access log, one JSON object per exchange."""
        path = self.prefix / "access.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after a deadline."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(10.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5.0)


def start_nginx(prefix: Path, replica_ports: Sequence[int]) -> Nginx:
    """Write the configuration, check it with `nginx -t`, run nginx until it accepts connections."""
    binary = find_nginx()
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, port, replica_ports), encoding="utf-8")
    base = [binary, "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr"]
    checked = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, f"nginx -t refused the configuration:\n{checked.stderr}"
    with (prefix / "nginx.stderr").open("wb") as stderr:
        popen = subprocess.Popen(
            [*base, "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    nginx = Nginx(popen, port, prefix)
    deadline = time.monotonic() + NGINX_START_DEADLINE_S
    while True:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
            return nginx
        if popen.poll() is not None or time.monotonic() > deadline:
            nginx.stop()
            raise AssertionError(f"nginx did not start:\n{(prefix / 'nginx.stderr').read_text()}")
        time.sleep(0.05)


# -- process memory -------------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident set size of the process and its children in the same group, from /proc."""
    total = 0
    for member in (pid, *group_members(pid)):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


# -- the cluster ----------------------------------------------------------------------------------


@dataclass
class Replica:
    """One gateway replica: its process and its own audit directory."""

    name: str
    process: Gerbang
    audit_dir: Path
    config: dict[str, Any]

    @property
    def address(self) -> str:
        """How nginx names it in `$upstream_addr`."""
        return f"{HOST}:{self.process.port}"

    def request_ids(self) -> set[str]:
        """Request ids of the exchanges this replica answered, from its own access log."""
        return {str(line["request_id"]) for line in self.process.access_lines()}


@dataclass
class Cluster:
    """Everything the scale tests talk to."""

    tmp: Path
    loop: LoopThread
    identity: DemoIdentity
    upstream: Recorded
    redis_url: str
    keys_dir: Path
    kek_file: Path
    auditor_key: Path
    audit_root: Path
    launcher: Launcher
    opa_url: str
    nginx: Nginx | None = None
    replicas: list[Replica] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The load balancer: where every client request goes."""
        assert self.nginx is not None
        return self.nginx.url

    def headers(self, caller: DemoCaller, **extra: str) -> dict[str, str]:
        """A bearer token for `caller`, plus any extra headers."""
        return {"Authorization": f"Bearer {self.identity.token(caller)}", **extra}

    def replica_of(self) -> dict[str, str]:
        """Request id -> name of the replica whose access log holds it."""
        return {rid: replica.name for replica in self.replicas for rid in replica.request_ids()}

    def gerbang(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run a `gerbang` command (auditor tools) and return what it did."""
        return subprocess.run(
            [sys.executable, "-m", "gateway", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.tmp,
        )

    def replica_config(self, name: str, upstream_url: str) -> dict[str, Any]:
        """The configuration every replica shares; only ports and the audit directory differ."""
        redis = {"store": "redis", "redis_url": self.redis_url}
        chat = {
            "purpose": "layanan_informasi",
            "tags": {"service": "lara", "external": False},
            "pii": {"json_include": ["$.messages[*].content"], "language": "id"},
            "total_timeout": 60.0,
        }
        return {
            "server": {"host": HOST, "port": free_port(), "shutdown_timeout": 5.0},
            "admin": {"host": HOST, "port": free_port()},
            "logging": {"level": "info", "format": "json"},
            "auth": {
                "issuers": [
                    {
                        "issuer": self.identity.issuer,
                        "discovery": True,
                        "audiences": ["gerbang"],
                        "algorithms": ["RS256"],
                    }
                ]
            },
            "keys": {"dir": str(self.keys_dir), "kek": {"file": str(self.kek_file)}},
            "audit": {
                "dir": str(self.audit_root / name),
                "auditor_public_keys": [f"{self.auditor_key}.pub"],
                "truncate_client_address": True,
            },
            "policy": {
                "engine": "opa",
                "opa": {"url": self.opa_url, "timeout": 2.0},
                "cache": {"max_age": POLICY_CACHE_S},
            },
            "conversations": {"enabled": True, **redis, "timeout": 1.0, "ttl": 600.0},
            "rate_limits": {**redis, "on_store_failure": "refuse", "timeout": 0.5},
            "routes": [
                {"name": "lara", "path_prefix": "/v1", "upstream": upstream_url, **chat},
                {
                    "name": "lara-terbatas",
                    "path_prefix": RATE_LIMITED_PREFIX,
                    "upstream": f"{upstream_url}/v1",
                    "strip_prefix": True,
                    **chat,
                    "rate_limit": {"per_principal": {"rate": 1, "per": 60.0, "burst": RATE_BURST}},
                },
            ],
        }

    async def start_replica(self, config: dict[str, Any], name: str) -> Replica:
        """`gerbang serve` with `config`; waits until it is ready."""
        process = await self.launcher.serve(config, wait=False)
        await process.wait_ready(REPLICA_START_DEADLINE_S)
        return Replica(name, process, self.audit_root / name, config)

    def kill(self, replica: Replica) -> None:
        """SIGKILL the replica's whole process group: no shutdown, no flush, no close head."""
        replica.process.signalled = True
        os.killpg(replica.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_cluster(tmp: Path, redis_url: str, opa_url: str, replicas: int) -> Iterator[Cluster]:
    """Start the identity provider, the upstream, `replicas` gateways asking the OPA server at
    `opa_url`, and nginx; stop them all."""
    loop = LoopThread()
    identity = DemoIdentity()
    recorded = Recorded()
    upstream = Upstream(recording_assistant(recorded))
    keys_dir, kek_file, auditor_key = tmp / "keys", tmp / "kek", tmp / "auditor.pem"
    Keyring.create(keys_dir, create_kek_file(kek_file))
    generate_auditor_key(auditor_key)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    launcher = Launcher(tmp, [sys.executable, "-m", "gateway"], env)
    cluster = Cluster(
        tmp=tmp,
        loop=loop,
        identity=identity,
        upstream=recorded,
        redis_url=redis_url,
        keys_dir=keys_dir,
        kek_file=kek_file,
        auditor_key=auditor_key,
        audit_root=tmp / "audit",
        launcher=launcher,
        opa_url=opa_url,
    )
    try:
        loop.call(identity.start(HOST))
        loop.call(upstream.start())
        names = [f"replica-{n}" for n in range(1, replicas + 1)]
        configs = [cluster.replica_config(name, upstream.url) for name in names]

        async def start_all() -> list[Replica]:
            return list(
                await asyncio.gather(
                    *(cluster.start_replica(c, n) for c, n in zip(configs, names, strict=True))
                )
            )

        cluster.replicas = loop.call(start_all(), timeout=120.0)
        cluster.nginx = start_nginx(tmp / "nginx", [r.process.port for r in cluster.replicas])
        yield cluster
    finally:
        if cluster.nginx is not None:
            cluster.nginx.stop()
        with contextlib.suppress(Exception):
            loop.call(launcher.close(), timeout=120.0)
        with contextlib.suppress(Exception):
            loop.call(upstream.close())
        with contextlib.suppress(Exception):
            loop.call(identity.stop())
        loop.stop()
