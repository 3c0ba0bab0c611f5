"""Protected fields with real age keys: roles in crm.yaml, per-field envelopes in the files,
two clones whose users each read exactly their role's fields, removal, tampering, merging."""

import base64
import csv
import io
import os
import re
import shutil
import stat
import sys
from decimal import Decimal
from pathlib import Path

import pyrage
import pytest

from conftest import DEMO, DataDir, examples, run_crm
from crmcli.model.locked import LOCK
from gitrepos import committed, git

PARTY = "customers/huaqiang-dianzi"
PHONE = "+86 755 8321 6600"
TAX_ID = "91440300MA5F7K2L30"


def key_file(folder: Path, name: str) -> tuple[Path, str]:
    """A user's own age identity file, as `crm access init` would make it: (path, public key)."""
    identity = pyrage.x25519.Identity.generate()
    path = folder / f"{name}.key"
    path.write_text(f"# {name}\n{identity}\n")
    path.chmod(0o600)
    return path, str(identity.to_public())


def as_user(monkeypatch, identity: Path | None) -> None:
    if identity is None:
        monkeypatch.delenv("CRM_IDENTITY", raising=False)
    else:
        monkeypatch.setenv("CRM_IDENTITY", str(identity))


def field_line(data: DataDir, name: str) -> str:
    """The `NAME  value` line of the party's view."""
    result = data("customer", "show", "huaqiang-dianzi")
    assert result.code == 0, result.err
    return next(line for line in result.out.splitlines() if line.startswith(name + " "))


@pytest.fixture(scope="module")
def team_made(tmp_path_factory):
    """Made once per module: the demo in git, its owner's key made by `crm access init`, one
    sales and one finance member added with `crm access add`, pushed to a bare remote."""
    base = tmp_path_factory.mktemp("team")
    shutil.copytree(DEMO, base / "owner", ignore=shutil.ignore_patterns(".crm"))
    owner = DataDir(base / "owner")
    keys = base / "keys"
    keys.mkdir()
    os.environ["CRM_IDENTITY"] = str(keys / "owner.key")
    try:
        committed(owner)
        made = owner("access", "init")
        assert made.code == 0, made.err
        assert "your public key: age1" in made.err
        publics = {role: key_file(keys, role)[1] for role in ("sales", "finance")}
        for role, public in publics.items():
            added = owner("access", "add", role, public)
            assert added.code == 0, added.err
    finally:
        del os.environ["CRM_IDENTITY"]
    git(base, "init", "-q", "--bare", "-b", "main", str(base / "remote.git"))
    git(owner.root, "remote", "add", "origin", str(base / "remote.git"))
    git(owner.root, "push", "-q", "-u", "origin", "main")
    return base, publics["sales"]


@pytest.fixture
def team(tmp_path, team_made):
    """A copy of the team's repositories for one test: (the owner's data, the keys)."""
    base, sales_public = team_made
    shutil.copytree(base, tmp_path / "team", symlinks=True)
    root = tmp_path / "team"
    git(root / "owner", "remote", "set-url", "origin", str(root / "remote.git"))
    keys = {role: root / "keys" / f"{role}.key" for role in ("owner", "sales", "finance")}
    return DataDir(root / "owner"), {**keys, "sales_public": sales_public, "remote": root / "remote.git"}


def clone(tmp_path, remote, name) -> DataDir:
    git(tmp_path, "clone", "-q", str(remote), name)
    data = DataDir(tmp_path / name)
    assert data("git", "install-hooks").code == 0
    return data


def test_the_files_hold_envelopes_field_by_field_and_nothing_else_changes(team):
    owner, _keys = team
    text = owner.text(PARTY + ".yaml")
    assert re.search(r"^phones: ENC\[age,[0-9a-f]{12},[A-Za-z0-9+/=]+\]$", text, re.M)
    assert re.search(r"^tax_id: ENC\[age,", text, re.M)
    assert re.search(r"^    phones: ENC\[age,", text, re.M)  # a contact's phones
    assert "industry: electronics" in text and PHONE not in text and TAX_ID not in text
    assert "private" not in owner.text("crm.yaml").lower() and "AGE-SECRET-KEY" not in owner.text("crm.yaml")
    assert owner("access", "check").code == 0


