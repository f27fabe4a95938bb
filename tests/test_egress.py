"""Tests for the egress policy: loopback passes, anything else only when the user listed it."""

from __future__ import annotations

import socket

import pytest

from assistant.egress import check_endpoint, endpoint_host
from assistant.errors import ConfigError, EgressRefused


def _fake_getaddrinfo(mapping: dict[str, list[str]]):
    """A resolver that answers from `mapping` and fails the test on any other name."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for addr in mapping[host]:
            family = socket.AF_INET6 if ":" in addr else socket.AF_INET
            sockaddr = (addr, port or 0, 0, 0) if family == socket.AF_INET6 else (addr, port or 0)
            out.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return out

    return getaddrinfo


@pytest.fixture
def no_dns(monkeypatch):
    """Fail loudly if a literal address triggers a DNS lookup."""

    def boom(*args, **kwargs):
        raise AssertionError(f"unexpected DNS lookup {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", boom)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434",
        "http://127.0.0.2:8080/v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]:80",
        "127.0.0.1:11434",
    ],
)
def test_loopback_literals_allowed_without_dns(url, no_dns):
    check_endpoint(url, [])


def test_localhost_allowed():
    check_endpoint("http://localhost:11434", [])


def test_public_ip_refused(no_dns):
    with pytest.raises(EgressRefused) as err:
        check_endpoint("https://8.8.8.8/v1", [])
    assert str(err.value) == (
        "refusing to send your documents to 8.8.8.8: "
        "list it in allowed_hosts in the config if that machine is yours"
    )


@pytest.mark.parametrize("host", ["10.1.2.3", "172.16.0.5", "192.168.1.20", "[fd00::1]"])
def test_private_refused_unless_listed(host, no_dns):
    with pytest.raises(EgressRefused):
        check_endpoint(f"http://{host}:11434", [])
    check_endpoint(f"http://{host}:11434", [host])


def test_listed_cidr_allowed(no_dns):
    check_endpoint("http://10.20.30.40:8000/v1", ["10.0.0.0/8"])
    with pytest.raises(EgressRefused):
        check_endpoint("http://11.20.30.40:8000/v1", ["10.0.0.0/8"])


def test_unspecified_address_refused(no_dns):
    """0.0.0.0 is a listening address, not a destination we can vouch for."""
    with pytest.raises(EgressRefused):
        check_endpoint("http://0.0.0.0:11434", [])


def test_name_resolving_to_public_address_refused(monkeypatch):
    """The resolver is faked because the machine has no network: what matters is that the
    policy judges the addresses a name resolves to, not how local the name looks."""
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _fake_getaddrinfo({"localhost.evil.example": ["127.0.0.1", "93.184.216.34"]}),
    )
    with pytest.raises(EgressRefused) as err:
        check_endpoint("http://localhost.evil.example:11434", [])
    assert "localhost.evil.example (93.184.216.34)" in str(err.value)


def test_name_resolving_to_listed_range_allowed(monkeypatch):
    """Faked resolver (no network here): a team box named in DNS, inside a listed range."""
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo({"gpu-box": ["10.0.0.7"]}))
    check_endpoint("http://gpu-box:8000/v1", ["10.0.0.0/8"])
    with pytest.raises(EgressRefused):
        check_endpoint("http://gpu-box:8000/v1", [])


def test_name_listed_by_name_allowed_without_dns(no_dns):
    check_endpoint("http://GPU-Box.lan:8000/v1", ["gpu-box.lan"])


def test_unresolvable_name_refused(monkeypatch):
    """Faked resolver so the test does not depend on the machine's DNS setup."""
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo({}))
    with pytest.raises(EgressRefused, match="does not resolve"):
        check_endpoint("http://no-such-host.invalid:11434", [])


def test_refusal_happens_before_any_connection(monkeypatch, no_dns):
    calls: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: calls.append(a))
    with pytest.raises(EgressRefused):
        check_endpoint("http://1.1.1.1:443", [])
    assert calls == []


def test_url_without_host_is_a_config_error():
    with pytest.raises(ConfigError):
        check_endpoint("http:///v1", [])
    assert endpoint_host("example.com:1234/path") == "example.com"
