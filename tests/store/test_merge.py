"""The merge driver's three-way merge of records, field by field, as a library function."""

from crmcli.store import codec
from crmcli.store.merge import conflicted_fields, merge_files, merge_record

BASE = """\
id: acme
name: Acme
# the industry is a guess
industry: cable
tags: [vip]
phones: ['+1 555 0100']
contacts:
  - name: Bob
    title: buyer
created: 2026-01-01T09:00:00+08:00
updated: 2026-01-01T09:00:00+08:00
"""


def edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text


def test_changes_to_different_fields_all_land_and_comments_stay():
    ours = edited(BASE, ("industry: cable", "industry: wire"), ("title: buyer", "title: head buyer"),
                  ("updated: 2026-01-01T09", "updated: 2026-02-01T09"))
    theirs = edited(BASE, ("tags: [vip]", "tags: [vip, oem]"),
                    ("    title: buyer\n", "    title: buyer\n    email: bob@acme.example\n"),
                    ("updated: 2026-01-01T09", "updated: 2026-03-01T09"))
    merged = merge_record(BASE, ours, theirs, "party")
    assert merged.conflicts == []
    record = codec.decode(merged.text.encode())
    assert record["industry"] == "wire" and record["tags"] == ["vip", "oem"]
    assert record["contacts"] == [{"name": "Bob", "title": "head buyer", "email": "bob@acme.example"}]
    assert record["updated"] == "2026-03-01T09:00:00+08:00"
    assert "# the industry is a guess\nindustry: wire\n" in merged.text


def test_items_both_sides_appended_are_all_kept():
    base = "id: SO-1\nhistory:\n  - {at: 2026-01-01T09:00:00+08:00, status: draft}\npayments: []\n"
    ours = base.replace("payments: []", "payments:\n  - {date: 2026-01-05, amount: 10.00}")
    theirs = base.replace("payments: []", "payments:\n  - {date: 2026-01-06, amount: 20.00}")
    merged = merge_record(base, ours, theirs, "order")
    assert [p["amount"] for p in codec.decode(merged.text.encode())["payments"]] == [10, 20]


def test_a_field_both_sides_changed_differently_is_the_only_conflict():
    ours = edited(BASE, ("industry: cable", "industry: wire"), ("tags: [vip]", "tags: [vip, a]"))
    theirs = edited(BASE, ("industry: cable", "industry: copper"),
                    ("phones: ['+1 555 0100']", "phones: ['+1 555 0100', '+1 555 0101']"))
    merged = merge_record(BASE, ours, theirs, "party")
    assert merged.conflicts == ["industry"]
    assert "<<<<<<< ours\nindustry: wire\n=======\nindustry: copper\n>>>>>>> theirs\n" in merged.text
    assert merged.text.count("<<<<<<<") == 1
    assert "tags: [vip, a]" in merged.text and "+1 555 0101" in merged.text
    assert conflicted_fields(merged.text) == [(4, "industry")]


def test_both_sides_replacing_list_items_differently_conflicts_on_that_list():
    ours = edited(BASE, ("'+1 555 0100'", "'+1 555 0199'"))
    theirs = edited(BASE, ("'+1 555 0100'", "'+1 555 0123'"))
    merged = merge_record(BASE, ours, theirs, "party")
    assert merged.conflicts == ["phones"]


def test_a_field_one_side_removed_and_the_other_changed_conflicts():
    ours = edited(BASE, ("industry: cable\n", ""))
    theirs = edited(BASE, ("industry: cable", "industry: copper"))
    merged = merge_record(BASE, ours, theirs, "party")
    assert merged.conflicts == ["industry"]
    assert "<<<<<<< ours\n=======\nindustry: copper\n>>>>>>> theirs\n" in merged.text


def test_files_in_git_are_merged_by_the_driver_and_other_files_as_text(tmp_path, monkeypatch):
    (tmp_path / "crm.yaml").write_text("currency: CNY\n")
    (tmp_path / "customers").mkdir()
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / name for name in ("base", "ours", "theirs")]
    for path, text in zip(paths, (BASE, edited(BASE, ("industry: cable", "industry: wire")),
                                  edited(BASE, ("tags: [vip]", "tags: [oem]"))), strict=True):
        path.write_text(text)
    assert merge_files(*paths, "customers/acme.yaml") == []
    assert codec.decode(paths[1].read_bytes())["tags"] == ["oem"]
    for path, text in zip(paths, ("1\n2\n3\n4\n5\n", "one\n2\n3\n4\n5\n", "1\n2\n3\n4\nfive\n"), strict=True):
        path.write_text(text)
    assert merge_files(*paths, "templates/letter.md") == []
    assert paths[1].read_text() == "one\n2\n3\n4\nfive\n"
    paths[2].write_text("uno\n2\n3\n4\n5\n")
    assert merge_files(*paths, "templates/letter.md") == ["lines"]
    assert "<<<<<<< ours\none\n" in paths[1].read_text()
