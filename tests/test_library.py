"""`from crmcli import open_repo`: the core used as a library, without the CLI (GUIDE.md §1)."""

import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, TODAY
from crmcli import open_repo
from crmcli.errors import Ambiguous, CrmError, DataDirError, InvalidValue, NotFound
from crmcli.store import codec
from crmcli.store.questions import Match


@pytest.fixture
def repo(demo):
    return open_repo(demo.root, today=TODAY)


def test_open_the_demo_and_list_records(repo, demo):
    customers = repo.records("customer")
    suppliers = repo.records("supplier")
    interactions = repo.records("interaction")
    assert len(customers) == len(demo.files("customers")) >= 15
    assert len(suppliers) == len(demo.files("suppliers")) >= 5
    assert len(interactions) == len(demo.files("interactions")) >= 60
    for record in customers + suppliers + interactions:
        assert record.path == f"{record.ref}.yaml" and (demo.root / record.path).is_file()
        assert record.data["id"] == record.id == record.ref.rsplit("/", 1)[-1]
    assert {"customer", "supplier", "interaction"} <= {r.kind.name for r in repo.records()}
    assert repo.clock.today().isoformat() == TODAY
    assert repo.warnings == []


def test_records_can_be_narrowed_by_the_index(repo):
    mine = repo.records("interaction", Match(party="customers/huaqiang-dianzi"))
    assert mine and all(r.data["party"] == "customers/huaqiang-dianzi" for r in mine)


def test_open_by_the_environment(demo, monkeypatch):
    monkeypatch.setenv("CRM_DIR", str(demo.root))
    assert open_repo().root == demo.root


def test_resolve_a_party(repo):
    from crmcli.query.resolve import resolve_party

    for name in ("huaqiang", "华强", "深圳市华强电子有限公司", "customers/huaqiang-dianzi", "hqdz"):
        party = resolve_party(repo, name)
        assert party.ref == "customers/huaqiang-dianzi", name
        assert party.kind.name == "customer" and party.data["name"] == "深圳市华强电子有限公司"
    assert resolve_party(repo, "Jürgen Weiß").ref == "customers/muller-elektrotechnik"
    with pytest.raises(Ambiguous) as ambiguous:
        resolve_party(repo, "张伟")
    assert ambiguous.value.exit_code == 1 and len(ambiguous.value.candidates) == 2
    with pytest.raises(NotFound):
        resolve_party(repo, "nobody-at-all-xyz")


def test_log_an_interaction_and_read_it_back_from_the_file(repo, demo):
    from crmcli.actions.interactions import log_interaction
    from crmcli.query.resolve import resolve_party

    before = set(demo.files("interactions"))
    party = resolve_party(repo, "huaqiang")
    logged = log_interaction(repo, party, "meeting", "Library test meeting", at="2026-11-22 10:30",
                             contact="张伟", body="Two lines\nof notes", outcome="positive", tags=["lib"],
                             next_action="Send samples", due="+3d")
    new = set(demo.files("interactions")) - before
    assert len(new) == 1
    path = new.pop()
    assert path.relative_to(demo.root).as_posix() == logged.path
    assert logged.path.startswith("interactions/2026/11/IN-20261122-")
    on_disk = codec.decode(path.read_bytes())
    assert on_disk == logged.data
    assert on_disk["id"] == logged.id == path.stem
    assert on_disk["party"] == "customers/huaqiang-dianzi" and on_disk["contact"] == "张伟"
    assert on_disk["type"] == "meeting" and on_disk["direction"] == "out"
    assert on_disk["at"] == "2026-11-22T10:30:00+08:00"
    assert on_disk["body"] == "Two lines\nof notes\n"
    assert on_disk["next"] == {"action": "Send samples", "due": "2026-11-25"}
    assert on_disk["created"] == on_disk["updated"]
    # the same repository object sees it at once, and so does a freshly opened one and the CLI
    assert logged.ref in {r.ref for r in repo.records("interaction")}
    assert repo.load(logged.ref).data == on_disk
    assert logged.ref in {r.ref for r in open_repo(demo.root, today=TODAY).records("interaction")}
    assert demo("timeline", "huaqiang", "--limit", "1", "--format", "json").json()[0]["id"] == logged.id
    assert demo("check").code == 0


def test_library_errors_are_exceptions_not_exits(repo, demo, tmp_path):
    from crmcli.actions.interactions import log_interaction
    from crmcli.query.resolve import resolve_party

    before = set(demo.files("interactions"))
    party = resolve_party(repo, "huaqiang")
    with pytest.raises(InvalidValue):
        log_interaction(repo, party, "call", "x", at="someday")
    with pytest.raises(InvalidValue):
        log_interaction(repo, party, "fax", "x")
    with pytest.raises(NotFound):
        log_interaction(repo, party, "call", "x", contact="Nobody Here")
    assert set(demo.files("interactions")) == before
    with pytest.raises(DataDirError) as missing:
        open_repo(tmp_path / "nowhere")
    assert missing.value.exit_code == 3 and isinstance(missing.value, CrmError)


def test_a_broken_file_is_a_warning_for_the_library_too(demo):
    (demo.root / "customers/hongda-dianqi.yaml").write_text("id: hongda-dianqi\nname: [oops\n", encoding="utf-8")
    repo = open_repo(demo.root, today=TODAY)
    refs = {r.ref for r in repo.records("customer")}
    assert "customers/hongda-dianqi" not in refs and len(refs) == len(demo.files("customers")) - 1
    skipped = [w for w in repo.warnings if w.path == "customers/hongda-dianqi.yaml"]
    assert [(w.kind, w.line) for w in skipped] == [("skipped", 3)]
    assert str(skipped[0]).startswith("customers/hongda-dianqi.yaml:3: ")


def test_warnings_are_data_a_name_matched_by_close_spelling(demo):
    """Warnings carry where and what (issue 17): nothing reads them back out of their text."""
    from crmcli.model.kinds import PARTY_KINDS
    from crmcli.query.resolve import resolve_party

    repo = open_repo(demo.root, today=TODAY)
    party = resolve_party(repo, "huaqiang dianzzi", PARTY_KINDS)
    assert [(w.kind, w.path) for w in repo.warnings] == [("fuzzy", f"{party.ref}.yaml")]


def test_the_library_does_not_load_the_cli():
    """Opening, reading, resolving and logging pull in neither typer, click nor rich."""
    script = textwrap.dedent(f"""
        import shutil, sys, tempfile
        root = tempfile.mkdtemp() + "/demo"
        shutil.copytree({str(ROOT / "examples" / "demo")!r}, root)
        from crmcli import open_repo
        from crmcli.actions.interactions import log_interaction
        from crmcli.query.resolve import resolve_party
        repo = open_repo(root, today={TODAY!r})
        assert repo.records("customer")
        log_interaction(repo, resolve_party(repo, "huaqiang"), "note", "from a script")
        shutil.rmtree(root)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click", "rich", "crmcli"))
        print(" ".join(loaded))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    modules = result.stdout.split()
    assert not [m for m in modules if m.split(".")[0] in ("typer", "click", "rich")], modules
    assert not [m for m in modules if m.startswith(("crmcli.cli", "crmcli.render"))], modules
