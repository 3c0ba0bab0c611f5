"""`crm mail import imap://…` against a real Dovecot on loopback: the cron case, where each
run fetches only the mail that arrived since the last one."""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from mails import HUAQIANG, outlook_gbk, thunderbird

DOVECOT = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.path.exists(p)), None)
PASSWORD = "s3cret-imap"

CONFIG = """\
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{home}/cert.pem
ssl_key = <{home}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{mail}/%u
first_valid_uid = {uid}
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal}
  }}
  unix_listener stats-writer {{
    user = {internal}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory):
    """A Dovecot of our own on free loopback ports, with user `li` and an empty INBOX; yields
    (IMAP port, IMAPS port, its self-signed certificate for `localhost`). Run by root (a container), its login and mail processes run as Debian's
    `dovenull` and `dovecot` users, which dovecot insists on; else all as the current user."""
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    if os.getuid() == 0:
        mail_user = pwd.getpwnam("dovecot")
        login, internal, group = "dovenull", "dovecot", "dovecot"
        home = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))  # pytest's folders are root's only
        home.chmod(0o755)
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
    else:
        login = internal = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        home = tmp_path_factory.mktemp("dovecot")
        uid, gid = os.getuid(), os.getgid()
    mail = home / "mail"
    mail.mkdir()
    os.chown(mail, uid, gid)
    port, tls_port = _free_port(), _free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(home / "key.pem"),
                    "-out", str(home / "cert.pem")], check=True, capture_output=True)
    (home / "key.pem").chmod(0o644)
    (home / "passwd").write_text(f"li:{{PLAIN}}{PASSWORD}\n")
    (home / "passwd").chmod(0o644)
    (home / "dovecot.conf").write_text(CONFIG.format(home=home, mail=mail, port=port, tls_port=tls_port, uid=uid, gid=gid, login=login,
                                                     internal=internal, group=group))
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(home / "dovecot.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"dovecot did not start: {server.stderr.read().decode()}")
                time.sleep(0.05)
        yield port, tls_port, home / "cert.pem"
    finally:
        server.terminate()
        server.wait(timeout=10)
        if os.getuid() == 0:
            shutil.rmtree(home, ignore_errors=True)


def deliver(port: int, *messages: bytes) -> None:
    connection = imaplib.IMAP4("127.0.0.1", port)
    connection.login("li", PASSWORD)
    for message in messages:
        assert connection.append("INBOX", None, None, message)[0] == "OK"
    connection.logout()


def test_the_cron_job_fetches_only_new_mail(mine, dovecot, monkeypatch):
    monkeypatch.setenv("CRM_MAIL_PASSWORD", PASSWORD)
    port = dovecot[0]
    url = f"imap://li@127.0.0.1:{port}/INBOX"
    deliver(port, thunderbird("<i1@angstrom>", "First"), outlook_gbk("<i2@huaqiang>"))
    first = mine("--format", "json", "mail", "import", url, "--since", "30d")
    assert first.code == 0, first.err
    assert [row["summary"] for row in first.json()["logged"]] == ["回复: 关于喆的报价", "First"]

    deliver(port, thunderbird("<i3@huaqiang>", "Second", sender=HUAQIANG, date="Sun, 22 Nov 2026 08:00:00 +0800"))
    second = mine("--format", "json", "mail", "import", url, "--since", "30d")
    assert second.code == 0, second.err
    assert (second.json()["read"], [row["summary"] for row in second.json()["logged"]]) == (1, ["Second"])

    third = mine("--format", "json", "mail", "import", url)
    assert (third.json()["read"], third.json()["logged"]) == (0, [])
    assert (mine.state / "mail.json").is_file() and not list(mine.root.rglob("mail.json"))

    (mine.state / "mail.json").unlink()  # state lost: everything is read again, nothing logged twice
    again = mine("--format", "json", "mail", "import", url)
    assert (again.json()["read"], again.json()["already_logged"], again.json()["logged"]) == (3, 3, [])


def test_a_wrong_password_is_one_line(mine, dovecot, monkeypatch):
    monkeypatch.setenv("MY_IMAP_SECRET", "wrong")
    result = mine("mail", "import", f"imap://li@127.0.0.1:{dovecot[0]}/INBOX", "--password-env", "MY_IMAP_SECRET")
    assert result.code == 1 and "IMAP" in result.err and result.err.count("\n") == 1


def test_without_a_password_it_says_where_to_put_one(mine, monkeypatch):
    monkeypatch.delenv("CRM_MAIL_PASSWORD", raising=False)
    result = mine("mail", "import", "imaps://li@mail.example/INBOX")
    assert result.code == 1 and "CRM_MAIL_PASSWORD" in result.err


def test_imaps_checks_the_servers_certificate(mine, dovecot, monkeypatch):
    """TLS is verified as the system does: a certificate nobody vouches for is refused; trusted
    (here through SSL_CERT_FILE, which OpenSSL reads), the same server works."""
    _, tls_port, certificate = dovecot
    monkeypatch.setenv("CRM_MAIL_PASSWORD", PASSWORD)
    url = f"imaps://li@localhost:{tls_port}/INBOX"
    refused = mine("mail", "import", url)
    assert refused.code == 1 and "certificate" in refused.err and refused.err.count("\n") == 1
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    trusted = mine("--format", "json", "mail", "import", url)
    assert trusted.code == 0, trusted.err
    assert trusted.json()["source"] == f"imaps://li@localhost:{tls_port}/INBOX"
