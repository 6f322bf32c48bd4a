"""Site settings: every option declared once, with its type, default and help.

`content/site.yaml` is read into a frozen `SiteConfig`. Unknown keys, wrong
types and bad values are errors that name the key and its line.
"""

from __future__ import annotations

import re
import typing
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ConfigError
from digest.inputs.yamlfile import KeyPath, YamlDocument, load_yaml_file

SITE_CONFIG_NAME = "site.yaml"
BASE_URL_VARIABLE = "DIGEST_BASE_URL"  # overrides base_url for one build, as --base-url does


def setting(default: Any = MISSING, doc: str = "", **checks: Any) -> Any:
    """Declare one option: its default, its help text and its value checks."""
    metadata = {"doc": doc, **checks}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class EmailSettings:
    """The daily email digest (`digest email`)."""

    sender: str = setting("", doc="From address, e.g. 'Paper Digest <digest@example.org>'.", check="address")
    recipients: tuple[str, ...] = setting((), doc="To addresses.", check="address")
    unsubscribe_url: str = setting("", doc="One-click unsubscribe URL (https); adds List-Unsubscribe headers.",
                                   check="url")
    max_new: int = setting(40, doc="At most this many new papers in one email; the rest are linked.", low=1, high=500)
    max_returning: int = setting(20, doc="At most this many returning papers in one email.", low=0, high=500)
    sentences: int = setting(2, doc="How many sentences of each abstract the email quotes.", low=1, high=10)


@dataclass(frozen=True)
class SmtpSettings:
    """Where `digest email --send` delivers; the password comes only from DIGEST_SMTP_PASSWORD."""

    host: str = setting("localhost", doc="SMTP server host (env DIGEST_SMTP_HOST).")
    port: int = setting(587, doc="SMTP port (env DIGEST_SMTP_PORT).", low=1, high=65535)
    security: str = setting("starttls", doc="'starttls', 'ssl' or 'none' (env DIGEST_SMTP_SECURITY).",
                            choices=("starttls", "ssl", "none"))
    user: str = setting("", doc="Login user; empty for no login (env DIGEST_SMTP_USER).")
    timeout: float = setting(30.0, doc="Seconds to wait for the server.", low=1, high=600)


@dataclass(frozen=True)
class NotifySettings:
    """Where `digest notify` posts (Apprise URLs); secrets as ${VARIABLE}, filled from the environment when sending."""

    to: tuple[str, ...] = setting(
        (), doc="Apprise URLs that get each digest, e.g. '${DIGEST_NOTIFY_URL}' (the workflow's secret).",
        check="notify_url")
    alerts: tuple[str, ...] = setting(
        (), doc="Apprise URLs told when the feed goes stale (the curator's), e.g. '${DIGEST_ALERT_URL}'.",
        check="notify_url")
    top: int = setting(5, doc="Papers listed in one notification (fewer where a service allows less text).",
                       low=1, high=30)
    retries: int = setting(3, doc="Tries after the first for a destination that fails for a reason that may pass.",
                           low=0, high=10)
    backoff: float = setting(2.0, doc="Seconds before the first retry; doubled for each further one.",
                             low=0, high=300)


@dataclass(frozen=True)
class FetchSettings:
    """How `digest fetch` judges the feed."""

    stale_weekdays: int = setting(3, doc="Weekdays without new papers after which the feed counts as stale "
                                  "(`digest fetch` exits 3 and alerts notify.alerts).", low=1, high=30)


@dataclass(frozen=True)
class SiteConfig:
    """Everything `content/site.yaml` may set."""

    title: str = setting(doc="Site name, shown in every page header and feed.")
    base_url: str = setting(doc="Absolute URL the site is deployed at, e.g. https://digest.example.org/.",
                            check="base_url")
    description: str = setting("", doc="One-line description for the home page, feeds and search engines.")
    language: str = setting("en", doc="Language tag of the pages (BCP 47), e.g. 'en' or 'en-GB'.", check="language")
    contact: str = setting("", doc="Contact e-mail address or URL shown in the footer.")
    papers_per_page: int = setting(50, doc="Papers on one page of a topic listing.", low=5, high=1000)
    dates_per_page: int = setting(100, doc="Snapshot dates on one page of the archive.", low=5, high=1000)
    feed_size: int = setting(50, doc="Entries in each feed (the daily-email feed keeps at most 10 days).", low=1,
                             high=1000)
    organization_min_papers: int = setting(
        5, doc="Papers an organization needs for a page of its own (/orgs/<slug>/) and a feed.", low=1, high=100_000)
    snippet_length: int = setting(220, doc="Characters of abstract shown in lists and search results.",
                                  low=40, high=2000)
    email: EmailSettings = setting(EmailSettings(), doc="Settings of the email digest.")
    smtp: SmtpSettings = setting(SmtpSettings(), doc="SMTP delivery settings.")
    notify: NotifySettings = setting(NotifySettings(), doc="Chat and push notifications (`digest notify`).")
    fetch: FetchSettings = setting(FetchSettings(), doc="Judging the feed (`digest fetch`).")


def load_site_config(content_dir: Path, base_url: str | None = None) -> SiteConfig:
    """The settings of `content/site.yaml`; `base_url`, if given, replaces its base_url (a deploy preview's URL)."""
    path = content_dir / SITE_CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            "site settings not found; create it with at least 'title' and 'base_url'", path
        )
    document = load_yaml_file(path)
    config = _build(SiteConfig, document.data, (), document)
    if base_url is None:
        return config
    override = normal_base_url(base_url)
    if override is None:
        raise ConfigError(f"the base URL from --base-url or {BASE_URL_VARIABLE} must be an absolute http(s) URL "
                          f"such as https://example.org/, got '{base_url}'")
    return replace(config, base_url=override)


