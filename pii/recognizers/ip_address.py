"""IP_ADDRESS: IPv4 (`203.0.113.7`) and IPv6 (`2001:db8::8a2e:370:7334`) addresses.

Candidates are validated with the standard `ipaddress` module: IPv4 octets 0-255 without leading
zeros, IPv6 in any RFC 4291 spelling (with `::`, an embedded IPv4 tail or a `%zone`). An IPv6
candidate must hold a digit, so words such as `dead::beef` or `std::vector`-like text are not
addresses. A CIDR suffix (`/24`) is left outside the span.

Not addresses of anyone: the unspecified address (`0.0.0.0`, `::`), loopback (`127.0.0.1`,
`::1`), broadcast `255.255.255.255`, multicast, and netmasks (`255.255.255.0`). Private and
documentation ranges are kept: they still identify a device or a customer network.

Version numbers are not addresses: four dotted numbers glued to a letter (`v1.2.3.4`,
`Chrome/1.2.3.4`) never match, and ones right after a version word (versi, version, ver, rilis,
release, build, update, pasal, section) are rejected; a fifth dotted group (`1.2.3.4.5`) makes the
whole thing a version too.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, RecognizerResult

from pii.recognizers.base import GerbangRecognizer

_OCTET = r"\d{1,3}"
IPV4_REGEX = rf"(?<![\w.])(?<!\w[\-/]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w\-])(?!\.\d)"
IPV6_REGEX = (
    r"(?<![\w:.])"
    r"(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{1,4})?"
    r"(?:%[\w\-]+)?"
    r"(?![\w:])(?!\.\d)"
)

_VERSION_BEFORE = re.compile(
    r"\b(?:versi|version|ver|v|rilis|release|build|update|pembaruan|pasal|section|bab)\.?\s*$",
    re.IGNORECASE,
)
_NETMASKS = frozenset(
    str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").netmask) for bits in range(1, 33)
)


def reportable_ip(text: str) -> bool:
    """True for a valid IPv4 or IPv6 address that can point at a person's device or network."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if address.version == 6 and not any(ch.isdigit() for ch in text.split("%")[0]):
        return False
    if address.version == 4 and text in _NETMASKS:
        return False
    return not (address.is_unspecified or address.is_loopback or address.is_multicast)


class IpAddressRecognizer(GerbangRecognizer):
    """Finds IPv4 and IPv6 addresses; validates them and leaves version numbers alone."""

    ENTITY = "IP_ADDRESS"
    PATTERNS = (Pattern("ipv4", IPV4_REGEX, 0.6), Pattern("ipv6", IPV6_REGEX, 0.6))
    CONTEXT = (
        "ip", "alamat ip", "ip address", "ip publik", "ipv4", "ipv6", "host", "server", "login",
        "akses dari", "access from", "dari ip", "from ip",
    )  # fmt: skip
    TRIGGER = re.compile(r"\.\d{1,3}\.|:[0-9a-fA-F]{0,4}:")
    PATTERN_TRIGGERS: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "ipv4": re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d"),
        "ipv6": re.compile(r":[0-9a-f]{0,4}:"),
    }
    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    PRIORITY = 50

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject strings the `ipaddress` module refuses and addresses of no one."""
        return None if reportable_ip(pattern_text) else False

    def refine(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop dotted numbers that follow a version word."""
        return [
            r
            for r in results
            if ":" in text[r.start : r.end]
            or not _VERSION_BEFORE.search(text, max(0, r.start - 16), r.start)
        ]
