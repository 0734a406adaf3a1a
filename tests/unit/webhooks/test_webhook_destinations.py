"""The destination guard: URLs and every kind of address that must not be called, IPv4 and IPv6."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.webhooks import destinations
from aftersales.webhooks.destinations import DestinationRefused, checked, parse, refusal

REFUSED = {
    "127.0.0.1": "loopback", "127.9.9.9": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
    "10.1.2.3": "private", "172.16.0.1": "private", "192.168.1.1": "private", "fd12::1": "private",
    "169.254.169.254": "metadata", "fd00:ec2::254": "metadata", "100.100.100.200": "metadata",
    "169.254.1.1": "link_local", "fe80::1": "link_local", "100.64.0.1": "not_public",
    "224.0.0.1": "multicast", "ff02::1": "multicast", "0.0.0.0": "unspecified", "::": "unspecified",
    "240.0.0.1": "private", "198.18.0.1": "private", "192.0.2.5": "private",
    "::ffff:10.0.0.1": "private", "::ffff:169.254.169.254": "metadata", "64:ff9b::a9fe:a9fe": "metadata",
    "2002:a00:1::1": "private", "2001:db8::1": "private",
}
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "reason"), REFUSED.items())
def test_forbidden_addresses_are_refused_with_their_reason(address, reason):
    assert refusal(ipaddress.ip_address(address), allow_loopback=False) == reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address), allow_loopback=False) is None


def test_allow_loopback_admits_loopback_and_nothing_else():
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("::1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) == "private"
    assert refusal(ipaddress.ip_address("169.254.169.254"), allow_loopback=True) == "metadata"


PRIVATE_V4 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                                                  "169.254.0.0/16", "100.64.0.0/10", "224.0.0.0/4", "0.0.0.0/8")]


@given(st.sampled_from(PRIVATE_V4), st.integers(min_value=0, max_value=2**32 - 1))
def test_every_address_of_the_internal_v4_ranges_is_refused_also_when_mapped_into_v6(network, n):
    address = network[n % network.num_addresses]
    assert refusal(address, allow_loopback=False) is not None
    assert refusal(ipaddress.IPv6Address(f"::ffff:{address}"), allow_loopback=False) is not None
    assert refusal(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address)),
                   allow_loopback=False) is not None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_a_v4_address_is_refused_exactly_when_it_is_not_global_or_is_multicast(n):
    address = ipaddress.IPv4Address(n)
    expected_refused = not address.is_global or address.is_multicast or address in destinations.METADATA
    assert (refusal(address, allow_loopback=False) is not None) == expected_refused


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_a_v6_address_passes_only_when_it_and_any_v4_it_embeds_are_global(n):
    address = ipaddress.IPv6Address(n)
    inner = destinations.embedded_ipv4(address)
    if refusal(address, allow_loopback=False) is None:
        assert address.is_global or inner is not None
        if inner is not None:
            assert inner.is_global and not inner.is_multicast
        else:
            assert not address.is_multicast and not address.is_private


@pytest.mark.parametrize(("url", "reason"), [
    ("http://example.com/hook", "https_required"), ("ftp://example.com/", "https_required"),
    ("https://user:pw@example.com/", "credentials_in_url"), ("https:///nohost", "malformed_url"),
    ("https://example.com:99999/", "malformed_url"), ("https://[::1/", "malformed_url"),
])
def test_urls_that_are_refused_before_any_lookup(url, reason):
    with pytest.raises(DestinationRefused) as caught:
        parse(url, allow_loopback=False)
    assert caught.value.reason == reason and caught.value.details["field"] == "url"


def test_a_url_is_parsed_into_host_port_and_target():
    d = parse("https://Hooks.Example.com./in?x=1", allow_loopback=False)
    assert (d.scheme, d.host, d.port, d.target) == ("https", "hooks.example.com", 443, "/in?x=1")
    assert parse("http://127.0.0.1:8080", allow_loopback=True).port == 8080
    assert parse("https://[2606:4700::1]/", allow_loopback=False).literal == ipaddress.ip_address("2606:4700::1")


def test_a_name_with_one_private_answer_among_public_ones_is_refused():
    """GIVEN DNS answers public and private (a rebinding attempt) THEN refused, whatever the order."""
    with pytest.raises(DestinationRefused):
        checked(["8.8.8.8", "10.0.0.1"], allow_loopback=False)
    with pytest.raises(DestinationRefused) as caught:
        checked([], allow_loopback=False)
    assert caught.value.reason == "unresolvable"
    assert checked(["8.8.8.8", "1.1.1.1"], allow_loopback=False) == "8.8.8.8"


@given(st.text(max_size=80))
def test_any_text_as_a_url_is_parsed_or_refused_never_an_unexpected_error(text):
    for url in (text, f"https://{text}/x", f"https://{text}"):
        try:
            d = parse(url, allow_loopback=False)
        except DestinationRefused as refused:
            assert refused.details["field"] == "url"
        else:
            assert d.scheme == "https" and d.host and 0 < d.port < 65536


def test_the_resolver_answers_an_empty_list_for_what_is_not_a_name():
    from aftersales.adapters.webhook_http import SocketResolver

    assert SocketResolver().resolve("a\x00b", 443) == []  # refused before any lookup
    assert SocketResolver().resolve("\udcff.example", 443) == []