def test_two_members_in_two_clones_each_read_exactly_their_fields_after_a_pull(team, tmp_path, monkeypatch):
    owner, keys = team
    sales, finance = clone(tmp_path, keys["remote"], "sales"), clone(tmp_path, keys["remote"], "finance")
    as_user(monkeypatch, keys["owner"])
    assert owner("customer", "edit", "huaqiang-dianzi", "--set", "phones=+86 755 1234 5678").code == 0
    git(owner.root, "push", "-q")
    for member in (sales, finance):
        git(member.root, "pull", "-q")
    as_user(monkeypatch, keys["sales"])
    assert "+86 755 1234 5678" in field_line(sales, "phones")
    assert LOCK in field_line(sales, "tax id")
    assert "1 match" in sales("search", "1234 5678").err + sales("search", "1234 5678").out
    as_user(monkeypatch, keys["finance"])
    assert field_line(finance, "phones").split()[-1] == LOCK
    assert TAX_ID in field_line(finance, "tax id")
    assert "nothing matches" in finance("search", "1234 5678").err


def test_without_a_key_other_fields_are_edited_and_the_ciphertext_is_kept_byte_for_byte(team, monkeypatch):
    owner, _keys = team
    before = owner.text(PARTY + ".yaml")
    as_user(monkeypatch, None)
    assert field_line(owner, "phones").split()[-1] == LOCK
    assert owner("customer", "edit", "huaqiang-dianzi", "--set", "industry=cables").code == 0
    after = owner.text(PARTY + ".yaml")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert [line.split(":")[0] for line in changed if not line.startswith("updated:")] == ["industry"]
    assert [line for line in after.splitlines() if "ENC[" in line] == \
        [line for line in before.splitlines() if "ENC[" in line]


def refused_edit(data: DataDir, setting: str) -> str:
    """The one line of an edit of the party that is refused, having written nothing."""
    before = data.text(PARTY + ".yaml")
    result = data("customer", "edit", "huaqiang-dianzi", "--set", setting)
    assert result.code == 1 and "Traceback" not in result.err
    assert data.text(PARTY + ".yaml") == before
    [line] = result.err.strip().splitlines()
    return line


def test_a_field_the_user_cannot_read_is_refused_clearly_and_nothing_is_written(team, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["finance"])
    assert refused_edit(owner, "phones=+86 1") == (
        "crm: customers/huaqiang-dianzi.yaml: phones is encrypted and your key cannot read it, so it cannot be "
        "changed here (a member of a role that reads it can)")


def test_a_removed_members_key_no_longer_opens_new_values(team, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["owner"])
    removed = owner("access", "remove", "sales", keys["sales_public"])
    assert removed.code == 0, removed.err
    assert "earlier commits still hold the old ciphertext" in removed.err
    assert owner("customer", "edit", "huaqiang-dianzi", "--set", "phones=+86 755 0000 0001").code == 0
    assert owner("access", "check").code == 0
    as_user(monkeypatch, keys["sales"])
    assert field_line(owner, "phones").split()[-1] == LOCK
    assert keys["sales_public"] not in owner.text("crm.yaml")
    assert git(owner.root, "status", "--porcelain") == ""  # crm.yaml and the records, committed


def test_a_tampered_ciphertext_is_one_clear_line_never_a_crash(team, monkeypatch):
    owner, keys = team
    path = owner.root / (PARTY + ".yaml")
    text = path.read_text()
    payload = re.search(r"^tax_id: ENC\[age,\w+,([^\]]+)\]", text, re.M).group(1)
    damaged = bytearray(base64.b64decode(payload))
    damaged[-3] ^= 1
    path.write_text(text.replace(payload, base64.b64encode(bytes(damaged)).decode()))
    as_user(monkeypatch, keys["owner"])
    assert refused_edit(owner, "industry=x") == (
        "crm: customers/huaqiang-dianzi.yaml: tax_id: the encrypted value is damaged or was tampered with "
        "(decryption error) (fix the file, then try again)")
    checked = owner("access", "check")
    assert checked.code == 1 and "tax_id: the encrypted value is damaged" in checked.out
    whole = owner("check")
    assert whole.code == 1 and whole.out.splitlines() == [
        "customers/huaqiang-dianzi.yaml: tax_id: the encrypted value is damaged or was tampered with "
        "(decryption error)"]
    listed = owner("customer", "list")
    assert listed.code == 0 and "tax_id: the encrypted value is damaged" in listed.err
    assert "Traceback" not in checked.err + listed.err


