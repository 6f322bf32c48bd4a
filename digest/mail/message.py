"""The email digest as a MIME message: multipart/alternative, plain text and HTML.

Deterministic: the Date header, Message-ID and MIME boundary derive from the
inputs, so the same snapshot gives a byte-identical .eml. A message that is
sent gets the time it is sent as its Date instead (commands/email.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from digest import clock
from digest.errors import DigestError
from digest.inputs.config import SITE_CONFIG_NAME, SiteConfig
from digest.mail.compose import EmailDigest, one_line
from digest.text import short_hash


def build_message(digest: EmailDigest, config: SiteConfig, recipients: Sequence[str],
                  sent_at: datetime) -> EmailMessage:
    """A complete multipart/alternative message; headers come only from settings and cleaned text."""
    sender = config.email.sender
    if not sender:
        raise DigestError("email.sender is not set; add e.g. 'sender: Digest <digest@example.org>' under email:",
                          SITE_CONFIG_NAME)
    if not recipients:
        raise DigestError("no recipients: set email.recipients in site.yaml or pass --to ADDRESS", SITE_CONFIG_NAME)
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = one_line(digest.content.subject)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(config, digest.content.key)
    if config.email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{config.email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(digest.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(digest.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # '=_' never occurs in quoted-printable text, so this boundary cannot collide with the body.
    message.set_boundary("=_digest_" + hashlib.sha256((digest.text + digest.html).encode()).hexdigest()[:32])
    return message


def message_id(config: SiteConfig, key: str) -> str:
    """Stable per site and day (or week: `key` is '2024-11-18' or '2024-W47'), so a re-run is recognisably the
    same email."""
    host = urlsplit(config.base_url).hostname or "localhost"
    return f"<digest.{key}.{short_hash(config.base_url + config.title, 12)}@{host}>"


def message_date(day: date, environ: Mapping[str, str]) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else midnight UTC of the snapshot date."""
    return clock.pinned_moment(environ) or datetime.combine(day, time(0, 0), tzinfo=UTC)


def check_address(address: str) -> str:
    """A --to address: one address, no line breaks (it goes into the To header)."""
    address = address.strip()
    if "@" not in address or any(char in address for char in "\r\n,;"):
        raise DigestError(f"--to needs one e-mail address per option, got {address!r}")
    return address
