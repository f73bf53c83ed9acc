"""The one egress guard: outbound HTTP (robots, webhooks) reaches public addresses only.

A webhook URL is typed in by an administrator, so without a guard it is a server-side
request forgery: "http://169.254.169.254/…" reads cloud credentials, "http://localhost:6379"
talks to Redis. Every sender resolves the host here, refuses the request if ANY address is
internal (loopback, RFC 1918, link-local, CGNAT, unique-local, multicast, unspecified,
reserved; IPv4-mapped, -compatible, 6to4 and NAT64 IPv6 forms judged by the IPv4 inside),
and then connects to the address that was checked (`PinnedHTTPConnection`), so a DNS answer
that changes between check and connect (rebinding) cannot move the request inside. Redirects
are never followed (http.client does not), so a public host cannot bounce us inside either.

Odd spellings of an address (2130706433, 0x7f.1, 017700000001) need no parsing of our own:
the resolver turns them into the address they mean, and that address is what is checked.

`OUTBOUND_ALLOWED_NETWORKS` (config, or the environment variable of that name as a
comma-separated list) lets chosen networks through, e.g. ["127.0.0.0/8"] for the demo and
tests' loopback robot servers. Standard library only at import time.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = ("http", "https")
ENV_ALLOWED = "OUTBOUND_ALLOWED_NETWORKS"
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class OutboundBlocked(ValueError):
    """The URL may not be requested: bad scheme, no host, or an internal address."""


class ResolveFailed(OSError):
    """The host name did not resolve (possibly temporary)."""


@dataclass(frozen=True)
class Target:
    """A checked request target: connect to `address`, but speak to `host` (Host, SNI)."""

    scheme: str
    host: str
    port: int
    address: str


def allowed_from_env() -> tuple[str, ...]:
    """The allow-list of the environment (for library calls made without an app config)."""
    return tuple(n.strip() for n in os.environ.get(ENV_ALLOWED, "").split(",") if n.strip())


def parse_networks(networks: Iterable[str] | None) -> tuple[Network, ...]:
    """`networks` as ip_network objects; None means the environment's list."""
    names = allowed_from_env() if networks is None else networks
    return tuple(ipaddress.ip_network(str(n).strip(), strict=False) for n in names)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def canonical(ip: IPAddress) -> IPAddress:
    """`ip`, or the IPv4 address inside it: judge ::ffff:127.0.0.1 as 127.0.0.1."""
    if isinstance(ip, ipaddress.IPv6Address):
        return _embedded_ipv4(ip) or ip
    return ip


def is_internal(ip: IPAddress) -> bool:
    """True for any address that is not plainly public."""
    ip = canonical(ip)
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or ip in _CGNAT
        or ip in _UNIQUE_LOCAL
        or not ip.is_global
    )


def blocked(ip: IPAddress, allowed: Iterable[Network] = ()) -> bool:
    """True if `ip` is internal and not in an allowed network."""
    plain = canonical(ip)
    if any(plain.version == net.version and plain in net for net in allowed):
        return False
    return is_internal(ip)


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; OutboundBlocked for anything else."""
    if not isinstance(url, str) or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise OutboundBlocked("unsupported URL")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 literal
        raise OutboundBlocked("unsupported URL") from exc
    if parts.scheme not in SCHEMES or not hostname:
        raise OutboundBlocked("only http and https addresses with a host are allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundBlocked("invalid port") from exc
    return parts.scheme, hostname, port


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (numeric forms included); ResolveFailed if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveFailed(f"could not resolve host: {exc}") from exc
    # A scope id ("fe80::1%eth0") is not part of the address being judged.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise ResolveFailed("could not resolve host")
    return list(dict.fromkeys(addresses))


def check_addresses(addresses: Iterable[IPAddress], allowed: Iterable[str] | None) -> None:
    """OutboundBlocked if any of `addresses` is internal and not allowed."""
    networks = parse_networks(allowed)
    bad = [str(ip) for ip in addresses if blocked(ip, networks)]
    if bad:
        raise OutboundBlocked(f"internal address refused: {', '.join(bad)}")


def guard(url: str, allowed: Iterable[str] | None = None) -> Target:
    """Resolve and check `url` for sending now; the Target pins the checked address.

    Raises OutboundBlocked (never send: wrong scheme or an internal address) or ResolveFailed
    (DNS failed: perhaps temporary). `allowed`: CIDR strings; None = the environment's list.
    """
    scheme, host, port = split_url(url)
    addresses = resolve(host, port)
    check_addresses(addresses, allowed)
    return Target(scheme, host, port, str(addresses[0]))


def check_url(url: str, allowed: Iterable[str] | None = None) -> None:
    """Save-time check: OutboundBlocked for a bad scheme or a host that resolves inside.

    A host that does not resolve now is accepted (DNS may be down, or the name is only known
    where the workers run): sending checks again and refuses it then if it points inside.
    """
    scheme, host, port = split_url(url)
    try:
        addresses = resolve(host, port)
    except ResolveFailed:
        return
    check_addresses(addresses, allowed)


def check_outbound_url(url: str) -> None:
    """`check_url` for screens and APIs: raises ValidationFailed with a translated message.

    Uses the app's OUTBOUND_ALLOWED_NETWORKS when an app context is active. Flask and the
    domain errors are imported here only, so the channel library stays framework-free.
    """
    from flask import current_app, has_app_context
    from flask_babel import gettext as _

    from plugins.tickets.services.errors import ValidationFailed

    allowed = current_app.config.get(ENV_ALLOWED) if has_app_context() else None
    try:
        check_url(url, allowed)
    except OutboundBlocked as exc:
        if str(exc).startswith("internal address"):
            message = _("This address points to an internal network and is not allowed.")
        else:
            message = _("Enter an http:// or https:// address.")
        raise ValidationFailed(message, {"url": message}) from exc


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; Host header stays the URL's host."""

    def __init__(self, target: Target, *, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; the certificate and SNI are checked for the URL's host."""

    def __init__(self, target: Target, *, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = target.address
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connection(target: Target, *, timeout: float) -> http.client.HTTPConnection:
    """An unopened connection pinned to `target.address`."""
    if target.scheme == "https":
        context = ssl.create_default_context()
        return PinnedHTTPSConnection(target, timeout=timeout, context=context)
    return PinnedHTTPConnection(target, timeout=timeout)