@pytest.mark.parametrize("envelope", [
    "ENC[age,0123456789ab,bm90IGFnZQ==]",
    "ENC[age,0123456789ab," + base64.b64encode(b"age-encryption.org/v1\n" + b"-> X25519 a\nb\n" * 100
                                               + b"--- x\n").decode() + "]",
    "ENC[age,0123456789ab," + "A" * 70000 + "]",
    "ENC[age,broken",
])
def test_a_hostile_envelope_is_refused_within_bounds(team, monkeypatch, envelope):
    owner, keys = team
    path = owner.root / (PARTY + ".yaml")
    path.write_text(re.sub(r"^tax_id: .*$", f"tax_id: {envelope}", path.read_text(), flags=re.M))
    as_user(monkeypatch, keys["owner"])
    assert "tax_id: not a valid encrypted value" in refused_edit(owner, "industry=x")


def test_members_changing_different_protected_fields_merge(team, tmp_path, monkeypatch):
    owner, keys = team
    sales, finance = clone(tmp_path, keys["remote"], "sales"), clone(tmp_path, keys["remote"], "finance")
    as_user(monkeypatch, keys["sales"])
    assert sales("customer", "edit", "huaqiang-dianzi", "--set", "phones=+86 755 2222 3333").code == 0
    assert sales("sync").code == 0
    as_user(monkeypatch, keys["finance"])
    assert finance("customer", "edit", "huaqiang-dianzi", "--set", "tax_id=91120111MA05K8N932").code == 0
    synced = finance("sync")
    assert synced.code == 0, synced.err
    git(owner.root, "pull", "-q")
    as_user(monkeypatch, keys["owner"])
    assert "+86 755 2222 3333" in field_line(owner, "phones")
    assert "91120111MA05K8N932" in field_line(owner, "tax id")
    assert owner("access", "check").code == 0


def test_the_index_of_decrypted_text_is_readable_by_its_user_only(team, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["owner"])
    assert owner("search", "8321").code == 0
    index = owner.state / "index.sqlite"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    assert stat.S_IMODE(owner.state.stat().st_mode) == 0o700


def test_crm_yaml_cannot_say_where_a_private_key_is_read_from(team):
    owner, _keys = team
    path = owner.root / "crm.yaml"
    path.write_text(path.read_text().replace("access:\n", "access:\n  identity: /home/me/.ssh/id_ed25519\n"))
    result = owner("customer", "list")
    assert result.code == 3 and "unknown field access.identity" in result.err


def test_access_list_marks_your_key_and_shows_what_each_role_reads(team, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["sales"])
    rows = owner("access", "list", "--format", "json").json()
    mine = [row for row in rows if row["you"]]
    assert [(row["role"], row["key"]) for row in mine] == [("sales", keys["sales_public"])]
    assert {row["role"] for row in rows} == {"owner", "sales", "finance"}
    assert "parties.contacts.phones" in next(row["fields"] for row in rows if row["role"] == "sales")


def test_rotate_encrypts_every_value_afresh_and_keeps_them_readable(team, monkeypatch):
    owner, keys = team
    before = owner.text(PARTY + ".yaml")
    as_user(monkeypatch, keys["owner"])
    rotated = owner("access", "rotate")
    assert rotated.code == 0, rotated.err
    after = owner.text(PARTY + ".yaml")
    assert re.search(r"^phones: (.*)$", before, re.M).group(1) != re.search(r"^phones: (.*)$", after, re.M).group(1)
    assert PHONE in field_line(owner, "phones")
    assert owner("access", "check").code == 0


