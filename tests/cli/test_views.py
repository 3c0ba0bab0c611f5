"""`crm today`, `crm timeline`, `crm contact` and the output formats."""

import csv
import io
import json

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def test_today_buckets_as_of_the_pinned_day(demo):
    agenda = demo("today", "--format", "json").json()
    assert agenda["date"] == "2026-11-22"
    assert all(item["due"] < "2026-11-22" for item in agenda["overdue"])
    assert len([item for item in agenda["overdue"] if item["rule"] == "next_steps"]) == 7
    assert [item["due"] for item in agenda["today"]] == ["2026-11-22", "2026-11-22"]
    assert all("2026-11-23" <= item["due"] <= "2026-11-29" for item in agenda["upcoming"])
    assert all(r["at"] >= "2026-11-15" for r in agenda["recent"])


def test_today_as_of_another_day(demo):
    agenda = demo("--today", "2026-11-10", "today", "--days", "3", "--format", "json").json()
    assert agenda["date"] == "2026-11-10"
    assert all(item["due"] <= "2026-11-13" for item in agenda["upcoming"])


def test_today_by_owner(demo):
    agenda = demo("today", "--owner", "emma", "--format", "json").json()
    items = [item for bucket in ("overdue", "today", "upcoming") for item in agenda[bucket]]
    assert items and all(item["owner"] == "emma" for item in items)
    everyone = demo("today", "--format", "json").json()
    assert len(items) < sum(len(everyone[bucket]) for bucket in ("overdue", "today", "upcoming"))


def test_today_plain_matches_the_golden_file(demo):
    assert demo("today", "--format", "plain").out == (GOLDEN / "today.en.txt").read_text(encoding="utf-8")


def test_timeline_filters(demo):
    rows = demo("timeline", "--since", "2026-11-01", "--until", "2026-11-15", "--type", "email",
                "--format", "json").json()
    assert rows and all(r["type"] == "email" and "2026-11-01" <= r["at"][:10] <= "2026-11-15" for r in rows)
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)
    assert len(demo("timeline", "--limit", "5", "--format", "jsonl").out.splitlines()) == 5


def test_every_format_of_a_listing(demo):
    records = demo("timeline", "--format", "json").json()
    assert all("id" in r and "party" in r for r in records)
    lines = [json.loads(line) for line in demo("timeline", "--format", "jsonl").out.splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in records]
    table = list(csv.reader(io.StringIO(demo("timeline", "--format", "csv").out)))
    assert table[0] == ["when", "party", "type", "contact", "summary", "outcome", "id"]
    assert len(table) == len(records) + 1
    assert demo("timeline", "--format", "markdown").out.startswith("| when")
    assert "IN-" in demo("timeline", "--format", "table").out


def test_contacts(demo):
    assert demo("contact", "add", "huaqiang", "王芳", "--title", "财务", "--phone", "0755 1234 5678",
                "--email", "wangfang@huaqiang.example", "--primary").code == 0
    contacts = demo.read("customers/huaqiang-dianzi.yaml")["contacts"]
    assert [c["name"] for c in contacts if c.get("primary")] == ["王芳"]
    assert demo("contact", "edit", "huaqiang", "王芳", "--set", "title=财务经理", "--set", "birthday=03-14").code == 0
    assert demo.read("customers/huaqiang-dianzi.yaml")["contacts"][-1]["title"] == "财务经理"
    listed = demo("contact", "list", "huaqiang", "--format", "json").json()
    assert {c["name"] for c in listed} == {"张伟", "刘洋", "王芳"}
    assert demo("contact", "rm", "huaqiang", "王芳").code == 0
    assert demo("contact", "rm", "huaqiang", "王芳").code == 1
    duplicate = demo("contact", "add", "huaqiang", "张伟")
    assert duplicate.code == 1 and "already has" in duplicate.err
    bad = demo("contact", "add", "huaqiang", "X", "--email", "nope")
    assert bad.code == 1 and "valid email" in bad.err


def test_markup_and_escape_codes_print_literally(empty):
    empty("customer", "add", "[red]Evil[/red] \x1b[31mCorp", "--id", "evil")
    table = empty("customer", "list", "--format", "table").out
    assert "[red]Evil[/red]" in table and "\x1b" not in table and "\\x1b" in table
    assert "\x1b" not in empty("customer", "list", "--format", "plain").out
