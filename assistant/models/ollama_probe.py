"""Whether an Ollama server answers, and with which models: asked by `auto` on every
start, so it imports no more than httpx (which the index loads anyway), not the `ollama`
client (about 0.1 s) that only answering with Ollama needs (`ollama_backend`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from assistant.egress import check_endpoint

log = logging.getLogger(__name__)


def normalize_host(host: str) -> str:
    """Accept a bare `host` or `host:port` as the ollama tools do; httpx needs a scheme."""
    host = host.strip().rstrip("/")
    if "://" in host:
        return host
    return "http://" + host + ("" if urlsplit("http://" + host).port else ":11434")


def probe(host: str, allowed_hosts: Sequence[str], timeout: float = 0.3) -> list[str] | None:
    """The models an Ollama server at `host` lists, or None if nothing answers in time.

    Used by `auto` on every start, so it must be fast when no server runs.
    """
    host = normalize_host(host)
    check_endpoint(host, allowed_hosts)
    try:
        with httpx.Client(base_url=host, timeout=timeout, trust_env=False) as http:
            reply = http.get("/api/tags")
            reply.raise_for_status()
            return [m["model"] for m in reply.json().get("models", []) if m.get("model")]
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.debug("no Ollama at %s: %s", host, exc)
        return None
