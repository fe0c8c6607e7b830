"""IpAddressRecognizer through the engine: IPv4 and IPv6, not versions or addresses of no one.

Addresses come from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32) and private ranges.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pii.recognizers.ip_address import IpAddressRecognizer
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(IpAddressRecognizer())
ENGINE = PROBE.engine
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Login dari IP 203.0.113.7 kemarin", "203.0.113.7", id="ipv4-context"),
        pytest.param("198.51.100.23", "198.51.100.23", id="ipv4-bare"),
        pytest.param("IP:198.51.100.23.", "198.51.100.23", id="glued-colon-sentence-end"),
        pytest.param("buka http://192.168.1.10:8080/admin", "192.168.1.10", id="url-with-port"),
        pytest.param("subnet 10.0.0.5/24", "10.0.0.5", id="cidr-suffix-left-out"),
        pytest.param("(192.0.2.255)", "192.0.2.255", id="in-brackets"),
        pytest.param("alamat IP: 172.16.0.1\nuser: budi", "172.16.0.1", id="form"),
        pytest.param(
            "server 2001:db8::8a2e:370:7334, cek", "2001:db8::8a2e:370:7334", id="ipv6-compressed"
        ),
        pytest.param(
            "IPv6 2001:0db8:0000:0000:0000:ff00:0042:8329",
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            id="ipv6-full",
        ),
        pytest.param("link-local fe80::1%eth0", "fe80::1%eth0", id="ipv6-zone"),
        pytest.param("mapped ::ffff:192.0.2.128", "::ffff:192.0.2.128", id="ipv6-ipv4-tail"),
        pytest.param("IPV6: 2001:DB8::1", "2001:DB8::1", id="ipv6-upper-case"),
    ],
)
def test_when_a_valid_address_is_written_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, value)


def test_when_a_log_line_has_two_addresses_then_both_are_reported() -> None:
    text = "akses dari 203.0.113.7 ke 2001:db8::1 ditolak"
    assert found(text) == spans(text, "203.0.113.7", "2001:db8::1")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("versi 1.2.3.4", id="versi"),
        pytest.param("Version 2.10.0.1 released", id="version-english"),
        pytest.param("v1.2.3.4", id="v-prefix"),
        pytest.param("update ke build 10.0.0.1", id="build"),
        pytest.param("Chrome/120.0.6099.109", id="user-agent"),
        pytest.param("1.2.3.4.5", id="five-groups"),
        pytest.param("update ke 10.0.19041.1", id="octet-too-big"),
        pytest.param("999.1.1.1", id="first-octet-too-big"),
        pytest.param("01.02.03.04", id="leading-zeros"),
        pytest.param("Pasal 1.2.3.4", id="article-number"),
        pytest.param("harga Rp 1.500.000", id="amount"),
        pytest.param("tanggal 12.05.1990", id="date"),
    ],
)
def test_when_dotted_numbers_are_versions_or_amounts_then_they_are_not_reported(
    text: str,
) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("listen 0.0.0.0", id="unspecified"),
        pytest.param("localhost 127.0.0.1", id="loopback"),
        pytest.param("broadcast 255.255.255.255", id="broadcast"),
        pytest.param("netmask 255.255.255.0", id="netmask"),
        pytest.param("multicast 224.0.0.1", id="multicast"),
        pytest.param("ipv6 loopback ::1", id="ipv6-loopback"),
        pytest.param("any ::", id="ipv6-unspecified"),
    ],
)
def test_when_an_address_points_at_no_one_then_it_is_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("jam 12:30:45", id="time"),
        pytest.param("std::vector dan dead::beef", id="code-and-words"),
        pytest.param("MAC 00:1A:2B:3C:4D:5E", id="mac-address"),
        pytest.param("rasio 1:2:3", id="ratio"),
        pytest.param("id 550e8400-e29b-41d4-a716-446655440000", id="guid"),
    ],
)
def test_when_colons_are_not_an_ipv6_address_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=4))
def test_when_any_ipv4_is_written_then_it_is_reported_exactly_or_is_no_ones(
    address: ipaddress.IPv4Address,
) -> None:
    text = f"akses dari {address} tadi"
    result = found(text)
    if result:
        assert result == spans(text, str(address))
        assert not address.is_loopback
        assert not address.is_unspecified
        assert not address.is_multicast
    else:
        assert (
            address.is_loopback
            or address.is_unspecified
            or address.is_multicast
            or str(address).startswith("255.")
            or str(address).startswith("0.")
            or address.packed in {ipaddress.IPv4Network(f"0.0.0.0/{b}").netmask.packed
                                  for b in range(1, 33)}
        )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=6))
def test_when_any_ipv6_is_reported_then_it_is_the_address_written(
    address: ipaddress.IPv6Address,
) -> None:
    text = f"akses dari {address} tadi"
    for finding in ENGINE.analyze(text):
        assert ipaddress.ip_address(finding.value_in(text)) == address
