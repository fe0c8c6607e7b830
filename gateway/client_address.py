"""Who the client is when the gateway stands behind load balancers it trusts.

Behind a load balancer every connection comes from the balancer, so rate limits of public routes,
the policy input's `client_address` and the audit record would all name the balancer. With
`[server] trusted_proxies`, a connection from one of those networks has its `X-Forwarded-For`
read from the right: each address that is itself a trusted proxy is skipped, and the first
that is not is the client (an attacker can prepend anything, but not change what the trusted
proxies appended). Without trusted proxies, or from any other peer, the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddresses:
    """Resolves the client address of a request from its peer and `X-Forwarded-For`."""

    def __init__(self, trusted: Sequence[Network] = ()) -> None:
        self._trusted = tuple(trusted)

    def resolve(self, peer: str | None, forwarded_for: Sequence[str]) -> str | None:
        """The client's address: `peer` unless it is a trusted proxy that forwarded for
        someone; a malformed entry stops the walk at the last trusted hop.

        `forwarded_for` holds every X-Forwarded-For line, in order: a balancer may add a line
        of its own after the client's rather than append to it.
        """
        if not self._trusted or peer is None or not forwarded_for or not self._is_trusted(peer):
            return peer
        client = peer
        for entry in reversed(",".join(forwarded_for).split(",")):
            address = _address(entry.strip())
            if address is None:
                return client  # not an address: nothing further left can be believed
            client = address
            if not self._is_trusted(address):
                return address
        return client

    def _is_trusted(self, address: str) -> bool:
        parsed = _parsed(address)
        return parsed is not None and any(parsed in network for network in self._trusted)


def _address(entry: str) -> str | None:
    """An address as written in X-Forwarded-For (also `[v6]:port` and `v4:port`), normalised."""
    if entry.startswith("["):
        entry = entry[1 : entry.find("]")] if "]" in entry else ""
    elif entry.count(":") == 1:
        entry = entry.split(":", 1)[0]
    parsed = _parsed(entry)
    return str(parsed) if parsed is not None else None


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed
