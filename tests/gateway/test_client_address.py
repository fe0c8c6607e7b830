"""The client address behind trusted load balancers: X-Forwarded-For read from the right."""

from __future__ import annotations

import ipaddress

import pytest

from gateway.client_address import ClientAddresses
from gateway.config import config_from_mapping
from gateway.errors import ConfigError

BALANCERS = ClientAddresses([ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1")])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("10.0.0.5", None, "10.0.0.5"),  # a balancer's own request
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "198.51.100.9, 203.0.113.7", "203.0.113.7"),  # prepended part ignored
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two balancers in a row
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # only balancers: the farthest one
        ("10.0.0.5", "203.0.113.7, not-an-address", "10.0.0.5"),  # stop at the last sure hop
        ("10.0.0.5", "203.0.113.7:5123", "203.0.113.7"),  # with a port
        ("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.5", "2001:db8::7", "2001:db8::7"),
        ("::1", "203.0.113.7", "203.0.113.7"),
        ("::ffff:10.0.0.5", "203.0.113.7", "203.0.113.7"),  # an IPv4 peer on a dual socket
        ("203.0.113.50", "198.51.100.9", "203.0.113.50"),  # not a balancer: header ignored
        (None, "198.51.100.9", None),
        ("10.0.0.5", ["198.51.100.9", "203.0.113.7"], "203.0.113.7"),  # the balancer's own line
    ],
)
def test_when_a_request_names_a_forwarded_client_then_only_trusted_hops_are_believed(
    peer: str | None, forwarded_for: str | list[str] | None, client: str | None
) -> None:
    lines = [forwarded_for] if isinstance(forwarded_for, str) else forwarded_for or []
    assert BALANCERS.resolve(peer, lines) == client


def test_when_no_proxy_is_trusted_then_the_peer_is_the_client() -> None:
    assert ClientAddresses().resolve("10.0.0.5", ["203.0.113.7"]) == "10.0.0.5"


def test_when_trusted_proxies_are_configured_then_they_are_normalised_or_refused() -> None:
    routes = [{"name": "r", "path_prefix": "/", "upstream": "http://127.0.0.1:9", "public": True}]
    config = config_from_mapping(
        {"server": {"trusted_proxies": ["10.0.0.0/8", "::1"]}, "routes": routes}
    )
    assert config.server.trusted_proxies == ("10.0.0.0/8", "::1/128")
    with pytest.raises(ConfigError, match="trusted_proxies"):
        config_from_mapping({"server": {"trusted_proxies": ["10.0.0.1/8"]}, "routes": routes})
