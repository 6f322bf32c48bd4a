"""Delivering a message through SMTP, with settings from site.yaml and DIGEST_SMTP_* variables."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import replace
from email.message import EmailMessage

from digest.errors import DigestError
from digest.inputs.config import SmtpSettings, setting_choices, setting_range

PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"
ENV_PREFIX = "DIGEST_SMTP_"

def smtp_settings(base: SmtpSettings, environ: Mapping[str, str]) -> SmtpSettings:
    """site.yaml's smtp settings with DIGEST_SMTP_HOST/PORT/SECURITY/USER from the environment on top."""
    changes: dict[str, object] = {}
    if environ.get(ENV_PREFIX + "HOST"):
        changes["host"] = environ[ENV_PREFIX + "HOST"].strip()
    if environ.get(ENV_PREFIX + "PORT"):
        raw = environ[ENV_PREFIX + "PORT"].strip()
        low, high = setting_range(SmtpSettings, "port")
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise DigestError(f"{ENV_PREFIX}PORT must be a port number ({low}-{high}), got '{raw}'")
        changes["port"] = int(raw)
    if environ.get(ENV_PREFIX + "SECURITY"):
        security = environ[ENV_PREFIX + "SECURITY"].strip().lower()
        choices = setting_choices(SmtpSettings, "security")
        if security not in choices:
            raise DigestError(f"{ENV_PREFIX}SECURITY must be {', '.join(choices[:-1])} or {choices[-1]}, "
                              f"got '{security}'")
        changes["security"] = security
    if ENV_PREFIX + "USER" in environ:
        changes["user"] = environ[ENV_PREFIX + "USER"].strip()
    return replace(base, **changes)


def describe_smtp(settings: SmtpSettings, password_set: bool) -> str:
    """Where and how mail goes, for messages; never includes the password itself."""
    login = f"login as {settings.user}" if settings.user else "no login"
    if settings.user:
        login += f", password from {PASSWORD_VARIABLE}" if password_set else f", but {PASSWORD_VARIABLE} is not set"
    return f"{settings.host}:{settings.port} ({settings.security}, {login})"


def send_message(message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings,
                 password: str | None) -> None:
    """Deliver through SMTP; every network or protocol failure becomes a DigestError naming the server."""
    if settings.user and not password:
        raise DigestError(f"smtp.user is '{settings.user}' but {PASSWORD_VARIABLE} is not set; "
                          "export the password in that variable (it is never read from site.yaml)")
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, password or "")
            refused = client.send_message(message, to_addrs=list(recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestError(f"SMTP server {where} refused the login for '{settings.user}' ({exc.smtp_code}); "
                          f"check {ENV_PREFIX}USER and {PASSWORD_VARIABLE}") from None
    except smtplib.SMTPNotSupportedError:
        raise DigestError(f"SMTP server {where} does not offer STARTTLS; use security 'ssl' or 'none' "
                          f"({ENV_PREFIX}SECURITY)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DigestError(f"SMTP server {where} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise DigestError(f"SMTP server {where} answered {exc.smtp_code}: {reason}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout in this
            raise DigestError(f"SMTP server {where} did not answer within {settings.timeout:g} s") from None
        raise DigestError(f"SMTP server {where} closed the connection: {exc}") from None
    except TimeoutError:
        raise DigestError(f"SMTP server {where} did not answer within {settings.timeout:g} s") from None
    except ConnectionRefusedError:
        raise DigestError(f"cannot connect to SMTP server {where}: connection refused; check smtp.host and "
                          f"smtp.port in site.yaml or {ENV_PREFIX}HOST/{ENV_PREFIX}PORT") from None
    except ssl.SSLError as exc:
        raise DigestError(f"TLS with SMTP server {where} failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestError(f"sending through SMTP server {where} failed: {exc}") from None
    if refused:
        raise DigestError(f"SMTP server {where} refused some recipients: {', '.join(sorted(refused))}")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
