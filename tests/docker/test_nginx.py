"""docker/nginx/*.conf: accepted by a real nginx (`nginx -t`), with the files compose mounts.

Each configuration is checked as the service that mounts it sees it: its container paths (tmpfs,
secrets, mounted certificates) are mapped into a temporary directory, and the compose service names
it proxies to are mapped to 127.0.0.1, since Docker's DNS is not here. Anything else it names would
make nginx fail, as it would in the container.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import trustme

from tests.docker.stack import DOCKER, ContainerPaths, services, tool_or_skip

NGINX_SERVICES = ("lb", "bundles", "oidc")


def _config_source(name: str) -> str:
    for volume in services()[name]["volumes"]:
        if isinstance(volume, str) and volume.endswith(":/etc/nginx/nginx.conf:ro"):
            return volume.split(":")[0]
    raise AssertionError(f"{name} mounts no /etc/nginx/nginx.conf")


def _with_loopback_upstreams(text: str) -> str:
    names = "|".join(re.escape(name) for name in services())
    return re.sub(rf"\b(server\s+)({names}):(\d+)", r"\g<1>127.0.0.1:\3", text)


@pytest.mark.parametrize("name", NGINX_SERVICES)
def test_when_nginx_reads_the_service_config_then_it_accepts_it(name, tmp_path):
    nginx = tool_or_skip("nginx", "apt-get install nginx-light; it is the load balancer here")
    generated = tmp_path / "generated"
    ca = trustme.CA()
    cert = ca.issue_cert("oidc.gerbang.test", "localhost", "127.0.0.1")
    (generated / "tls").mkdir(parents=True)
    cert.cert_chain_pems[0].write_to_path(str(generated / "tls" / "oidc.pem"))
    (generated / "bundles").mkdir()
    paths = ContainerPaths.of_service(
        name,
        tmp_path,
        generated=generated,
        secrets={"OIDC_TLS_KEY": cert.private_key_pem.bytes().decode("ascii")},
    )
    source = DOCKER / _config_source(name)
    config = tmp_path / "nginx.conf"
    config.write_text(_with_loopback_upstreams(paths.rewrite(source.read_text("utf-8"))), "utf-8")
    # Every file nginx would touch is one the service has: mapped here, or a /dev stream.
    directives = re.sub(r"#[^\n]*", "", config.read_text("utf-8"))
    for path in re.findall(r"(?<=\s)(/[^\s;\"]*)", directives):
        if path not in ("/", "/healthz", "/bundles/"):
            assert path.startswith((str(tmp_path), "/dev/")), f"{name}: {path} is not mounted"
    done = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr


def test_when_the_load_balancer_proxies_then_it_balances_every_replica_and_streams():
    text = (DOCKER / "nginx" / "lb.conf").read_text("utf-8")
    upstream = re.search(r"upstream gerbang \{(.*?)\}", text, re.S)
    assert upstream is not None
    servers = re.findall(r"server\s+([\w-]+):8080", upstream.group(1))
    assert servers == ["gateway-1", "gateway-2"]
    assert set(servers) <= set(services())
    for directive in (
        "proxy_request_buffering off;",  # request bodies stream to the gateway
        "proxy_buffering off;",  # text/event-stream answers reach the client event by event
        "proxy_http_version 1.1;",
        "proxy_next_upstream error timeout;",  # never `non_idempotent`: a POST is sent once
    ):
        assert directive in text, directive


@pytest.mark.parametrize("name", NGINX_SERVICES)
def test_when_nginx_logs_then_no_path_or_query_string_is_written(name):
    text = (DOCKER / _config_source(name)).read_text("utf-8")
    formats = re.findall(r"log_format\s+\w+[^;]*;", text, re.S)
    assert formats, f"{name}: no log_format of its own (the default one logs $request)"
    forbidden = re.compile(
        r"\$(request(?![_a-z])|request_uri|uri|args|arg_\w+|query_string|request_body"
        r"|http_authorization|http_cookie|http_referer)"
    )
    for log_format in formats:
        assert not forbidden.search(log_format), f"{name}: {log_format}"
