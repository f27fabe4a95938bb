"""The egress policy: the one check every client the project creates runs on its URL first.

Documents and questions go only to this machine (loopback) or to hosts the user listed
in `allowed_hosts` (by name, by IP, or as a CIDR range). The check runs before any client
is built, so a refused endpoint never sees a single byte.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant.errors import ConfigError, EgressRefused

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def check_endpoint(url: str, allowed_hosts: Sequence[str]) -> None:
    """Raise EgressRefused unless every address `url` can reach is loopback or allowed.

    A name is resolved and *all* its addresses must pass, because the client will connect
    to whichever one it likes: a name that merely looks local (say `localhost.example.com`)
    but resolves to a public address is refused. Literal addresses never touch DNS.
    """
    host = endpoint_host(url)
    names, networks = _parse_allowed(allowed_hosts)
    literal = _as_ip(host)
    if literal is not None:
        if not _address_allowed(literal, networks):
            raise _refusal(host)
        return
    if host.rstrip(".").lower() in names:
        return
    addresses = _resolve(host)
    bad = [str(a) for a in addresses if not _address_allowed(a, networks)]
    if bad:
        raise _refusal(f"{host} ({', '.join(sorted(set(bad)))})")
    log.debug("egress allowed to %s (%s)", host, ", ".join(map(str, addresses)))


def endpoint_host(url: str) -> str:
    """The host part of an endpoint URL, accepting the bare `host:port` form users type."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError as exc:
        raise ConfigError(f"endpoint {url!r} is not a valid URL: {exc}") from exc
    if not host:
        raise ConfigError(f"endpoint {url!r} has no host: give it as http://HOST:PORT")
    return host


def _refusal(host: str) -> EgressRefused:
    return EgressRefused(
        f"refusing to send your documents to {host}: "
        "list it in allowed_hosts in the config if that machine is yours"
    )


def _as_ip(host: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    # ::ffff:127.0.0.1 reaches the IPv4 host; judge it as that host.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _parse_allowed(allowed_hosts: Sequence[str]) -> tuple[set[str], list[IPNetwork]]:
    """Split the user's list into host names and networks (a bare IP is a one-address network)."""
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in allowed_hosts:
        item = entry.strip().strip("[]")
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.rstrip(".").lower())
    return names, networks


def _address_allowed(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    if address.is_loopback:
        return True
    return any(address.version == net.version and address in net for net in networks)


def _resolve(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (what the client would try)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise EgressRefused(
            f"refusing to connect to {host}: the name does not resolve ({exc}); "
            "check the address in the config"
        ) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id like %eth0
        address = _as_ip(raw)
        if address is not None:
            addresses.append(address)
    if not addresses:
        raise EgressRefused(f"refusing to connect to {host}: the name resolves to no address")
    return addresses


def checked_http_client(
    base_url: str,
    allowed_hosts: Sequence[str],
    *,
    timeout: float | httpx.Timeout = 30.0,
    headers: dict[str, str] | None = None,
    keep_alive: bool = True,
) -> httpx.Client:
    """An httpx client for `base_url`, built only after the URL passed the policy.

    Proxies from the environment are ignored (`trust_env=False`): an HTTP_PROXY would
    otherwise carry documents off the machine although the URL itself is loopback. And
    redirects are not followed, since a redirect could point anywhere.
    """
    import httpx

    check_endpoint(base_url, allowed_hosts)
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        headers=headers,
        trust_env=False,
        follow_redirects=False,
        # Without keep-alive every request opens its own connection, whose socket a
        # stream's cancel can reach (assistant/models/cutting.py).
        limits=httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0),
    )
