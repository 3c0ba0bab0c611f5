"""`crm remind due --mail-to`: the digest through a real SMTP server on loopback (aiosmtpd)."""

import json
import os
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
from gitrepos import committed, git, plain_git  # noqa: F401 (fixture)
from robust import Listener


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


def local_settings(home: Path | None = None) -> Path:
    """The user's own settings file: under $XDG_CONFIG_HOME (the test's own), or a HOME's ~/.config."""
    base = home / ".config" if home else Path(os.environ["XDG_CONFIG_HOME"])
    return base / "crm" / "config.yaml"


def smtp_block(port, **extra) -> str:
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "from": "crm@test.example", **extra}
    return "smtp:\n" + "".join(f"  {key}: {json.dumps(value)}\n" for key, value in settings.items())


def configure(port, home: Path | None = None, **extra) -> Path:
    """Mail settings where they belong: the user's own file, never the data directory."""
    path = local_settings(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(smtp_block(port, **extra), encoding="utf-8")
    return path


def commit_smtp(data_dir, port, **extra) -> None:
    """An `smtp:` block in crm.yaml, as a pull could bring it."""
    path = data_dir.root / "crm.yaml"
    path.write_text(path.read_text(encoding="utf-8") + smtp_block(port, **extra), encoding="utf-8")


@pytest.fixture
def due_today(empty):
    """Something due, and a reached target that is announced once the digest is delivered."""
    assert empty("customer", "add", "深圳市华强电子有限公司", "--id", "huaqiang").code == 0
    assert empty("remind", "add", "huaqiang", "寄送<价格表> & 样品", "--due", "today").code == 0
    assert empty("target", "set", "li", "2026-11", "100").code == 0
    assert empty("order", "add", "huaqiang", "--line", "Widget 2 @ 100", "--status", "confirmed").code == 0
    return empty


def test_the_digest_arrives_with_text_and_html_parts(due_today, smtp):
    configure(smtp.port)
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
    assert "announced" not in due_today.read("targets/li-2026-11.yaml")  # sent-state is local, not in the data
    assert "reached target" not in due_today("remind", "due").out


def test_login_with_the_password_from_the_environment(due_today, smtp, monkeypatch):
    configure(smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_SMTP_PASSWORD", "s3cret")
    assert due_today("remind", "due", "--mail-to", "li@example.com").code == 0
    assert len(smtp.messages) == 1


def nothing_sent(data_dir, result, says):
    assert result.code == 1 and says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert "li reached target 2026-11" in data_dir("today").out  # not noted as sent: the next run sends it


def test_a_missing_password_variable(due_today, smtp, monkeypatch):
    configure(smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.delenv("CRM_SMTP_PASSWORD", raising=False)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 "the SMTP password variable CRM_SMTP_PASSWORD is not set")
    assert smtp.messages == []


def test_a_wrong_password(due_today, smtp, monkeypatch):
    configure(smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_SMTP_PASSWORD", "guess")
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"), "refused: 535")


def test_a_server_that_refuses_the_message(due_today, smtp):
    configure(smtp.port)
    smtp.refuse = "554 5.7.1 rejected as spam"
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"mail server 127.0.0.1:{smtp.port} refused: 554 5.7.1 rejected as spam")


def test_a_server_that_is_down(due_today):
    port = free_port()
    configure(port, timeout=5)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"cannot reach mail server 127.0.0.1:{port}")


def test_no_mail_server_configured(due_today):
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"no mail server: set smtp.host (and port, security, user, password_env) in {local_settings()}")