def normal_base_url(value: str) -> str | None:
    """`value` as a base_url: an absolute http(s) URL without query or fragment, ending in '/'; None if it is not."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    return value if value.endswith("/") else value + "/"


def _build(cls: type, data: Any, key_path: KeyPath, document: YamlDocument) -> Any:
    if not isinstance(data, dict):
        raise document.error(key_path, f"expected a mapping of settings, got {_kind(data)}")
    known = {f.name: f for f in fields(cls)}
    for key in data:
        if key not in known:
            raise document.error((*key_path, str(key)),
                                 f"unknown setting; known settings here: {', '.join(known)}")
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for name, spec in known.items():
        child = (*key_path, name)
        if name not in data or data[name] is None:
            if spec.default is MISSING:
                raise document.error(child, "required setting is missing")
            continue
        values[name] = _coerce(hints[name], data[name], spec.metadata, child, document)
    return cls(**values)


def _coerce(hint: Any, value: Any, meta: typing.Mapping[str, Any], key_path: KeyPath,
            document: YamlDocument) -> Any:
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        return _build(hint, value, key_path, document)
    if typing.get_origin(hint) is tuple:
        items = value if isinstance(value, list) else [value]
        return tuple(_coerce(str, item, meta, (*key_path, i), document) for i, item in enumerate(items))
    if hint is bool:
        if not isinstance(value, bool):
            raise document.error(key_path, f"expected true or false, got {_kind(value)}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            hint is int and not isinstance(value, int)
        ):
            kind = "whole number" if hint is int else "number"
            raise document.error(key_path, f"expected a {kind}, got {_kind(value)}")
        low, high = meta.get("low"), meta.get("high")
        if (low is not None and value < low) or (high is not None and value > high):
            raise document.error(key_path, f"must be between {low} and {high}, got {value}")
        return hint(value)
    if hint is str:
        if not isinstance(value, str):
            raise document.error(key_path, f"expected text, got {_kind(value)}")
        return _check_text(value.strip(), meta, key_path, document)
    raise TypeError(f"unsupported setting type {hint!r}")  # a bug in the declaration, not user input


def _check_text(value: str, meta: typing.Mapping[str, Any], key_path: KeyPath, document: YamlDocument) -> str:
    choices = meta.get("choices")
    if choices and value not in choices:
        raise document.error(key_path, f"must be one of {', '.join(choices)}; got '{value}'")
    check = meta.get("check")
    if check == "base_url":
        normal = normal_base_url(value)
        if normal is None:
            raise document.error(key_path,
                                 f"must be an absolute http(s) URL such as https://example.org/, got '{value}'")
        return normal
    if check == "url" and value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise document.error(key_path, f"must be an absolute http(s) URL, got '{value}'")
    if check == "notify_url":
        problem = notify_url_problem(value)
        if problem:
            raise document.error(key_path, problem)
    if check == "language" and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise document.error(key_path, f"must be a language tag such as 'en' or 'en-GB', got '{value}'")
    if check == "address" and value and ("@" not in value or any(c in value for c in "\r\n")):
        raise document.error(key_path, f"must be an e-mail address, got '{value}'")
    return value


# ${NAME} in a notification URL: filled from the environment when sending, never written anywhere.
VARIABLE_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def notify_url_problem(value: str) -> str | None:
    """Why `value` cannot be a notification URL template, or None; Apprise itself checks it in `digest check`."""
    if not value:
        return "an empty URL; give an Apprise URL such as 'json://host/path' or '${DIGEST_SLACK_URL}'"
    if any(char.isspace() or not char.isprintable() for char in value):
        return "a URL cannot hold spaces or control characters"
    if "$" in VARIABLE_REFERENCE.sub("", value):
        return ("'$' starts a secret from the environment, written ${NAME} (letters, digits and _), "
                f"e.g. ${{DIGEST_HOOK_TOKEN}}; got '{value}'")
    if not VARIABLE_REFERENCE.fullmatch(value) and "://" not in VARIABLE_REFERENCE.sub("x", value):
        return f"expected an Apprise URL such as 'json://host/path' (SCHEME://...), got '{value}'"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def setting_range(cls: type, name: str) -> tuple[int, int]:
    """(low, high) a numeric setting allows: one declaration, also for the environment variables that override it."""
    meta = {spec.name: spec.metadata for spec in fields(cls)}[name]
    return meta["low"], meta["high"]


def setting_choices(cls: type, name: str) -> tuple[str, ...]:
    """The values a setting with choices allows (see `setting_range`)."""
    return tuple({spec.name: spec.metadata for spec in fields(cls)}[name]["choices"])


def describe_settings(cls: type = SiteConfig, prefix: str = "") -> list[tuple[str, str, str]]:
    """(key, default, help) for every setting: the tests hold the README and `digest init`'s site.yaml to it."""
    rows: list[tuple[str, str, str]] = []
    for spec in fields(cls):
        key = prefix + spec.name
        default = spec.default
        if hasattr(default, "__dataclass_fields__"):
            rows.extend(describe_settings(type(default), key + "."))
            continue
        shown = "(required)" if default is MISSING else repr(default)
        rows.append((key, shown, spec.metadata.get("doc", "")))
    return rows


