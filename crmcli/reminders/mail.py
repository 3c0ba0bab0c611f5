"""Sending the reminder digest by mail through the SMTP server of `crm.yaml`.

The password is never in a file: `smtp.password_env` names the environment variable that
holds it. Any failure is one `MailError` line, raised before anything counts as sent.
"""

from __future__ import annotations

import os
import socket
import ssl

from crmcli.errors import CrmError
from crmcli.i18n import _
from crmcli.model.text import visible

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class MailError(CrmError):
    """The digest could not be sent (exit 1)."""


def _password(settings: dict) -> str | None:
    variable = settings.get("password_env")
    if not settings.get("user"):
        return None
    if not variable:
        raise MailError(_("smtp.user is set but smtp.password_env is not: name the environment variable "
                          "that holds the password in crm.yaml"))
    password = os.environ.get(variable)
    if password is None:
        raise MailError(_("the SMTP password variable {variable} is not set in the environment").format(
            variable=variable))
    return password


def message(sender: str, to: list[str], subject: str, text: str, html: str):
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
    import smtplib

    if not settings or not settings.get("host"):
        raise MailError(_("no mail server: set smtp.host (and port, security, user, password_env) in crm.yaml"))
    host = settings["host"]
    security = settings.get("security", "starttls")
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
