"""`crm remind due --mail-to`: the digest through a real SMTP server on loopback (aiosmtpd)."""

import re
import socket
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Keeps what it is sent; `refuse` makes it answer DATA with an error instead."""

    def __init__(self):
        self.messages = []
        self.refuse = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def only_alice(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"alice", b"s3cret")
    return AuthResult(success=good, handled=False)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=only_alice,
                            auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def configure(data_dir, port, **extra):
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "from": "crm@test.example", **extra}
    lines = "".join(f"  {key}: {value}\n" for key, value in settings.items())
    path = data_dir.root / "crm.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "smtp:\n" + lines, encoding="utf-8")


@pytest.fixture
def due_today(empty):
    """Something due, and a reached target that is announced once the digest is delivered."""
    assert empty("customer", "add", "深圳市华强电子有限公司", "--id", "huaqiang").code == 0
    assert empty("remind", "add", "huaqiang", "寄送<价格表> & 样品", "--due", "today").code == 0
    assert empty("target", "set", "li", "2026-11", "100").code == 0
    assert empty("order", "add", "huaqiang", "--line", "Widget 2 @ 100", "--status", "confirmed").code == 0
    return empty


def test_the_digest_arrives_with_text_and_html_parts(due_today, smtp):
    configure(due_today, smtp.port)
    result = due_today("remind", "due", "--mail-to", "li@example.com", "--mail-to", "wang@example.com")
    assert (result.code, result.out) == (0, ""), result.err
    [(recipients, mail)] = smtp.messages
    assert recipients == ["li@example.com", "wang@example.com"]
    assert mail["Subject"] == "Test Co: 2 reminders due 2026-11-22" and mail["From"] == "crm@test.example"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "寄送<价格表> & 样品" in text and "深圳市华强电子有限公司" in text
    assert "寄送&lt;价格表&gt; &amp; 样品" in html and "<table>" in html and "<价格表>" not in html
    assert "li reached target 2026-11" in text
    assert due_today.read("targets/li-2026-11.yaml")["announced"].startswith("2026-11-22")


def test_login_with_the_password_from_the_environment(due_today, smtp, monkeypatch):
    configure(due_today, smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_SMTP_PASSWORD", "s3cret")
    assert due_today("remind", "due", "--mail-to", "li@example.com").code == 0
    assert len(smtp.messages) == 1


def nothing_sent(data_dir, result, says):
    assert result.code == 1 and says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert "announced" not in data_dir.read("targets/li-2026-11.yaml")


def test_a_missing_password_variable(due_today, smtp, monkeypatch):
    configure(due_today, smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.delenv("CRM_SMTP_PASSWORD", raising=False)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 "the SMTP password variable CRM_SMTP_PASSWORD is not set")
    assert smtp.messages == []


def test_a_wrong_password(due_today, smtp, monkeypatch):
    configure(due_today, smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_SMTP_PASSWORD", "guess")
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"), "refused: 535")


def test_a_server_that_refuses_the_message(due_today, smtp):
    configure(due_today, smtp.port)
    smtp.refuse = "554 5.7.1 rejected as spam"
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"mail server 127.0.0.1:{smtp.port} refused: 554 5.7.1 rejected as spam")


def test_a_server_that_is_down(due_today):
    port = free_port()
    configure(due_today, port, timeout=5)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"cannot reach mail server 127.0.0.1:{port}")


def test_no_mail_server_configured(due_today):
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"), "no mail server: set smtp.host")


def test_the_readme_crontab_line_works_as_written(due_today, smtp, tmp_path):
    """The crontab line of the README, run by a shell with HOME holding the data directory."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if re.match(r"^\d+ \d+ \* \* \* ", line))
    command = line.split(" ", 5)[5]
    home = tmp_path / "home"
    home.mkdir()
    due_today.root.rename(home / "crm")
    configure(type(due_today)(home / "crm"), smtp.port)
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60,
                            env={"HOME": str(home), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                                 "CRM_TODAY": "2026-11-22", "TZ": "Asia/Shanghai"})
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert len(smtp.messages) == 1


# --------------------------------------------------------------------------- the password (issue 10, SECURITY.md)

SECRET = "hunter2-ŝecret"


def everything_in(root: Path) -> bytes:
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


def test_the_password_is_never_printed_or_written(due_today, smtp, monkeypatch):
    configure(due_today, smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_SMTP_PASSWORD", SECRET)
    for args in (["remind", "due", "--mail-to", "li@example.com"], ["--debug", "remind", "due", "--mail-to", "x@y.z"],
                 ["check"], ["today"]):
        try:
            result = due_today(*args)
        except Exception as error:  # --debug re-raises, for the traceback
            assert SECRET not in f"{type(error).__name__}: {error}", args
            continue
        assert SECRET not in result.out + result.err and "internal error" not in result.err, (args, result.err)
    assert SECRET.encode() not in everything_in(due_today.root)


def test_a_password_written_in_crm_yaml_is_refused_by_check_and_not_shown(due_today):
    configure(due_today, 25, password=SECRET)
    result = due_today("check")
    assert result.code == 3 and "unknown field smtp.password" in result.err and SECRET not in result.out + result.err


def mail_with_password(due_today, monkeypatch, **server) -> tuple:
    """`crm remind due --mail-to` (starttls, a password) to a loopback server built with
    `server`; returns the result and the logins and messages the server got."""
    tried, inbox = [], Inbox()

    def record(server, session, envelope, mechanism, auth_data):
        tried.append(auth_data)
        return AuthResult(success=True, handled=False)

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=record, **server)
    controller.start()
    try:
        configure(due_today, controller.port, user="alice", password_env="CRM_SMTP_PASSWORD", security="starttls")
        monkeypatch.setenv("CRM_SMTP_PASSWORD", SECRET)
        return due_today("remind", "due", "--mail-to", "li@example.com"), tried, inbox.messages
    finally:
        controller.stop()


def test_no_password_goes_to_a_server_without_starttls(due_today, monkeypatch):
    """The default security is starttls: a server that does not offer it gets no password
    (and no digest) rather than both in the clear."""
    result, tried, messages = mail_with_password(due_today, monkeypatch, auth_require_tls=False)
    nothing_sent(due_today, result, "STARTTLS")
    assert tried == [] and messages == []


def test_a_server_with_an_untrusted_certificate_gets_no_password(due_today, tmp_path, monkeypatch):
    """starttls verifies the server's certificate: a self-signed one ends the attempt before
    the password is sent."""
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed, so no certificate can be made for the test server")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                           "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {made.stderr.decode()[-200:]}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    result, tried, messages = mail_with_password(due_today, monkeypatch, tls_context=context, require_starttls=True)
    nothing_sent(due_today, result, "CERTIFICATE_VERIFY_FAILED")
    assert tried == [] and messages == []
