"""Live reload: the script tag added to served pages, the script, and the WebSocket that tells it each build.

One mechanism. The script opens a WebSocket to `/__digest__/live?page=…`;
the server sends the current build id at once, then each new one the moment
its build (or, for a page written ahead of the rest, that page) is written,
and the page reloads when the id differs from the one it was served with.
When the socket drops (the server stopped, the laptop slept), the script opens
it again, backing off to every 4 s; a restarted server has a new per-process
token in its ids, so the first id a reconnected tab gets differs and it
reloads, while a tab that reconnects to the same server and build does not.
The socket also names its page, which is how the build knows the open pages.

The script tag is added only to the bytes sent; files in site/ never hold it.
"""

from __future__ import annotations

import base64
import hashlib
import html
from email.message import Message
from typing import BinaryIO

from digest.preview.session import Preview

ENDPOINT_PREFIX = "/__digest__/"
LIVE_ENDPOINT = ENDPOINT_PREFIX + "live"
RELOAD_SCRIPT = ENDPOINT_PREFIX + "reload.js"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
PING_SECONDS = 20.0  # how often an idle live socket is checked for a tab that went away
TEXT, PING, CLOSE = 0x1, 0x9, 0x8  # frame opcodes (RFC 6455, section 5.2)
GOING_AWAY = (1001).to_bytes(2, "big")  # close status: the server is shutting down

# Reloads when the socket says the build id differs from the one the page was served with; reopens a dropped
# socket with backoff (0.25 s doubling to 4 s, reset once it opens), so a restarted server still reloads the tab.
RELOAD_JS = b"""\
(() => {
  "use strict";
  if (!("WebSocket" in window)) return;
  const script = document.currentScript;
  const served = script ? script.dataset.build : "";
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const page = encodeURIComponent(location.pathname);
  const url = `${scheme}//${location.host}/__digest__/live?page=${page}`;
  let delay = 250;
  let reloading = false;
  function connect() {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => { delay = 250; });
    socket.addEventListener("message", (event) => {
      const current = String(event.data).trim();
      if (!current || current === served || reloading) return;
      reloading = true;
      location.reload();
    });
    socket.addEventListener("close", () => {
      if (reloading) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 4000);
    });
  }
  connect();
})();
"""


def inject_reload(page: bytes, build_id: str) -> bytes:
    """Add the live-reload script tag to one served page (never to the file on disk)."""
    tag = f'<script src="{RELOAD_SCRIPT}" data-build="{html.escape(build_id)}" defer></script>\n'.encode()
    lowered = page.lower()
    for marker in (b"</head>", b"</body>"):
        at = lowered.find(marker)
        if at >= 0:
            return page[:at] + tag + page[at:]
    return page + tag


def websocket_key(headers: Message) -> str | None:
    """The `Sec-WebSocket-Key` of a WebSocket upgrade request; None for any other request."""
    key = headers.get("Sec-WebSocket-Key", "").strip()
    return key if headers.get("Upgrade", "").lower() == "websocket" and key else None


def accept_value(key: str) -> str:
    """The `Sec-WebSocket-Accept` answering `key` (RFC 6455, section 4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()


def tell_builds(stream: BinaryIO, preview: Preview, page: str | None) -> None:
    """Send the build id for `page` now and each new one until the server stops; ping while nothing changes.

    The page counts as open meanwhile, so a rebuild writes it first. A ping
    to a tab that went away fails, which ends the loop and frees the thread."""
    sent = ""
    current: str | None = preview.build_id_for(page)
    with preview.page_open(page):
        while current is not None:
            stream.write(frame(TEXT, current.encode()) if current != sent else frame(PING, b""))
            stream.flush()
            sent = current
            current = preview.wait_for_build(sent, PING_SECONDS, page)
    stream.write(frame(CLOSE, GOING_AWAY))


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, unfragmented server frame (RFC 6455, section 5.2); payloads here are short."""
    if len(payload) > 125:
        raise ValueError("live-reload frames carry a build id, not more than 125 bytes")
    return bytes((0x80 | opcode, len(payload))) + payload
