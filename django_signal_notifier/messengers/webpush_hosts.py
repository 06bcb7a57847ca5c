"""Which push service hosts a Web Push endpoint may name, so that the server never POSTs into its own network.

A browser's subscription names the URL the server will POST to: unchecked, any user could make the
server reach ``https://169.254.169.254/`` or an admin port on the LAN (server-side request forgery).
Three guards, each on its own:

* the host must match ``WEBPUSH_ALLOWED_HOSTS`` (the browsers' push services by default);
* the host must be a name, never an IP literal (in any spelling: ``0x7f000001`` and ``127.1`` too);
* at send time the name must resolve only to public addresses (no loopback, private, link-local,
  reserved or multicast one), and the request goes to the address checked (its URL names the
  address, ``Host`` and TLS SNI the name): a second lookup, by an attacker's DNS rebinding, has no say.

``WEBPUSH_ALLOW_PRIVATE_HOSTS`` lifts the last two, for tests and development against a push
service on loopback only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from django_signal_notifier.conf import app_settings

ANY_HOST = "*"


def endpoint_host(endpoint: str) -> str:
    """The endpoint's host name, lowercased and without a trailing dot ("" when it has none)."""
    try:
        host = urlsplit(endpoint).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def endpoint_port(endpoint: str) -> int | None:
    """The port the endpoint names (443 when none), or None when it is out of range."""
    try:
        return urlsplit(endpoint).port or 443
    except ValueError:
        return None


def is_ip_literal(host: str) -> bool:
    """Whether ``host`` is an address, not a name: dotted, IPv6, or what ``inet_aton`` takes (``0x7f000001``, ``127.1``)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    return True


def host_allowed(host: str) -> bool:
    """Whether ``WEBPUSH_ALLOWED_HOSTS`` lets the server POST to ``host``."""
    allowed = app_settings.WEBPUSH_ALLOWED_HOSTS
    if allowed is None:
        return True
    for entry in allowed:
        suffix = str(entry).rstrip(".").lower()
        if suffix == ANY_HOST:
            return True
        if suffix.startswith(".") and host.endswith(suffix):
            return True
        if host == suffix:
            return True
    return False


def endpoint_problem(endpoint: str) -> str | None:
    """Why the server must not POST to ``endpoint`` (its host alone, without DNS), or None."""
    host = endpoint_host(endpoint)
    if not host:
        return "The endpoint has no host."
    if endpoint_port(endpoint) is None:
        return "The endpoint's port is not a number from 0 to 65535."
    if not app_settings.WEBPUSH_ALLOW_PRIVATE_HOSTS and is_ip_literal(host):
        return f"The push service host {host!r} is an IP address: a browser's push service has a name."
    if not host_allowed(host):
        return (
            f"The push service host {host!r} is not in SIGNAL_NOTIFIER['WEBPUSH_ALLOWED_HOSTS'] "
            "(the browsers' push services by default)."
        )
    return None


def non_public(address: str) -> bool:
    """Whether ``address`` is loopback, private, link-local, reserved, multicast or otherwise not on the Internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved


class NonPublicAddress(Exception):
    """The endpoint's host resolves to an address the server must not reach; the message says which."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for a TCP connection, in the resolver's order, each once.

    Raises ``OSError`` when the name does not resolve.
    """
    addresses = (str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    return list(dict.fromkeys(addresses))


def checked_address(endpoint: str) -> str | None:
    """The one address to connect to for ``endpoint``, checked public; None when the check is off.

    Every address the name resolves to must be public; the first is returned so that the
    connection goes to it, never to what a second lookup (DNS rebinding) would answer.
    Raises ``NonPublicAddress`` with the reason, or ``OSError`` when the name does not resolve
    (for the caller to retry later).
    """
    if app_settings.WEBPUSH_ALLOW_PRIVATE_HOSTS:
        return None
    host = endpoint_host(endpoint)
    addresses = resolve(host, endpoint_port(endpoint) or 443)
    if not addresses:
        raise OSError(f"{host!r} has no address")
    blocked = sorted(address for address in addresses if non_public(address))
    if blocked:
        raise NonPublicAddress(
            f"the push service host {host!r} resolves to an address that is not public ({', '.join(blocked)}): "
            "refused (SIGNAL_NOTIFIER['WEBPUSH_ALLOW_PRIVATE_HOSTS'] is for tests and development only)"
        )
    return addresses[0]


def pinned_url(endpoint: str, address: str) -> str:
    """``endpoint`` with its host replaced by ``address`` (IPv6 in brackets), its scheme, port and path kept."""
    parts = urlsplit(endpoint)
    literal = f"[{address}]" if ":" in address else address
    return urlunsplit(parts._replace(netloc=literal if parts.port is None else f"{literal}:{parts.port}"))


def host_header(endpoint: str) -> str:
    """The ``Host`` header of a request to ``endpoint``: its host name, with its port when the URL names one."""
    host = endpoint_host(endpoint)
    port = urlsplit(endpoint).port
    return host if port is None else f"{host}:{port}"