def test_the_readme_crontab_line_works_as_written(due_today, smtp, tmp_path):
    """The crontab line of the README, run by a shell with HOME holding the data directory."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if re.match(r"^\d+ \d+ \* \* \* ", line))
    command = line.split(" ", 5)[5]
    home = tmp_path / "home"
    home.mkdir()
    due_today.root.rename(home / "crm")
    configure(smtp.port, home)
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
    configure(smtp.port, user="alice", password_env="CRM_SMTP_PASSWORD")
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
    commit_smtp(due_today, 25, password=SECRET)
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
        configure(controller.port, user="alice", password_env="CRM_SMTP_PASSWORD", security="starttls")
        monkeypatch.setenv("CRM_SMTP_PASSWORD", SECRET)
        return due_today("remind", "due", "--mail-to", "li@example.com"), tried, inbox.messages
    finally:
        controller.stop()


def test_no_password_goes_to_a_server_without_starttls(due_today, monkeypatch):
    """The default security is starttls: a server that does not offer it gets no password
    (and no digest) rather than both in the clear."""
    result, tried, messages = mail_with_password(due_today, monkeypatch, auth_require_tls=False)
    nothing_sent(due_today, result, "does not offer STARTTLS: nothing was sent (crm never falls back to clear text)")
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


# --------------------------------------------------------------------------- settings stay local (issue 16)

GITHUB_TOKEN = "ghp_attackerWantsThis0123456789"


@pytest.fixture
def attacker():
    listener = Listener()
    yield listener
    listener.socket.close()


@pytest.fixture
def pulled(due_today, tmp_path, attacker):
    """The user's data directory in git, after a `git pull` of a crm.yaml whose smtp block
    points at the attacker with password_env: GITHUB_TOKEN, as a collaborator could push it."""
    committed(due_today)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(due_today.root), str(remote))
    git(due_today.root, "remote", "add", "origin", str(remote))
    git(due_today.root, "fetch", "-q", "origin")
    git(due_today.root, "branch", "-q", "--set-upstream-to=origin/main")
    git(tmp_path, "clone", "-q", str(remote), "theirs")
    theirs = type(due_today)(tmp_path / "theirs")
    commit_smtp(theirs, attacker.port, user="li", password_env="GITHUB_TOKEN")
    git(theirs.root, "commit", "-q", "-am", "mail settings")
    git(theirs.root, "push", "-q", "origin", "main")
    git(due_today.root, "pull", "-q", "--no-rebase")
    assert "GITHUB_TOKEN" in due_today.text("crm.yaml")
    return due_today


def test_a_pulled_crm_yaml_cannot_choose_where_mail_goes_or_which_secret_is_sent(pulled, smtp, attacker,
                                                                                   monkeypatch):
    """The morning cron job mails through the user's own server, never the one crm.yaml names,
    and the variable crm.yaml names is never read; the user is told to move the block."""
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    settings = configure(smtp.port)
    result = pulled("remind", "due", "--mail-to", "li@example.com")
    assert result.code == 0 and GITHUB_TOKEN not in result.out + result.err, result.err
    assert result.err == f"warning: crm.yaml: smtp is not read from crm.yaml, which arrives through git and so may " \
                         f"not choose where mail goes or which secret is sent: move it to {settings}\n"
    assert not attacker.reached()
    [(_recipients, mail)] = smtp.messages
    assert GITHUB_TOKEN not in mail.as_string()


def test_with_no_settings_of_its_own_the_pulled_smtp_block_is_refused(pulled, attacker, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    result = pulled("remind", "due", "--mail-to", "li@example.com")
    nothing_sent(pulled, result, f"crm: crm.yaml: smtp is not read from crm.yaml, which arrives through git and so "
                                 f"may not choose where mail goes or which secret is sent: move it to {local_settings()}")
    assert not attacker.reached() and GITHUB_TOKEN not in result.out + result.err


def test_check_warns_about_an_smtp_block_in_crm_yaml(due_today):
    commit_smtp(due_today, 25)
    lines = len(due_today.text("crm.yaml").splitlines())
    result = due_today("check")
    assert result.code == 0 and f"crm.yaml:{lines - 4}: warning: smtp is not read from crm.yaml" in result.out, result.out


@pytest.mark.parametrize("security", ["STARTTLS", "TLS", "yes", "starttls ", " tls", "ssl", "", "None", True, 1])
def test_a_security_that_is_not_exactly_starttls_tls_or_none_is_refused(due_today, smtp, security):
    settings = configure(smtp.port, security=security)
    result = due_today("remind", "due", "--mail-to", "li@example.com")
    nothing_sent(due_today, result, f"crm: {settings}:4: smtp.security: {security!r} is not one of starttls, tls, none")
    assert smtp.messages == []


def test_the_library_refuses_the_same_security_values():
    from crmcli.reminders.mail import MailError, send

    for security in ("STARTTLS", "yes", "starttls "):
        with pytest.raises(MailError, match="smtp.security: .* is not one of starttls, tls, none"):
            send({"host": "127.0.0.1", "port": free_port(), "security": security}, ["li@example.com"], "s", "t", "h")
    with pytest.raises(MailError, match="password variable must start with CRM_SMTP_"):
        send({"host": "127.0.0.1", "port": free_port(), "security": "none", "user": "li",
              "password_env": "GITHUB_TOKEN"}, ["li@example.com"], "s", "t", "h")


@pytest.mark.parametrize("host", ["mail.example.com", "192.0.2.1", "0.0.0.0", "localhost.example.com"])
def test_no_encryption_is_refused_for_a_server_not_on_this_machine(due_today, attacker, host):
    configure(attacker.port, host=host)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"smtp.security: none sends the password and the digest in clear text, so it is only for a server "
                 f"on this machine (localhost, 127.0.0.1, ::1), not {host}")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_no_encryption_works_on_loopback(due_today, smtp, host):
    configure(smtp.port, host=host)
    assert due_today("remind", "due", "--mail-to", "li@example.com").code == 0
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("variable", ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "crm_smtp_password", "CRM_SMTP_"])
def test_the_password_variable_must_start_with_crm_smtp(due_today, smtp, monkeypatch, variable):
    monkeypatch.setenv(variable, SECRET)
    settings = configure(smtp.port, user="alice", password_env=variable)
    result = due_today("remind", "due", "--mail-to", "li@example.com")
    nothing_sent(due_today, result, f"crm: {settings}:7: smtp.password_env: {variable!r} is refused: the password "
                                    "variable must start with CRM_SMTP_")
    assert SECRET not in result.err and smtp.messages == []


def test_a_data_directory_can_have_settings_of_its_own(due_today, smtp, attacker):
    path = local_settings()
    path.parent.mkdir(parents=True)
    own = smtp_block(smtp.port).replace("\n", "\n    ").rstrip(" ")
    path.write_text(smtp_block(attacker.port) + f"directories:\n  {due_today.root.resolve()}:\n    {own}")
    assert due_today("remind", "due", "--mail-to", "li@example.com").code == 0
    assert len(smtp.messages) == 1 and not attacker.reached()


def test_the_local_settings_file_is_not_read_through_a_link_nor_when_huge(due_today, smtp, tmp_path):
    real = tmp_path / "elsewhere.yaml"
    real.write_text(smtp_block(smtp.port))
    path = local_settings()
    path.parent.mkdir(parents=True)
    path.symlink_to(real)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"), f"crm: {path}: not a regular "
                 "file but a link")
    path.unlink()
    path.write_text(smtp_block(smtp.port) + "# padding\n" * 30_000)
    nothing_sent(due_today, due_today("remind", "due", "--mail-to", "li@example.com"),
                 f"crm: {path}: file is larger than 256 KiB")
    path.write_text(smtp_block(smtp.port, password=SECRET))
    result = due_today("remind", "due", "--mail-to", "li@example.com")
    nothing_sent(due_today, result, f"crm: {path}:6: unknown field smtp.password")
    assert SECRET not in result.err and smtp.messages == []
