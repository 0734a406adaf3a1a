"""The destination guard (pure): which webhook URLs and resolved addresses may be called.

A destination is refused when its URL is not https (plain http only with the local-stack
setting), carries credentials, or when any address its host resolves to is not a public unicast
address: loopback, private (RFC 1918, ULA), link-local, CGNAT (100.64/10), multicast, reserved,
unspecified, documentation or benchmarking ranges, and the cloud metadata addresses. IPv6 forms
that embed an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by that address. The
check runs at save and again before every attempt, on the addresses just resolved, and the
sender connects to the checked address (no second lookup a rebinding DNS answer could change).
With `allow_loopback` (WEBHOOKS_ALLOW_LOOPBACK, off by default: `make run` and tests only)
loopback addresses and plain http are accepted; nothing else is.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from aftersales.core.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack instance metadata
    "169.254.170.2",  # ECS task metadata
    "100.100.100.200",  # Alibaba Cloud metadata
    "fd00:ec2::254",  # AWS instance metadata over IPv6
))
EXTRA_V4 = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
))
EXTRA_V6 = tuple(ipaddress.ip_network(n) for n in (
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8",
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*")


class DestinationRefused(InvalidRequest):
    """A URL or address the platform will not call; `reason` says which rule refused it."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__("webhooks.destination_refused", field="url", reason=reason, **details)
        self.reason = reason


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # lower case, no brackets; the Host header and the TLS server name
    port: int
    target: str  # path and query as sent in the request line

    @property
    def literal(self) -> IPAddress | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse(url: str, *, allow_loopback: bool) -> Destination:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused("malformed_url") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_loopback and scheme == "http"):
        raise DestinationRefused("https_required")
    if not parts.hostname:
        raise DestinationRefused("malformed_url")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("credentials_in_url")
    if port == 0:
        raise DestinationRefused("malformed_url")
    host = parts.hostname.rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise DestinationRefused("malformed_url") from None
        if not HOSTNAME.fullmatch(ascii_host):
            raise DestinationRefused("malformed_url") from None
        host = ascii_host
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme, host, port or (443 if scheme == "https" else 80), target)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries, if any (mapped, NAT64, 6to4, Teredo client)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why `address` may not be called, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return refusal(inner, allow_loopback=allow_loopback)
        if address.scope_id:
            return "link_local"
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    if address in METADATA:
        return "metadata"
    checks = (("link_local", address.is_link_local), ("multicast", address.is_multicast),
              ("unspecified", address.is_unspecified), ("private", address.is_private),
              ("reserved", address.is_reserved))
    for reason, hit in checks:
        if hit:
            return reason
    extra = EXTRA_V4 if isinstance(address, ipaddress.IPv4Address) else EXTRA_V6
    if any(address in network for network in extra) or not address.is_global:
        return "not_public"
    return None


def checked(addresses: Sequence[str], *, allow_loopback: bool) -> str:
    """The address to connect to: the first one, once every resolved address passed (a name that
    resolves to one public and one private address is refused)."""
    if not addresses:
        raise DestinationRefused("unresolvable")
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise DestinationRefused("unresolvable") from None
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise DestinationRefused(reason)
    return addresses[0]