def test_access_init_keeps_the_key_outside_the_repository_owner_only(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_IDENTITY", raising=False)
    config = tmp_path / "home" / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    assert repo("access", "init").code == 0
    key = config / "crm" / "identity.txt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and "AGE-SECRET-KEY-1" in key.read_text()
    assert not list(repo.root.rglob("identity.txt"))
    again = repo("access", "init")
    assert again.code == 1 and "you have a key already" in again.err


def tree_of(root: Path) -> dict[str, bytes]:
    """Every file of a work tree (but .git) with its bytes."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(root).parts}


def test_a_backup_restored_on_a_fresh_machine_equals_the_original(team, tmp_path, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["owner"])
    backup = tmp_path / "offsite" / "crm.backup"
    backup.parent.mkdir()
    made = owner("backup", backup)
    assert made.code == 0, made.err
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert b"huaqiang" not in backup.read_bytes() and backup.read_bytes().startswith(b"age-encryption.org/v1")
    fresh = tmp_path / "new-machine"
    monkeypatch.setenv("HOME", str(fresh / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(fresh / "home" / ".config"))
    as_user(monkeypatch, keys["finance"])
    refused = run_crm("restore", backup, fresh / "crm")
    assert refused.code == 1 and "not encrypted to you" in refused.err and not (fresh / "crm").exists()
    as_user(monkeypatch, keys["owner"])
    restored = run_crm("restore", backup, fresh / "crm")
    assert restored.code == 0, restored.err
    assert git(fresh / "crm", "rev-parse", "HEAD") == git(owner.root, "rev-parse", "HEAD")
    assert git(fresh / "crm", "log", "--all", "--format=%H") == git(owner.root, "log", "--all", "--format=%H")
    assert tree_of(fresh / "crm") == tree_of(owner.root)
    assert PHONE in field_line(DataDir(fresh / "crm"), "phones")


def test_a_damaged_backup_is_refused_and_nothing_is_restored(team, tmp_path, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["owner"])
    backup = tmp_path / "crm.backup"
    assert owner("backup", backup).code == 0
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 1
    backup.write_bytes(bytes(data))
    result = run_crm("restore", backup, tmp_path / "restored")
    assert result.code == 1 and "cannot open the backup" in result.err
    assert not (tmp_path / "restored").exists()


def test_the_pre_commit_hook_and_crm_check_take_envelopes_for_what_they_are(team, monkeypatch):
    owner, keys = team
    as_user(monkeypatch, keys["sales"])
    assert owner("--no-commit", "customer", "edit", "huaqiang-dianzi", "--set", "phones=+86 755 7777 8888").code == 0
    git(owner.root, "add", "-A")
    hook = owner("git", "pre-commit")
    assert hook.code == 0 and hook.out == "", hook.out + hook.err
    as_user(monkeypatch, None)
    checked = owner("check")
    assert checked.code == 0, checked.out


def test_a_member_change_killed_at_any_step_is_one_commit_or_none(team, tmp_path, rng):
    """`crm access add` writes crm.yaml and re-seals the records in one transaction and one
    commit: killed at any step (between the records and crm.yaml too), the next command
    finishes or undoes it, and HEAD's crm.yaml and records then agree with the files."""
    from test_crash import start

    owner, keys = team
    finance2 = key_file(tmp_path, "finance2")[1]
    args = ["access", "add", "finance", finance2]
    env = {"CRM_IDENTITY": str(keys["owner"])}
    head = git(owner.root, "rev-parse", "HEAD")
    os.environ.update(env)
    try:
        child = start(owner.root, args)
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        steps = int(err.rsplit("steps=", 1)[1])
        assert git(owner.root, "rev-list", "--count", f"{head}..HEAD") == "1"
        assert git(owner.root, "status", "--porcelain") == ""
        last = range(max(1, steps - 10), steps + 1)  # the records' commit, the mark, crm.yaml's commit
        for step in sorted({*last, *rng.sample(range(1, steps), min(examples(4, 40), steps - 1))}):
            git(owner.root, "reset", "-q", "--hard", head)
            child = start(owner.root, args, kill_at=step)
            child.communicate(timeout=120)
            after = owner("history")
            assert after.code == 0, (step, after.err)
            assert git(owner.root, "status", "--porcelain", "--untracked-files=all") == "", step
            commits = git(owner.root, "rev-list", "--count", f"{head}..HEAD")
            assert commits in ("0", "1"), step
            assert (finance2 in owner.text("crm.yaml")) == (commits == "1"), step
            checked = owner("access", "check")
            assert checked.code == 0, (step, checked.out)
    finally:
        for name in env:
            del os.environ[name]


def test_an_old_envelope_relabelled_for_todays_readers_is_caught_by_whoever_opens_it(team, monkeypatch):
    """After a member is removed, an envelope from history (which the removed key still opens)
    with its stamp edited to today's is refused as tampered with, and `crm access check` with
    an owner's key says so instead of trusting the stamp."""
    owner, keys = team
    path = owner.root / (PARTY + ".yaml")
    old = re.search(r"^phones: (ENC\[age,(\w+),[^\]]+\])$", path.read_text(), re.M)
    as_user(monkeypatch, keys["owner"])
    assert owner("access", "remove", "sales", keys["sales_public"]).code == 0
    today = re.search(r"^phones: ENC\[age,(\w+),", path.read_text(), re.M).group(1)
    relabelled = old.group(1).replace(old.group(2), today)
    path.write_text(re.sub(r"^phones: .*$", f"phones: {relabelled}", path.read_text(), flags=re.M))
    checked = owner("access", "check")
    assert checked.code == 1
    assert "phones: its recipients stamp is not the one it was sealed with (changed after sealing: tampered " \
        "with)" in checked.out
    assert "its recipients stamp is not the one it was sealed with" in refused_edit(owner, "industry=x")


def test_a_value_sealed_to_fewer_readers_than_its_stamp_claims_is_reported_by_access_check(team, monkeypatch):
    """Anyone holding the public keys can seal a value; one sealed to the owner alone but
    labelled (outside and inside) as sealed for today's readers is caught by counting the
    recipients age lists."""
    from crmcli.store.sealing import BOUND, MARK

    owner, keys = team
    path = owner.root / (PARTY + ".yaml")
    label = re.search(r"^tax_id: ENC\[age,(\w+),", path.read_text(), re.M).group(1)
    owner_public = re.search(r"public key: (age1\w+)", keys["owner"].read_text()).group(1)
    plain = BOUND + f"{label} 2\n".encode() + b'"91440300MA5F7K2L30"'
    forged = pyrage.encrypt(plain, [pyrage.x25519.Recipient.from_str(owner_public)])
    envelope = f"{MARK}{label},{base64.b64encode(forged).decode()}]"
    path.write_text(re.sub(r"^tax_id: .*$", f"tax_id: {envelope}", path.read_text(), flags=re.M))
    as_user(monkeypatch, keys["owner"])
    checked = owner("access", "check")
    assert checked.code == 1
    assert "tax_id: sealed for 1 recipient(s), not the 2 readers of today" in checked.out


def scripted_editor(folder: Path, old: str, new: str) -> str:
    """$EDITOR as a script: notes what it was shown, where, and with which permissions, then
    replaces `old` by `new`."""
    script = folder / "editor.py"
    script.write_text(
        f"#!{sys.executable}\nimport os, pathlib, stat, sys\np = pathlib.Path(sys.argv[1])\n"
        f"mode = lambda q: oct(stat.S_IMODE(os.stat(q).st_mode))\n"
        f"pathlib.Path({str(folder / 'seen.txt')!r}).write_text('\\n'.join([str(p), mode(p), mode(p.parent)])"
        f" + '\\n' + p.read_text())\n"
        f"p.write_text(p.read_text().replace({old!r}, {new!r}))\n")
    script.chmod(0o700)
    return str(script)


def test_the_editor_shows_what_the_user_reads_decrypted_and_seals_it_again(team, tmp_path, monkeypatch):
    owner, keys = team
    before = owner.text(PARTY + ".yaml")
    as_user(monkeypatch, keys["finance"])
    monkeypatch.setenv("EDITOR", scripted_editor(tmp_path, f"tax_id: {TAX_ID}", "tax_id: 91120111MA05K8N932"))
    edited = owner("customer", "edit", "huaqiang-dianzi")
    assert edited.code == 0, edited.err
    where, file_mode, folder_mode, *shown = (tmp_path / "seen.txt").read_text().splitlines()
    assert (file_mode, folder_mode) == ("0o600", "0o700")
    assert not Path(where).exists() and not Path(where).parent.exists()
    assert owner.root not in Path(where).parents
    assert f"tax_id: {TAX_ID}" in shown and "ENC[" not in "\n".join(shown)
    assert "phones: 🔒 encrypted, your key cannot read it (leave as is)" in shown
    after = owner.text(PARTY + ".yaml")
    assert "91120111MA05K8N932" not in after and re.search(r"^tax_id: ENC\[age,", after, re.M)
    assert re.search(r"^phones: .*$", after, re.M).group(0) == re.search(r"^phones: .*$", before, re.M).group(0)
    assert "91120111MA05K8N932" in field_line(owner, "tax id")
    assert owner("access", "check").code == 0


def test_changing_a_locked_placeholder_in_the_editor_is_refused_in_one_line(team, tmp_path, monkeypatch):
    owner, keys = team
    before = owner.text(PARTY + ".yaml")
    as_user(monkeypatch, keys["finance"])
    monkeypatch.setenv("EDITOR", scripted_editor(tmp_path, "phones: 🔒 encrypted", "phones: +86 1"))
    result = owner("customer", "edit", "huaqiang-dianzi")
    assert result.code == 1 and result.err.strip().splitlines() == [
        "crm: customers/huaqiang-dianzi.yaml: phones is encrypted and your key cannot read it, so it cannot be "
        "changed here: leave its 🔒 line as it was"]
    assert owner.text(PARTY + ".yaml") == before


ORDER = "SO-20261106-QVVY"


def test_payments_are_finances_and_sales_see_a_lock_never_a_wrong_sum(team, tmp_path, monkeypatch):
    """Payments are finance's by default: after a payment and a pull, finance reads every
    amount, and sales sees 🔒 wherever one is shown or summed (a sum with one it cannot read is
    unknown), nowhere a zero or a total without it."""
    owner, keys = team
    sales, finance = clone(tmp_path, keys["remote"], "sales"), clone(tmp_path, keys["remote"], "finance")
    as_user(monkeypatch, keys["owner"])
    assert owner("pay", ORDER, "1234.56", "--ref", "TT-1").code == 0
    git(owner.root, "push", "-q")
    for member in (sales, finance):
        git(member.root, "pull", "-q")
    text = sales.text(f"orders/2026/{ORDER}.yaml")
    assert re.search(r"^payments: ENC\[age,", text, re.M) and "1234.56" not in text
    as_user(monkeypatch, keys["finance"])
    shown = finance("order", "show", ORDER, "--format", "json").json()
    assert (shown["paid"], shown["payments"][0]["ref"]) == (Decimal("1234.56"), "TT-1")
    known = finance("report", "receivables", "--format", "json").json()
    assert all(LOCK not in str(table) for table in known.values())
    assert finance("export", "beancount").code == 0
    as_user(monkeypatch, keys["sales"])
    shown = sales("order", "show", ORDER, "--format", "json").json()
    assert (shown["paid"], shown["outstanding"]) == (LOCK, LOCK)
    view = sales("order", "show", ORDER).out
    assert re.search(r"^paid +🔒$", view, re.M) and "1,234.56" not in view
    assert {row["payments"] for row in sales("order", "list", "--format", "json").json()} == {LOCK}
    listed = list(csv.DictReader(io.StringIO(sales("order", "list", "--format", "csv").out)))
    assert {(row["paid"], row["outstanding"]) for row in listed} == {(LOCK, LOCK)}
    ledger = sales("ledger", "--format", "json").json()
    assert [(cur["total"]["paid"], cur["total"]["outstanding"]) for cur in ledger["currencies"].values()] == \
        [(LOCK, LOCK)] * len(ledger["currencies"])
    grouped = sales("ledger", "--by", "owner", "--format", "json").json()
    assert {row["paid"] for cur in grouped["currencies"].values() for row in cur["rows"]} == {LOCK}
    aging = sales("report", "receivables", "--format", "json").json()
    assert {table["total"]["total"] for table in aging.values()} == {LOCK}
    assert LOCK in next(line for line in sales("show", "ruifeng-xinnengyuan").out.splitlines()
                        if line.startswith("outstanding"))
    exported = sales("export", "beancount")
    assert exported.code == 1 and "payments of" in exported.err and "encrypted" in exported.err
    paid = sales("pay", ORDER, "1")
    assert paid.code == 1 and paid.err.strip().splitlines() == [
        f"crm: the payments of {ORDER} are encrypted and your key cannot read them, so they cannot be changed here "
        "(a member of a role that reads them can)"]


def test_values_a_member_cannot_read_make_no_duplicates(team, monkeypatch):
    """Every tax id sales cannot open reads 🔒: that is not a tax id two parties share, so
    neither `crm check --duplicates` nor an add takes all companies for twins."""
    owner, keys = team
    as_user(monkeypatch, keys["sales"])
    found = owner("check", "--duplicates")
    assert found.code == 0 and "no likely duplicates" in found.err and "same tax id" not in found.out
    added = owner("customer", "add", "Quite Different Components GmbH")
    assert added.code == 0, added.err
