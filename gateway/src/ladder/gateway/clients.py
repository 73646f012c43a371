"""Who is on the other end: the client's address, as far as the gateway can trust it.

`X-Forwarded-For` is written by whoever sent the request, so it is believed only as far as
the hops the operator named in `LADDER_TRUSTED_PROXIES` (the ingress controller's addresses):
walking it from the right, the first address that is not a trusted proxy is the client. A
request whose TCP peer is not a trusted proxy is its own client, whatever header it carries.
uvicorn runs the gateway with `--no-proxy-headers`, so `request.client` is the TCP peer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cached_property

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()
        )

    @cached_property
    def empty(self) -> bool:
        return not self.networks

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client_of(self, peer: str | None, forwarded_for: str | None) -> str:
        """The right-most hop that is not a trusted proxy (the peer itself if untrusted)."""
        if peer is None:
            return "unknown"
        if self.empty or not forwarded_for or not self.trusts(peer):
            return peer
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return _valid_or_unknown(hop)
        return _valid_or_unknown(hops[0]) if hops else peer


def _valid_or_unknown(hop: str) -> str:
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return "unknown"


def client_ip(request: Request) -> str:
    """The client's address (computed once per request)."""
    found = getattr(request.state, "client_ip", None)
    if found is None:
        proxies: TrustedProxies = request.app.state.trusted_proxies
        peer = request.client.host if request.client else None
        found = proxies.client_of(peer, request.headers.get("x-forwarded-for"))
        request.state.client_ip = found
    return found
