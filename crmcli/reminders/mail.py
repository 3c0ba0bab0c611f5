"""Sending the reminder digest by mail through the SMTP server of the user's local settings.

Where mail goes and which secret is sent are never taken from the data directory (a pulled
crm.yaml is someone else's input): they come from `$XDG_CONFIG_HOME/crm/config.yaml`
(`store/local.py`). The password is never in a file: `smtp.password_env` names the
environment variable that holds it, and only a `CRM_SMTP_…` one. Nothing goes out in clear
text but to a server on this machine. Any failure is one `MailError` line, raised before
anything counts as sent.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl

from crmcli.errors import CrmError
from crmcli.i18n import _
from crmcli.model.notices import Notice
from crmcli.model.text import visible
from crmcli.store.config import CONFIG_FILE
from crmcli.store.local import MOVED_SMTP, local_settings_path, smtp_settings
from crmcli.store.validation import FOREIGN_SECRET, ONE_OF

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_PREFIX = "CRM_SMTP_"


class MailError(CrmError):
    """The digest could not be sent (exit 1)."""


def mail_settings(repo) -> dict | None:
    """The SMTP settings for `repo`, from the user's local file only. An `smtp:` block in
    crm.yaml is not obeyed: a warning when the local file has settings, else the refusal
    says where to move it."""
    settings = smtp_settings(repo.root)
    if "smtp" in repo.config.raw:
        moved = f"{CONFIG_FILE}: {_(MOVED_SMTP).format(path=local_settings_path())}"
        if not settings:
            raise MailError(moved)
        repo.warnings.append(Notice(moved, CONFIG_FILE))
    return settings


def is_loopback(host: str) -> bool:
    """A server on this machine (localhost, 127.0.0.0/8, ::1): the only one mail may reach in clear text."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _security(settings: dict) -> str:
    """`starttls`, `tls` or `none`, exactly: anything else (STARTTLS, yes, a trailing space)
    once meant no encryption at all, so it is an error; `none` only for a server on this machine.
    The schema of the local file says the same with a line number; this guards every caller."""
    security = settings.get("security", "starttls")
    if security not in DEFAULT_PORTS:
        raise MailError(_(ONE_OF).format(field="smtp.security", value=security, allowed=", ".join(DEFAULT_PORTS)))
    if security == "none" and not is_loopback(settings["host"]):
        raise MailError(_("smtp.security: none sends the password and the digest in clear text, so it is only "
                          "for a server on this machine (localhost, 127.0.0.1, ::1), not {host}").format(
            host=settings["host"]))
    return security


def _password(settings: dict) -> str | None:
    variable = settings.get("password_env")
    if not settings.get("user"):
        return None
    if not variable:
        raise MailError(_("smtp.user is set but smtp.password_env is not: name the environment variable "
                          "that holds the password ({prefix}…)").format(prefix=PASSWORD_PREFIX))
    if not str(variable).startswith(PASSWORD_PREFIX):
        raise MailError(_(FOREIGN_SECRET).format(field="smtp.password_env", value=variable))
    password = os.environ.get(variable)
    if password is None:
        raise MailError(_("the SMTP password variable {variable} is not set in the environment").format(
            variable=variable))
    return password


def message(sender: str, to: list[str], subject: str, text: str, html: str):
    # lazy: the email package loads in 20 ms (python -X importtime); only mail needs it
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Subject"] = visible(" ".join(subject.split()))  # a line break would end the header
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] if "@" in sender else None)
    mail.set_content(text)
    mail.add_alternative(f"<!DOCTYPE html>\n<html><body>\n{html}</body></html>\n", subtype="html")
    return mail


def send(settings: dict | None, to: list[str], subject: str, text: str, html: str) -> None:
    """Deliver one digest with a plain-text and an HTML part, or raise MailError."""
    # lazy: smtplib loads in 28 ms (python -X importtime); only sending mail needs it
    import smtplib

    if not settings or not settings.get("host"):
        raise MailError(_("no mail server: set smtp.host (and port, security, user, password_env) in {path}").format(
            path=local_settings_path()))
    host = settings["host"]
    security = _security(settings)
    port = int(settings.get("port") or DEFAULT_PORTS[security])
    password = _password(settings)
    sender = settings.get("from") or settings.get("user") or f"crm@{socket.getfqdn()}"
    where = f"{host}:{port}"
    try:
        context = ssl.create_default_context()
        timeout = float(settings.get("timeout", 20))
        client: smtplib.SMTP
        if security == "tls":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise MailError(_("mail server {server} does not offer STARTTLS: nothing was sent (crm never "
                                      "falls back to clear text)").format(server=where))
                client.starttls(context=context)
            if password is not None:
                client.login(settings["user"], password)
            refused = client.send_message(message(sender, to, subject, text, html))
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        raise MailError(_("mail server {server} refused: {reply}").format(
            server=where, reply=f"{error.smtp_code} {reply}")) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(_("mail server {server} refused every recipient: {recipients}").format(
            server=where, recipients=", ".join(error.recipients))) from error
    except (smtplib.SMTPException, ssl.SSLError) as error:
        raise MailError(_("mail to {server} failed: {error}").format(server=where, error=error)) from error
    except UnicodeError:  # smtplib logs in with ASCII only; its error would quote the password
        raise MailError(_("mail to {server} failed: the SMTP user or password is not plain ASCII, "
                          "which smtplib cannot log in with").format(server=where)) from None
    except OSError as error:
        raise MailError(_("cannot reach mail server {server}: {error}").format(
            server=where, error=error.strerror or error)) from error
    if refused:
        raise MailError(_("mail server {server} refused: {reply}").format(server=where, reply=", ".join(refused)))
