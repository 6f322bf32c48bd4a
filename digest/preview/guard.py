"""Which `Host` and `Origin` headers the preview server answers: a defence against DNS rebinding.

A page on evil.example can make its own name resolve to 127.0.0.1 and then
read the preview as if it were its own site. The browser still sends
`Host: evil.example`, so the server answers only requests that name it:

* `localhost`, `127.0.0.1` and `[::1]`, and the `--host` value itself;
* when `--host` listens everywhere (`0.0.0.0`, `::`), also this machine's
  name (`socket.gethostname()`) and any IP literal: rebinding needs a name
  the attacker controls, and a browser that connected to an address by its
  number sends that number, so an IP literal cannot be a rebound name;
* a port in `Host` must be the port the server listens on; a `Host` without
  a port is accepted (browsers always send the port when it is not 80);
* a request with no `Host` at all (HTTP/1.0) is accepted: every browser sends
  one, so it cannot come from a rebound page; more than one `Host` is refused;
* an `Origin` (sent by browsers on WebSocket handshakes and cross-site
  requests) must be `http://<an accepted host>:<port>`, port included unless
  it is 80; `Origin: null` (a sandboxed or `file://` page) is refused.

Names are compared case-insensitively, with one trailing dot ignored.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?")


@dataclass(frozen=True)
class Guard:
    """The names a server listening on one address and port answers to."""

    names: frozenset[str]
    port: int
    any_ip: bool = False  # listening everywhere: an IP literal is one of ours as much as any

    @classmethod
    def for_address(cls, host: str, port: int) -> Guard:
        """The rule for a server bound to `host` (the `--host` value) and `port`."""
        if host in WILDCARD_HOSTS:
            return cls(LOCAL_NAMES | {_normal(socket.gethostname())}, port, any_ip=True)
        return cls(LOCAL_NAMES | {_normal(host.strip("[]"))}, port)

    def host_allowed(self, values: Sequence[str]) -> bool:
        """Whether the request's `Host` headers (all of them, usually one) name this server."""
        if not values:
            return True
        if len(values) > 1:
            return False
        parsed = split_host(values[0].strip())
        return parsed is not None and self._ours(*parsed, default_port=None)

    def origin_allowed(self, values: Sequence[str]) -> bool:
        """Whether the request's `Origin` headers (if any) are a page of this server's."""
        if not values:
            return True
        scheme, sep, rest = values[0].strip().partition("://")
        if len(values) > 1 or not sep or scheme.lower() != "http":
            return False
        parsed = split_host(rest)
        return parsed is not None and self._ours(*parsed, default_port=80)

    def _ours(self, name: str, port: int | None, default_port: int | None) -> bool:
        port = default_port if port is None else port
        if port is not None and port != self.port:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))


def split_host(value: str) -> tuple[str, int | None] | None:
    """`name[:port]` or `[v6]:port` as (normalised name, port), or None when it is not that shape."""
    match = _HOST.fullmatch(value)
    if match is None:
        return None
    name, port = match.groups()
    if name.startswith("[") and not _is_ip(name[1:-1]):
        return None
    return _normal(name.strip("[]")), int(port) if port is not None else None


def _normal(name: str) -> str:
    return name.lower().removesuffix(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
