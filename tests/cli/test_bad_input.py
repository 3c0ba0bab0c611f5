"""Bad input and the CLI's contract (issue 2, "Bad input"; GUIDE.md §4–5), driven as a user would.

Every refusal must be: the exit code of GUIDE.md §5, exactly one line on stderr
(an ambiguous name may list its candidates on indented lines after it), nothing on
stdout, no traceback, and nothing written: the data directory's files are compared
byte for byte before and after.
"""

import fcntl
import functools
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import crmcli
from conftest import ROOT, copy_of_demo, read_terminal, run_crm
from fs_conditions import read_only
from robust import snapshot

UNKNOWN = "nobody-at-all-xyz"


# --------------------------------------------------------------------------- helpers

def assert_refused(result, code: int, before: dict | None = None, root: Path | None = None, *,
                   candidates: bool = False, says: tuple[str, ...] = ()) -> list[str]:
    """The contract of a refusal; returns the stderr lines."""
    everything = result.out + result.err
    assert "Traceback" not in everything, everything
    assert "internal error" not in everything, everything
    assert result.code == code, (result.code, result.out, result.err)
    assert result.out == "", result.out
    lines = result.err.splitlines()
    assert lines, "no message on stderr"
    assert lines[0].startswith("crm: "), lines
    if candidates:
        assert len(lines) >= 3, lines
        assert all(line.startswith("  ") and line.strip() for line in lines[1:]), lines
    else:
        assert len(lines) == 1, lines
    for text in says:
        assert text in result.err, (text, result.err)
    if before is not None:
        assert snapshot(root) == before, "the data directory changed"
    return lines


def only_written(root: Path, before: dict) -> set[str]:
    after = snapshot(root)
    return {path for path in after.keys() | before.keys() if after.get(path) != before.get(path)}


def replace_in(data, relative: str, old: str, new: str) -> None:
    path = data.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, relative)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_number(data, relative: str, needle: str) -> int:
    for number, line in enumerate(data.text(relative).splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {relative}")


@functools.cache
def timeline_party_option() -> bool:
    """Whether `crm timeline` takes its party as `--party` (issue 3 makes the argument a query)."""
    return "--party" in run_crm("timeline", "--help").out


def as_typed(args: list[str]) -> list[str]:
    """`timeline NAME` of issue 2, spelled `timeline --party NAME` where the query language took the argument."""
    if args[:1] == ["timeline"] and len(args) > 1 and not args[1].startswith("-") and timeline_party_option():
        return ["timeline", "--party", *args[1:]]
    return args


@pytest.fixture(scope="module")
def warm(tmp_path_factory, indexed_demo):
    """The demo with its index built (so a command's own first refresh writes nothing new),
    shared by the module's tests that change nothing: most are refusals, each proving with a
    byte-for-byte snapshot that nothing was written, so the next test starts from the same files.
    Leaving, it checks that none of them (the listings and views too) wrote anything. Tests that
    edit files or permissions take `own`: a 330-test module copied the demo 330 times."""
    data = copy_of_demo(indexed_demo, tmp_path_factory.mktemp("bad-input") / "demo")
    assert data("customer", "list").code == 0
    pristine = snapshot(data.root)
    yield data
    assert snapshot(data.root) == pristine, "a test of the shared demo wrote to it"


@pytest.fixture
def own(demo):
    """The demo with its index built, of the test's own: for the tests that edit its files or
    make it read-only."""
    assert demo("customer", "list").code == 0
    return demo


# --------------------------------------------------------------------------- unknown or ambiguous PARTY

def party_commands(name: str, kind: str = "customer") -> list[list[str]]:
    """Every command that takes a PARTY (as `kind`'s own group where the group is per kind)."""
    return [
        ["log", name, "call", "hello"],
        ["show", name],
        [kind, "show", name],
        [kind, "edit", name, "--set", "industry=x"],
        [kind, "edit", name, "--add-tag", "x"],
        [kind, "rm", name],
        [kind, "rm", name, "--force"],
        ["contact", "add", name, "Bob Example"],
        ["contact", "edit", name, "Bob Example", "--set", "title=x"],
        ["contact", "rm", name, "Bob Example"],
        ["contact", "list", name],
        ["timeline", name],
    ]


@pytest.mark.parametrize("args", party_commands(UNKNOWN) + party_commands(UNKNOWN, "supplier"),
                         ids=lambda a: " ".join(a))
def test_an_unknown_party_is_refused_and_nothing_is_written(warm, args):
    before = snapshot(warm.root)
    assert_refused(warm(*as_typed(args)), 1, before, warm.root, says=(UNKNOWN,))


@pytest.mark.parametrize("args, kind", [
    (["customer", "show", "jinglian"], "customer"),
    (["customer", "edit", "jinglian", "--set", "industry=x"], "customer"),
    (["customer", "rm", "jinglian", "--force"], "customer"),
    (["supplier", "show", "huaqiang"], "supplier"),
    (["supplier", "rm", "huaqiang", "--force"], "supplier"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_a_party_of_the_other_kind_is_not_found_by_the_kind_commands(warm, args, kind):
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=(f"no {kind} matches",))


@pytest.mark.parametrize("args", party_commands("张伟"), ids=lambda a: " ".join(a))
def test_an_ambiguous_party_lists_the_candidates_and_writes_nothing(warm, args):
    before = snapshot(warm.root)
    lines = assert_refused(warm(*as_typed(args)), 1, before, warm.root, candidates=True, says=("ambiguous",))
    listed = "\n".join(lines[1:])
    assert "customers/huaqiang-dianzi" in listed and "customers/minghua-jingmi" in listed


@pytest.mark.parametrize("args", [a for a in party_commands("electro", "supplier") if a[0] == "supplier"],
                         ids=lambda a: " ".join(a))
def test_an_ambiguous_supplier(warm, args):
    before = snapshot(warm.root)
    lines = assert_refused(warm(*args), 1, before, warm.root, candidates=True, says=("ambiguous",))
    listed = "\n".join(lines[1:])
    assert "suppliers/electro-cables-dupre" in listed and "suppliers/summit-electronics-supply" in listed


def test_an_ambiguous_interaction_id(warm):
    before = snapshot(warm.root)
    assert_refused(warm("done", "IN-2026"), 1, before, warm.root, candidates=True, says=("ambiguous",))


def test_an_unknown_interaction_or_contact(warm):
    before = snapshot(warm.root)
    assert_refused(warm("done", "IN-19990101-ZZZZ"), 1, before, warm.root, says=("IN-19990101-ZZZZ",))
    for args in (["contact", "edit", "huaqiang", "Nobody Here", "--set", "title=x"],
                 ["contact", "rm", "huaqiang", "Nobody Here"],
                 ["contact", "edit", "huaqiang", "#9", "--set", "title=x"],
                 ["log", "huaqiang", "call", "hi", "--contact", "Nobody Here"]):
        assert_refused(warm(*args), 1, before, warm.root)


# --------------------------------------------------------------------------- invalid dates

BAD_DATES = ["someday", "2026-13-01", "2026-02-30", "2026-02-30 10:00", "2026-11-22T25:00:00", "next blursday",
             "friday 25:00"]


@pytest.mark.parametrize("value", BAD_DATES)
def test_an_invalid_at(warm, value):
    before = snapshot(warm.root)
    assert_refused(warm("log", "huaqiang", "call", "hi", "--at", value), 1, before, warm.root,
                   says=(value.split()[-1],))


@pytest.mark.parametrize("value", BAD_DATES)
def test_an_invalid_due(warm, value):
    before = snapshot(warm.root)
    result = warm("log", "huaqiang", "call", "hi", "--next", "send quote", "--due", value)
    assert_refused(result, 1, before, warm.root, says=(value.split()[-1],))


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("value", ["someday", "2026-02-30", "2026-13-01"])
def test_an_invalid_since_or_until(warm, option, value):
    before = snapshot(warm.root)
    assert_refused(warm("timeline", option, value), 1, before, warm.root, says=(value,))
    assert_refused(warm(*as_typed(["timeline", "huaqiang"]), option, value), 1, before, warm.root, says=(value,))


@pytest.mark.parametrize("args", [
    ["--at", "+99999y"],
    ["--at", "+999999999d"],
    ["--next", "x", "--due", "+99999999999999999999d"],
], ids=lambda a: " ".join(a))
def test_an_out_of_range_relative_date(warm, args):
    before = snapshot(warm.root)
    assert_refused(warm("log", "huaqiang", "call", "hi", *args), 1, before, warm.root, says=("date",))


def test_an_impossible_today(warm):
    before = snapshot(warm.root)
    assert_refused(warm("--today", "2026-02-30", "today"), 1, before, warm.root, says=("2026-02-30",))


def test_an_unreadable_today(warm):
    before = snapshot(warm.root)
    assert_refused(warm("--today", "someday", "today"), 1, before, warm.root, says=("someday",))


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_today_is_refused_not_taken_for_the_real_day(warm, value):
    """`--today ''` (a script whose variable came out empty) would otherwise run as of the real
    day, silently; an empty CRM_TODAY still means unset, as empty variables do."""
    before = snapshot(warm.root)
    assert_refused(warm("--today", value, "today"), 1, before, warm.root, says=("--today",))


def test_an_empty_due(warm):
    before = snapshot(warm.root)
    assert_refused(warm("log", "huaqiang", "call", "hi", "--next", "send quote", "--due", ""), 1, before, warm.root)


@pytest.mark.parametrize("args", [
    ["contact", "add", "huaqiang", "Bob Example", "--birthday", "1990-02-30"],
    ["contact", "edit", "huaqiang", "张伟", "--set", "birthday=1990-13-45"],
    ["customer", "edit", "huaqiang", "--set", "contacts[0].birthday=1990-02-30"],
], ids=lambda a: " ".join(a))
def test_an_impossible_birthday(warm, args):
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=("birthday",))


def test_an_unreadable_birthday(warm):
    before = snapshot(warm.root)
    result = warm("contact", "add", "huaqiang", "Bob Example", "--birthday", "someday")
    assert_refused(result, 1, before, warm.root, says=("birthday", "someday"))


# --------------------------------------------------------------------------- malformed email addresses

@pytest.mark.parametrize("args", [
    ["customer", "add", "Foo Trading", "--email", "not-an-email"],
    ["customer", "add", "Foo Trading", "--email", "ok@foo.example", "--email", "a b@foo.example"],
    ["supplier", "add", "Foo Trading", "--email", "a@b"],
    ["contact", "add", "huaqiang", "Bob Example", "--email", "bob-at-example"],
    ["contact", "edit", "huaqiang", "张伟", "--set", "emails=bogus"],
    ["customer", "edit", "huaqiang", "--set", "emails=bogus"],
    ["customer", "edit", "huaqiang", "--set", "emails=ok@huaqiang.example,bogus"],
    ["customer", "edit", "huaqiang", "--set", "contacts[0].emails=x@@y.example"],
    ["supplier", "edit", "jinglian", "--set", "emails[0]=bogus"],
], ids=lambda a: " ".join(a))
def test_a_malformed_email_is_refused(warm, args):
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=("email",))


def test_a_malformed_email_in_a_yaml_record_on_stdin(warm):
    before = snapshot(warm.root)
    result = warm("customer", "add", "-", input="name: Foo Trading\nemails: [bogus]\n")
    assert_refused(result, 1, before, warm.root, says=("bogus", "email"))


# --------------------------------------------------------------------------- --set: unknown fields, wrong types

@pytest.mark.parametrize("args, field", [
    (["customer", "edit", "huaqiang", "--set", "planet=mars"], "planet"),
    (["supplier", "edit", "jinglian", "--set", "planet=mars"], "planet"),
    (["customer", "edit", "huaqiang", "--set", "addresses[0].planet=mars"], "planet"),
    (["customer", "edit", "huaqiang", "--set", "contacts[0].planet=mars"], "planet"),
    (["contact", "edit", "huaqiang", "张伟", "--set", "planet=mars"], "planet"),
    (["customer", "edit", "huaqiang", "--set", "industry=x", "--set", "planet=mars"], "planet"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_an_unknown_field_in_set(warm, args, field):
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=("unknown field", field))


@pytest.mark.parametrize("args, says", [
    (["customer", "edit", "huaqiang", "--set", "contacts[0].primary=maybe"], "maybe"),
    (["contact", "edit", "huaqiang", "张伟", "--set", "primary=maybe"], "maybe"),
    (["customer", "edit", "huaqiang", "--set", "entity=robot"], "robot"),
    (["customer", "edit", "huaqiang", "--set", "lifecycle=dead"], "dead"),
    (["customer", "edit", "huaqiang", "--set", "follow_up_every=often"], "often"),
    (["customer", "edit", "huaqiang", "--set", "follow_up_every=0d"], "0d"),
    (["customer", "edit", "huaqiang", "--set", "addresses[0].country=China"], "China"),
    (["customer", "edit", "huaqiang", "--set", "addresses[9].city=x"], "addresses[9]"),
    (["customer", "edit", "huaqiang", "--set", "addresses=x"], "addresses"),
    (["customer", "edit", "huaqiang", "--set", "contacts=x"], "contacts"),
    (["customer", "edit", "huaqiang", "--set", "tags=a b"], "a b"),
    (["customer", "edit", "huaqiang", "--set", "phones=call me"], "call me"),
    (["customer", "edit", "huaqiang", "--set", "name="], "name"),
    (["customer", "edit", "huaqiang", "--set", "id=other"], "id"),
    (["customer", "edit", "huaqiang", "--set", "created=2026-01-01T00:00:00+08:00"], "created"),
    (["customer", "edit", "huaqiang", "--set", "industry"], "FIELD=VALUE"),
    (["customer", "edit", "huaqiang", "--set", "=x"], "''"),
    (["customer", "edit", "huaqiang", "--rm-tag", "no-such-tag"], "no-such-tag"),
    (["customer", "add", "Foo Trading", "--entity", "robot"], "robot"),
    (["customer", "add", "Foo Trading", "--lifecycle", "dead"], "dead"),
    (["customer", "add", "Foo Trading", "--follow-up", "often"], "often"),
    (["customer", "add", "Foo Trading", "--country", "China"], "country"),
    (["customer", "add", "Foo Trading", "--id", "../escape"], "../escape"),
    (["customer", "add", "Foo Trading", "--id", "huaqiang-dianzi"], "already exists"),
    (["customer", "add", ""], "name"),
    (["contact", "add", "huaqiang", "张伟"], "already has"),
    (["contact", "add", "huaqiang", " "], "name"),
    (["contact", "edit", "huaqiang", "张伟"], "nothing to change"),
    (["log", "huaqiang", "call", "   "], "summary"),
    (["log", "huaqiang", "call", "hi", "--due", "+2d"], "--next"),
    (["log", "huaqiang", "call", "hi", "--tag", "a b"], "a b"),
    (["done", "IN-20261122-B968"], "no next step"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_a_wrong_value_is_refused(warm, args, says):
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=(says,))


@pytest.mark.parametrize("document, says", [
    ("name: Foo Trading\ncontacts: [{name: Bob, primary: maybe}]\n", "maybe"),
    ("name: Foo Trading\nplanet: mars\n", "planet"),
    ("name: Foo Trading\nentity: 3\n", "entity"),
    ("name: Foo Trading\ntags: vip\nindustry: [a, b]\n", "industry"),
    ("name: Foo Trading\nid: ../../etc/passwd\n", "invalid id"),
    ("name: [unclosed\n", "stdin:"),
    ("- just\n- a list\n", "stdin:"),
    ("", "stdin:"),
    ("name: Foo\ntags: &t [a, b]\ncontacts: [{name: X, emails: *t}]\n", "alias"),
    ("name: !!python/object:os.system Foo\n", "stdin"),
])
def test_a_bad_yaml_record_on_stdin(warm, document, says):
    before = snapshot(warm.root)
    assert_refused(warm("customer", "add", "-", input=document), 1, before, warm.root, says=(says,))


def test_numbers_and_words_given_to_text_fields_stay_text(own):
    result = own("customer", "edit", "huaqiang", "--set", "industry=123", "--set", "tax_id=914403006000373060",
                  "--set", "payment_terms=1.50", "--set", "region=null", "--set", "owner=yes",
                  "--set", "tags=1,2.5,true", "--set", "website=1e3", "--set", "contacts[1].title=on")
    assert result.code == 0, result.err
    record = own.read("customers/huaqiang-dianzi.yaml")
    assert record["industry"] == "123" and record["tax_id"] == "914403006000373060" and record["payment_terms"] == "1.50"
    assert record["region"] == "null" and record["owner"] == "yes" and record["website"] == "1e3"
    assert record["tags"] == ["1", "2.5", "true"] and record["contacts"][1]["title"] == "on"
    import yaml  # a YAML 1.1 reader (as many tools are) must read the same strings

    plain = yaml.safe_load(own.text("customers/huaqiang-dianzi.yaml"))
    assert [plain[k] for k in ("industry", "tax_id", "payment_terms", "region", "owner", "website")] == \
        ["123", "914403006000373060", "1.50", "null", "yes", "1e3"]
    assert plain["tags"] == ["1", "2.5", "true"] and plain["contacts"][1]["title"] == "on"
    assert own("check").code == 0


def test_boolean_words_are_read_as_booleans(own):
    assert own("customer", "edit", "huaqiang", "--set", "contacts[1].primary=yes").code == 0
    assert own.read("customers/huaqiang-dianzi.yaml")["contacts"][1]["primary"] is True


def test_free_form_fields_can_be_set_as_the_hint_says(own):
    hint = own("customer", "edit", "huaqiang", "--set", "custom=x")
    assert hint.code == 1 and "custom.NAME=VALUE" in hint.err
    result = own("customer", "edit", "huaqiang", "--set", "custom.erp_code=HQ-001",
                  "--set", "external_ids.sap=4711")
    assert result.code == 0, result.err
    record = own.read("customers/huaqiang-dianzi.yaml")
    assert record["custom"] == {"erp_code": "HQ-001"} and record["external_ids"] == {"sap": "4711"}


@pytest.mark.parametrize("args, stdin", [
    (["supplier", "edit", "jinglian", "--set", "lifecycle=lead"], None),
    (["supplier", "add", "-"], "name: Foo Trading\nlifecycle: lead\n"),
], ids=["edit", "stdin"])
def test_a_write_never_leaves_what_check_rejects(warm, args, stdin):
    before = snapshot(warm.root)
    assert_refused(warm(*args, input=stdin), 1, before, warm.root, says=("lifecycle",))
    assert warm("check").code == 0


# --------------------------------------------------------------------------- files edited by hand

BROKEN = "customers/hongda-dianqi.yaml"


@pytest.fixture
def broken_yaml(own):
    """hongda-dianqi.yaml edited into invalid YAML at line 5."""
    replace_in(own, BROKEN, "industry: 制造\n", "industry: 制造: oops\n")
    return own


READERS = [
    ["customer", "list"], ["supplier", "list"], ["contact", "list"], ["timeline"], ["today"],
    ["show", "huaqiang"], ["customer", "show", "huaqiang"], ["timeline", "huaqiang"], ["contact", "list", "huaqiang"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_read_commands_skip_a_file_with_a_yaml_error_and_warn_once(broken_yaml, args):
    before = snapshot(broken_yaml.root)
    result = broken_yaml(*args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.out + result.err
    assert result.out.strip()
    warnings = [line for line in result.err.splitlines() if BROKEN in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {BROKEN}:5:"), result.err
    assert "天津宏达电器" not in result.out
    assert snapshot(broken_yaml.root) == before


def test_json_listings_leave_out_the_broken_file(broken_yaml):
    ids = [r["id"] for r in broken_yaml("customer", "list", "--format", "json").json()]
    assert len(ids) == 16 and "hongda-dianqi" not in ids


def test_check_reports_a_yaml_error_by_path_and_line(broken_yaml):
    result = broken_yaml("check")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert any(line.startswith(f"{BROKEN}:5: ") for line in result.out.splitlines()), result.out


@pytest.mark.parametrize("args", [
    ["customer", "edit", "hongda-dianqi", "--set", "industry=x"],
    ["contact", "add", "hongda-dianqi", "Bob Example"],
    ["log", "hongda-dianqi", "call", "hi"],
    ["customer", "rm", "hongda-dianqi", "--force"],
], ids=lambda a: " ".join(a))
def test_writes_to_a_party_whose_file_is_broken_are_refused(broken_yaml, args):
    before = snapshot(broken_yaml.root)
    result = broken_yaml(*args)
    assert result.code == 1 and result.out == ""
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert f"{BROKEN}:5" in result.err
    assert snapshot(broken_yaml.root) == before


def test_naming_a_party_whose_file_is_broken_says_why_in_one_line(broken_yaml):
    before = snapshot(broken_yaml.root)
    lines = assert_refused(broken_yaml("customer", "edit", "hongda-dianqi", "--set", "industry=x"), 1, before,
                           broken_yaml.root, says=(f"{BROKEN}:5",))
    assert BROKEN in lines[0]


@pytest.fixture
def schema_rejected(own):
    """hongda-dianqi.yaml edited into valid YAML that its schema rejects."""
    replace_in(own, BROKEN, "entity: company\n", "entity: robot\n")
    path = own.root / BROKEN
    path.write_text(path.read_text(encoding="utf-8") + "planet: mars\n", encoding="utf-8")
    return own


def test_check_reports_schema_problems_with_path_and_line(schema_rejected):
    result = schema_rejected("check")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    entity = line_number(schema_rejected, BROKEN, "entity: robot")
    assert any(line.startswith(f"{BROKEN}:{entity}: ") and "robot" in line for line in result.out.splitlines()), \
        result.out
    assert any(line.startswith(f"{BROKEN}:") and "planet" in line for line in result.out.splitlines())
    assert "1 error" not in result.err and "2 error(s)" in result.err


def test_check_reports_an_unknown_field_at_its_line(schema_rejected):
    planet = line_number(schema_rejected, BROKEN, "planet: mars")
    result = schema_rejected("check")
    assert any(line.startswith(f"{BROKEN}:{planet}: ") and "planet" in line for line in result.out.splitlines()), \
        result.out


@pytest.mark.parametrize("args", [["customer", "list"], ["show", "hongda-dianqi"]], ids=lambda a: " ".join(a))
def test_read_commands_warn_about_a_schema_rejected_file(schema_rejected, args):
    result = schema_rejected(*args)
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err
    assert BROKEN in result.err, result.err


@pytest.mark.parametrize("args", [
    ["customer", "edit", "hongda-dianqi", "--set", "industry=x"],
    ["customer", "edit", "hongda-dianqi", "--add-tag", "x"],
    ["contact", "add", "hongda-dianqi", "Bob Example"],
    ["contact", "edit", "hongda-dianqi", "郑刚", "--set", "title=x"],
], ids=lambda a: " ".join(a))
def test_writes_to_a_schema_rejected_file_are_refused(schema_rejected, args):
    before = snapshot(schema_rejected.root)
    assert_refused(schema_rejected(*args), 1, before, schema_rejected.root, says=(BROKEN,))


def test_an_impossible_due_date_in_a_file_does_not_break_the_agenda(own):
    relative = "interactions/2026/11/IN-20261104-6G4W.yaml"
    replace_in(own, relative, "due: 2026-11-25", "due: 2026-02-31")
    result = own("today")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert relative in result.err


def test_an_impossible_date_in_a_party_file_gives_a_clean_refusal(own):
    relative = "customers/huaqiang-dianzi.yaml"
    replace_in(own, relative, "birthday: 1985-11-25", "birthday: 1985-02-30")
    before = snapshot(own.root)
    assert_refused(own("customer", "edit", "huaqiang", "--set", "industry=x"), 1, before, own.root,
                   says=(relative,))


def test_check_gives_the_line_of_an_impossible_date(own):
    relative = "interactions/2026/11/IN-20261104-6G4W.yaml"
    replace_in(own, relative, "due: 2026-11-25", "due: 2026-02-31")
    result = own("check")
    assert result.code == 1
    due = line_number(own, relative, "due: 2026-02-31")
    assert any(line.startswith(f"{relative}:{due}: ") for line in result.out.splitlines()), result.out


@pytest.mark.parametrize("relative, old, new, args", [
    ("customers/hongda-dianqi.yaml", "id: hongda-dianqi", "id: hongda-two",
     ["customer", "edit", "hongda-dianqi", "--set", "industry=x"]),
    ("interactions/2026/11/IN-20261104-6G4W.yaml", "at: 2026-11-04T", "at: 2026-01-04T",
     ["done", "IN-20261104-6G4W"]),
], ids=["party-id", "interaction-at"])
def test_a_write_to_a_misfiled_record_never_duplicates_it(own, relative, old, new, args):
    replace_in(own, relative, old, new)
    before = snapshot(own.root)
    result = own(*args)
    assert "Traceback" not in result.err
    changed = only_written(own.root, before)
    assert changed <= {relative}, changed
    assert own("check").out.count("the same id") == 0


# --------------------------------------------------------------------------- the data directory

EVERY_COMMAND = [
    ["customer", "list"], ["supplier", "list"], ["contact", "list"], ["timeline"], ["today"], ["check"],
    ["show", "huaqiang"], ["customer", "show", "huaqiang"], ["log", "huaqiang", "call", "hi"],
    ["customer", "add", "Foo Trading"], ["supplier", "add", "Foo Trading"],
    ["customer", "edit", "huaqiang", "--set", "industry=x"], ["customer", "rm", "huaqiang"],
    ["contact", "add", "huaqiang", "Bob Example"], ["contact", "rm", "huaqiang", "刘洋"], ["done", "IN-20261104-6G4W"],
]


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=lambda a: " ".join(a))
def test_a_data_directory_that_does_not_exist(tmp_path, args):
    missing = tmp_path / "nowhere"
    assert_refused(run_crm("--data-dir", missing, *args), 3, says=(str(missing),))
    assert not missing.exists()


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=lambda a: " ".join(a))
def test_a_folder_that_is_not_a_data_directory(tmp_path, args):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert_refused(run_crm("--data-dir", plain, *args), 3, says=("crm.yaml",))
    assert list(plain.iterdir()) == []


def test_a_missing_data_directory_from_the_environment(tmp_path, monkeypatch):
    missing = tmp_path / "from-env"
    monkeypatch.setenv("CRM_DIR", str(missing))
    assert_refused(run_crm("today"), 3, says=(str(missing),))
    assert not missing.exists()


WRITERS = [
    ["log", "huaqiang", "call", "hi"],
    ["log", "huaqiang", "call", "hi", "--next", "x", "--due", "+2d"],
    ["customer", "add", "Foo Trading"],
    ["supplier", "add", "Foo Trading"],
    ["customer", "add", "-"],
    ["customer", "edit", "huaqiang", "--set", "industry=x"],
    ["supplier", "edit", "jinglian", "--add-tag", "x"],
    ["customer", "rm", "harbor-lane-retail", "--force"],
    ["contact", "add", "huaqiang", "Bob Example"],
    ["contact", "edit", "huaqiang", "张伟", "--set", "title=x"],
    ["contact", "rm", "huaqiang", "刘洋"],
    ["done", "IN-20261104-6G4W"],
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a))
def test_a_read_only_data_directory_refuses_writes(own, args):
    before = snapshot(own.root)
    with read_only(own.root):
        result = own(*args, input="name: Foo Trading\n")
        assert_refused(result, 3, says=("read-only",))
    assert snapshot(own.root) == before


@pytest.mark.parametrize("args", READERS + [["check"]], ids=lambda a: " ".join(a))
def test_a_read_only_data_directory_can_still_be_read(own, args):
    with read_only(own.root):
        result = own(*args)
    assert result.code == 0, result.err
    assert result.err == "" or "no problems" in result.err


def test_a_read_only_data_directory_without_an_index_can_be_read(demo):
    shutil.rmtree(demo.state)
    with read_only(demo.root):
        result = demo("customer", "list", "--format", "json")
    assert result.code == 0, result.err
    assert len(result.json()) == 17


@pytest.mark.parametrize("args", [
    ["customer", "add", "Foo Trading"],
    ["customer", "edit", "huaqiang", "--set", "industry=x"],
    ["contact", "add", "huaqiang", "Bob Example"],
], ids=lambda a: " ".join(a))
def test_a_read_only_folder_inside_the_data_directory(own, args):
    before = snapshot(own.root)
    with read_only(own.root / "customers"):
        assert_refused(own(*args), 3, says=("customers",))
    assert snapshot(own.root) == before


def test_a_failed_forced_rm_removes_nothing(own):
    before = snapshot(own.root)
    with read_only(own.root / "customers"):
        assert_refused(own("customer", "rm", "harbor-lane-retail", "--force"), 3)
    assert snapshot(own.root) == before


def test_a_lock_held_past_the_wait_is_exit_3(own, monkeypatch):
    monkeypatch.setenv("CRM_LOCK_WAIT", "0.2")
    before = snapshot(own.root)
    own("customer", "list")
    with open(own.state / "lock", "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert_refused(own("log", "huaqiang", "call", "hi"), 3, before, own.root, says=("locked",))
        assert own("customer", "list").code == 0  # readers never wait
    assert own("log", "huaqiang", "call", "hi").code == 0


USAGE_ERRORS = {
    "log huaqiang phone hi": ("crm log --help", "'phone'"),
    "log huaqiang call hi --outcome great": ("crm log --help", "--outcome"),
    "--format xml customer list": ("crm --help", "xml"),
    "customer list --format xml": ("crm customer list --help", "xml"),
    "timeline --type phone": ("crm timeline --help", "--type"),
    "timeline --limit 0": ("crm timeline --help", "x>=1"),
    "customer frobnicate": ("crm customer --help", "frobnicate"),
    "log huaqiang": ("crm log --help", "TYPE"),
    "log": ("crm log --help", "PARTY"),
    "pay SO-20261116-A9A3": ("crm pay --help", "AMOUNT"),
    "campaign add fair": ("crm campaign add --help", "email, event, ads, wechat, phone"),
    "nosuch": ("crm --help", "nosuch"),
    "order add huaqiang --bogus": ("crm order add --help", "--bogus"),
    "report forecast --months many": ("crm report forecast --help", "many"),
}
"""Click's own errors, each with the help to see and what it must name."""


@pytest.mark.parametrize("args", USAGE_ERRORS)
def test_a_usage_error_is_one_line_with_exit_2(warm, args):
    """Click renders a usage error as a box of four lines or more (usage, hint, blank, message,
    and a choice per line); crm prints it as every other error: one line, naming the help."""
    before = snapshot(warm.root)
    help_command, named = USAGE_ERRORS[args]
    lines = assert_refused(warm(*args.split()), 2, before, warm.root, says=(named,))
    assert lines[0].endswith(f"(see: {help_command})") and "Usage:" not in lines[0], lines


def test_a_command_group_alone_shows_what_it_can_do(warm):
    result = warm("contract")
    assert result.code == 2 and "Commands:" in result.out + result.err and "attach" in result.out + result.err


# --------------------------------------------------------------------------- global options and formats

def crm_process(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "crmcli", *map(str, args)], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=60, **kwargs)


def test_python_m_crmcli_version():
    result = crm_process("--version")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == f"crm {crmcli.__version__}\n"


def test_the_console_script_version():
    script = Path(sys.executable).with_name("crm")
    if not script.exists():
        pytest.skip("no `crm` console script beside this Python")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == f"crm {crmcli.__version__}\n"


@pytest.mark.parametrize("args", [["--version"], ["--data-dir", "/nowhere", "--version"], ["--debug", "--version"]])
def test_crm_version_in_process(args):
    result = run_crm(*args)
    assert result.code == 0 and result.out == f"crm {crmcli.__version__}\n" and result.err == ""


def test_debug_shows_the_traceback_of_a_crm_error(warm):
    quiet = crm_process("--data-dir", warm.root, "show", UNKNOWN)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip().splitlines() == [f"crm: no customer or supplier matches {UNKNOWN!r}"]
    loud = crm_process("--data-dir", warm.root, "--debug", "show", UNKNOWN)
    assert loud.returncode != 0
    assert "Traceback (most recent call last)" in loud.stderr and "NotFound" in loud.stderr
    from_env = crm_process("--data-dir", warm.root, "show", UNKNOWN, env={"CRM_DEBUG": "1"})
    assert from_env.returncode != 0 and "Traceback (most recent call last)" in from_env.stderr


def test_debug_shows_the_traceback_of_a_data_directory_error(tmp_path):
    result = crm_process("--data-dir", tmp_path / "nowhere", "--debug", "today")
    assert result.returncode != 0 and "Traceback" in result.stderr and "DataDirError" in result.stderr


COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[0-9;]+)m")


def _on_a_terminal(args: list[str], env: dict) -> bytes:
    """Run `python -m crmcli` with stdout on a pseudo-terminal; returns what it printed there."""
    master, slave = pty.openpty()
    environment = {**os.environ, "COLUMNS": "200", "LINES": "50", "TERM": "xterm-256color", **env}
    environment.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    process = subprocess.Popen([sys.executable, "-m", "crmcli", *args], stdout=slave, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, env=environment, cwd=ROOT)
    os.close(slave)
    shown = read_terminal(master)
    process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read()
    return shown


def test_no_color_is_honoured(warm):
    args = ["--data-dir", str(warm.root), "today"]
    coloured = _on_a_terminal(args, {})
    assert COLOUR.search(coloured), "expected colour on a terminal (the test cannot tell otherwise)"
    plain = _on_a_terminal(args, {"NO_COLOR": "1"})
    assert not COLOUR.search(plain), set(re.findall(rb"\x1b\[[0-9;]*m", plain))
    assert b"Overdue" in plain


def test_piped_output_is_plain_text_without_escape_codes(warm):
    result = crm_process("--data-dir", warm.root, "today")
    assert result.returncode == 0 and "\x1b" not in result.stdout
    assert result.stdout.startswith("Overdue")


@pytest.mark.parametrize("args", [["search", "a"], ["today"], ["customer", "list"], ["--version"]],
                         ids=" ".join)
def test_a_reader_that_closes_the_pipe_ends_the_run_quietly(warm, args):
    """`crm search a | head -1`: the reader has gone before crm writes; crm stops as `cat` does,
    without a word on stderr, with the status a shell gives a tool SIGPIPE ended (128 + 13)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(warm.root), *args],
                                 stdout=writer, stderr=subprocess.PIPE, env=os.environ, cwd=ROOT, timeout=60)
    finally:
        os.close(writer)
    assert process.stderr == b""
    assert process.returncode == 141


LISTINGS = [["customer", "list"], ["supplier", "list"], ["contact", "list"], ["contact", "list", "huaqiang"],
            ["timeline"], ["timeline", "huaqiang"]]
VIEWS = [["today"], ["show", "huaqiang"], ["customer", "show", "huaqiang"], ["supplier", "show", "jinglian"], ["check"]]


@pytest.mark.parametrize("fmt", ["plain", "markdown", "csv", "json", "jsonl", "table"])
@pytest.mark.parametrize("args", LISTINGS + VIEWS, ids=lambda a: " ".join(a))
def test_format_before_and_after_the_command_agree(warm, args, fmt):
    before = warm("--format", fmt, *args)
    after = warm(*args, "--format", fmt)
    short = warm(*args, "-f", fmt)
    assert before.code == after.code == short.code == 0, (before.err, after.err)
    assert before.out == after.out == short.out
    assert before.out.strip() or args == ["check"]


def test_format_after_the_command_wins(warm):
    assert warm("--format", "csv", "customer", "list", "--format", "json").out.lstrip().startswith("[")


@pytest.mark.parametrize("args", [a for a in LISTINGS if a[0] != "contact"], ids=lambda a: " ".join(a))
def test_json_of_a_listing_is_an_array_of_records_with_ids(warm, args):
    records = warm(*args, "--format", "json").json()
    assert isinstance(records, list) and records
    assert all(isinstance(r, dict) and r.get("id") for r in records)
    lines = warm(*args, "--format", "jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in records]


@pytest.mark.parametrize("args", [a for a in LISTINGS if a[0] == "contact"], ids=lambda a: " ".join(a))
def test_json_of_the_contact_listing_has_ids(warm, args):
    records = warm(*args, "--format", "json").json()
    assert isinstance(records, list) and records
    assert all(isinstance(r, dict) and r.get("id") for r in records)


def test_party_listings_in_json_are_the_records_as_stored(warm):
    records = {r["id"]: r for r in warm("customer", "list", "--format", "json").json()}
    stored = warm.read("customers/huaqiang-dianzi.yaml")
    assert records["huaqiang-dianzi"] == json.loads(json.dumps(stored, default=str))
    timeline = {r["id"]: r for r in warm("timeline", "--format", "json").json()}
    assert timeline["IN-20261104-6G4W"] == json.loads(json.dumps(
        warm.read("interactions/2026/11/IN-20261104-6G4W.yaml"), default=str))


@pytest.mark.parametrize("args", [["customer", "list", "--tag", "no-such-tag"], ["timeline", "--since", "2030-01-01"],
                                  ["contact", "list", "linxiaowen"]], ids=lambda a: " ".join(a))
def test_an_empty_listing_in_json_is_an_empty_array(warm, args):
    result = warm(*args, "--format", "json")
    assert result.code == 0 and result.json() == []
    assert warm(*args, "--format", "jsonl").out == ""


# --------------------------------------------------------------------------- numbers given as arguments

@pytest.mark.parametrize("args, says", [
    (["points", "huaqiang", "redeem", "-5"], "points must be a positive whole number, not -5"),
    (["points", "huaqiang", "redeem", "-0.5", "--note", "tea"], "points must be a positive whole number, not -0.5"),
    (["points", "huaqiang", "redeem", "0"], "points must be a positive whole number, not 0"),
    (["points", "huaqiang", "redeem", "1.5"], "points must be a positive whole number, not 1.5"),
    (["points", "huaqiang", "redeem", "many"], "points 'many' is not a number"),
    (["points", "huaqiang", "redeem", "--", "-5"], "not -5"),
    (["pay", "SO-20260226-FTZZ", "-5"], "a payment must be more than zero, not -5"),
    (["pay", "--method", "bank", "SO-20260226-FTZZ", "-1,000.00", "--ref", "-7"], "more than zero, not -1,000.00"),
    (["pay", "SO-20260226-FTZZ", "0"], "a payment must be more than zero, not 0"),
    (["pay", "SO-20260226-FTZZ", "-1e309"], "amount '-1e309' is too large"),
    (["target", "set", "all", "2026-12", "-5"], "a target must be more than zero, not -5"),
    (["target", "set", "all", "2026-12", "0"], "a target must be more than zero, not 0"),
    (["deal", "add", "huaqiang", "Cable 2027", "--amount", "-5"], "amount cannot be less than 0: -5.00"),
    (["deal", "edit", "DL-20260112-3PZZ", "--amount", "-5"], "amount cannot be less than 0: -5.00"),
    (["contract", "new", "huaqiang", "--template", "framework-agreement", "--value", "-5"],
     "value cannot be less than 0: -5.00"),
    (["campaign", "add", "Spring fair", "--channel", "event", "--budget", "-1"], "budget cannot be less than 0"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_a_negative_or_zero_number_is_read_as_a_number_and_refused(warm, args, says):
    """Click reads a word starting with `-` as an option ("No such option '-5'"); a command
    taking numbers reads a negative one as its value and says what is wrong with it."""
    before = snapshot(warm.root)
    assert_refused(warm(*args), 1, before, warm.root, says=(says,))


def test_a_mistyped_option_beside_a_number_is_still_a_usage_error(warm):
    before = snapshot(warm.root)
    assert_refused(warm("pay", "SO-20260226-FTZZ", "-5", "--methd", "bank"), 2, before, warm.root,
                   says=("--methd",))
