"""`crm edit`, `crm rm`, `crm next`, `crm done`/`undone` and the kinds' `edit` commands: any
record can be changed or removed after it was written, validated, in one commit."""

import stat
import sys
from decimal import Decimal

import pytest

from gitrepos import head_files, subject

INTERACTION = "interactions/2026/11/IN-20261119-Z7HX.yaml"
DEAL = "opportunities/DL-20261016-WQVW.yaml"
TICKET = "tickets/TK-20260227-Y89A.yaml"
REMINDER = "reminders/RM-20261110-Z1TE.yaml"
ORDER = "orders/2026/SO-20261106-QVVY.yaml"


def _editor(tmp_path, old: str, new: str) -> str:
    """A script for $EDITOR that replaces `old` by `new` in the file and adds a comment."""
    path = tmp_path / "editor.py"
    path.write_text(f"#!{sys.executable}\nimport sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                    f"text = p.read_text(encoding='utf-8')\nassert {old!r} in text, text\n"
                    f"p.write_text(text.replace({old!r}, {new!r}) + '# 手工检查\\n', encoding='utf-8')\n",
                    encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.parametrize("record_id, path, assignment, field, expected", [
    ("IN-20261119-Z7HX", INTERACTION, "summary=黄志强谈2028年采购计划", "summary", "黄志强谈2028年采购计划"),
    ("DL-20261016-WQVW", DEAL, "amount=12,000.5", "amount", Decimal("12000.50")),
    ("TK-20260227", TICKET, "subject=尺寸问题（第二轮）", "subject", "尺寸问题（第二轮）"),
    ("RM-20261110", REMINDER, "due=tomorrow 15:00", "due", "2026-11-23T15:00:00+08:00"),
    ("CP-20260828-F99E", "campaigns/CP-20260828-F99E.yaml", "end=2026-12-31", "end", "2026-12-31"),
    ("CT-20260109", "contracts/CT-20260109-688G.yaml", "tags=续约,key", "tags", ["续约", "key"]),
    ("PO-20260108-XF7B", "orders/2026/PO-20260108-XF7B.yaml", "payment_due=+30d", "payment_due", "2026-12-22"),
    ("all-2026", "targets/all-2026.yaml", "amount=16000000", "amount", Decimal("16000000.00")),
    ("CAB-07", "products/CAB-07.yaml", "price=1300", "price", Decimal("1300")),
    ("huaqiang-dianzi", "customers/huaqiang-dianzi.yaml", "industry=电子制造", "industry", "电子制造"),
])
def test_edit_sets_a_field_of_every_kind(demo, record_id, path, assignment, field, expected):
    result = demo("edit", record_id, "--set", assignment)
    assert result.code == 0, result.err
    record = demo.read(path)
    assert record[field] == expected
    assert record["updated"].startswith("2026-11-22T")


@pytest.mark.parametrize("record_id, path, old, new", [
    ("IN-20261119-Z7HX", INTERACTION, "outcome: positive", "outcome: neutral"),
    ("DL-20261016-WQVW", DEAL, "currency: CNY", "currency: EUR"),
    ("TK-20260227-Y89A", TICKET, "category: complaint", "category: 投诉"),
    ("RM-20261110-Z1TE", REMINDER, "owner: emma", "owner: 王"),
    ("CP-20260828-F99E", "campaigns/CP-20260828-F99E.yaml", "channel: ", "notes: 春季活动\nchannel: "),
    ("CT-20260109-688G", "contracts/CT-20260109-688G.yaml", "owner: ", "notes: 已续约\nowner: "),
    ("PO-20260108-XF7B", "orders/2026/PO-20260108-XF7B.yaml", "region: 华南", "region: 华东"),
    ("emma-2026-q1", "targets/emma-2026-q1.yaml", "amount: 60000.00", "amount: 65000.00"),
])
def test_edit_without_flags_opens_the_record_in_the_editor(demo, tmp_path, monkeypatch, record_id, path, old, new):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, old, new))
    result = demo("edit", record_id)
    assert result.code == 0, result.err
    text = demo.text(path)
    assert new in text and "# 手工检查" in text
    assert demo("check").code == 0


def test_an_invalid_edit_in_the_editor_names_its_line_and_writes_nothing(demo, tmp_path, monkeypatch):
    before = demo.text(DEAL)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "currency: CNY", "currency: XX"))
    result = demo("deal", "edit", "DL-20261016-WQVW")
    line = next(number for number, text in enumerate(before.splitlines(), 1) if text.startswith("currency:"))
    assert result.code == 1 and f"{DEAL}:{line}:" in result.err and "XX" in result.err, result.err
    assert demo.text(DEAL) == before


@pytest.mark.parametrize("arguments, message", [
    (["DL-20261016-WQVW", "--set", "stage=won"], "stage: changed with crm deal edit --stage"),
    (["TK-20260227-Y89A", "--set", "history="], "history: changed with crm ticket update"),
    (["DL-20261016-WQVW", "--set", "amount=lots"], "amount 'lots' is not a number"),
    (["DL-20261016-WQVW", "--set", "amount=1.234"], "more decimals than CNY allows"),
    (["DL-20261016-WQVW", "--set", "probability=150"], "probability cannot be more than 100: 150"),
    (["DL-20261016-WQVW", "--set", "close=someday"], "someday"),
    (["DL-20261016-WQVW", "--set", "colour=red"], "unknown field 'colour'"),
    (["SO-20261106-QVVY", "--set", "lines[0].quantity=3"], "lines: changed with crm order edit"),
    (["SO-20261106-QVVY", "--set", "status=closed"], "status: changed with crm order confirm"),
    (["IN-20261119-Z7HX", "--set", "type=fax"], "type: 'fax' is not one of call"),
    (["IN-20261119-Z7HX", "--set", "summary="], "summary"),
    (["IN-20261119-Z7HX", "--set", "id=IN-20261119-AAAA"], "id: cannot be changed"),
    (["TK-20260227-Y89A", "--set", "due=2026-02-01"], "due: 2026-02-01 is before opened (2026-02-27)"),
    (["SO-20261106-QVVY", "--set", "payment_due=2026-01-01"], "payment_due: 2026-01-01 is before date (2026-11-06)"),
])
def test_an_invalid_value_is_one_line_and_writes_nothing(demo, arguments, message):
    path = {"IN": INTERACTION, "TK": TICKET, "SO": ORDER, "DL": DEAL}[arguments[0][:2]]
    before = demo.text(path)
    result = demo("edit", *arguments)
    assert result.code == 1 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert demo.text(path) == before


def test_an_ambiguous_prefix_lists_the_candidates_and_writes_nothing(demo):
    before = demo.text(INTERACTION)
    result = demo("edit", "IN-202611", "--set", "summary=x")
    assert result.code == 1 and "ambiguous" in result.err
    assert "interactions/2026/11/IN-20261119-Z7HX  黄志强谈2027年采购计划" in result.err
    assert demo.text(INTERACTION) == before
    missing = demo("rm", "IN-19990101-ZZZZ")
    assert missing.code == 1 and "IN-19990101-ZZZZ" in missing.err


def test_a_changed_date_moves_the_file_to_its_month(demo):
    result = demo("edit", "IN-20261119-Z7HX", "--set", "at=2026-10-05 10:00")
    assert result.code == 0, result.err
    assert not (demo.root / INTERACTION).exists()
    assert demo.read("interactions/2026/10/IN-20261119-Z7HX.yaml")["at"] == "2026-10-05T10:00:00+08:00"
    assert demo("check").code == 0


def test_a_date_changed_in_the_editor_moves_the_file_too(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "at: 2026-11-19T15:15:00", "at: 2026-10-19T15:15:00"))
    assert demo("edit", "IN-20261119-Z7HX").code == 0
    assert not (demo.root / INTERACTION).exists()
    assert "# 手工检查" in demo.text("interactions/2026/10/IN-20261119-Z7HX.yaml")


def test_next_reschedules_and_rewords_a_next_step(demo):
    assert demo("next", "IN-20261119-Z7HX", "--due", "friday").code == 0
    assert demo.read(INTERACTION)["next"] == {"action": "准备2027年报价", "due": "2026-11-27"}
    result = demo("next", "IN-20261119-Z7", "--action", "发送2027年报价", "--due", "+3d")
    assert result.code == 0 and "发送2027年报价" in result.err, result.err
    assert demo.read(INTERACTION)["next"] == {"action": "发送2027年报价", "due": "2026-11-25"}
    assert demo("next", "IN-20261119-Z7", "--due", "").code == 0
    assert demo.read(INTERACTION)["next"] == {"action": "发送2027年报价"}


def test_next_gives_a_step_to_an_interaction_without_one(empty):
    empty("customer", "add", "华强电子")
    logged = empty("log", "华强电子", "call", "问候").out.strip()
    refused = empty("next", logged, "--due", "friday")
    assert refused.code == 1 and "--action" in refused.err
    assert empty("next", logged, "--action", "寄样品", "--due", "2026-12-01").code == 0
    record = empty.read(next(str(p.relative_to(empty.root)) for p in empty.files("interactions")))
    assert record["next"] == {"action": "寄样品", "due": "2026-12-01"}
    assert empty("next", logged).code == 1


def test_done_and_undone(demo):
    assert demo("undone", "IN-20261119-Z7HX").code == 1
    assert demo("done", "IN-20261119-Z7HX").code == 0
    assert demo.read(INTERACTION)["next"]["done"].startswith("2026-11-22T")
    assert demo("done", "IN-20261119-Z7HX").code == 1
    result = demo("undone", "IN-20261119-Z7HX")
    assert result.code == 0 and "准备2027年报价" in result.err
    assert "done" not in demo.read(INTERACTION)["next"]


def test_deal_edit_takes_amount_close_and_stage(demo):
    open_deal = next(path for path in demo.files("opportunities")
                     if demo.read(str(path.relative_to(demo.root)))["stage"] not in ("won", "lost"))
    relative = str(open_deal.relative_to(demo.root))
    record_id = demo.read(relative)["id"]
    stage = "negotiation" if demo.read(relative)["stage"] != "negotiation" else "proposal"
    result = demo("deal", "edit", record_id, "--amount", "88000", "--close", "2026-12-31", "--stage", stage,
                  "--title", "2027年框架协议")
    assert result.code == 0, result.err
    deal = demo.read(relative)
    assert (deal["amount"], deal["close"], deal["stage"], deal["title"]) == (Decimal("88000.00"), "2026-12-31",
                                                                            stage, "2027年框架协议")
    assert deal["history"][-1]["status"] == stage
    closing = demo("deal", "edit", record_id, "--stage", "won")
    assert closing.code == 1 and "crm deal won" in closing.err


def test_ticket_and_reminder_edit(demo):
    assert demo("ticket", "edit", "TK-20260227", "--priority", "urgent", "--due", "2026-11-25 17:00").code == 0
    ticket = demo.read(TICKET)
    assert (ticket["priority"], ticket["due"]) == ("urgent", "2026-11-25T17:00:00+08:00")
    assert demo("remind", "edit", "RM-20261110", "--text", "给Müller打电话", "--due", "next monday").code == 0
    reminder = demo.read(REMINDER)
    assert (reminder["text"], reminder["due"]) == ("给Müller打电话", "2026-11-23")
    assert demo("remind", "edit", "RM-20261110", "--every", "99999y").code == 1


def test_rm_removes_a_record_nothing_refers_to(demo):
    assert demo("rm", "IN-20261119-Z7HX").code == 0
    assert not (demo.root / INTERACTION).exists()
    assert demo("rm", "CT-20260109-688G").code == 0
    assert not (demo.root / "contracts/CT-20260109-688G.yaml").exists()
    assert not (demo.root / "contracts/CT-20260109-688G.md").exists(), "its document goes with it"
    assert demo("remind", "rm", "RM-20261110").code == 0
    assert demo("check").code == 0


def test_rm_refuses_while_referenced_and_force_takes_the_reference_away(demo):
    before = demo.text(ORDER)
    refused = demo("rm", "SO-20261106-QVVY")
    assert refused.code == 1 and "opportunities/DL-20261016-WQVW" in refused.err and "--force" in refused.err
    assert demo.text(ORDER) == before
    forced = demo("rm", "SO-20261106-QVVY", "--force")
    assert forced.code == 0, forced.err
    assert not (demo.root / ORDER).exists()
    assert "order" not in demo.read(DEAL), "the deal stays, without the order it named"
    assert demo("check").code == 0


def test_rm_of_a_party_removes_what_cannot_be_without_it(demo):
    refused = demo("rm", "huaqiang-dianzi")
    assert refused.code == 1 and "--force" in refused.err
    campaign = "campaigns/CP-20260921-ZS8M.yaml"
    assert demo("rm", "customers/huaqiang-dianzi", "--force").code == 0
    assert not (demo.root / "customers/huaqiang-dianzi.yaml").exists()
    assert "customers/huaqiang-dianzi" not in demo.text(campaign)
    assert demo("check").code == 0


def test_each_change_is_one_commit(repo):
    assert repo("next", "IN-20261119-Z7HX", "--due", "2026-12-08").code == 0
    assert head_files(repo) == [INTERACTION] and subject(repo).startswith("interaction: edit")
    assert repo("deal", "edit", "DL-20261016-WQVW", "--set", "notes=复核").code == 0
    assert head_files(repo) == [DEAL] and "deal: edit" in subject(repo)
    assert repo("rm", "TK-20260227-Y89A").code == 0
    assert head_files(repo) == [TICKET] and "ticket: remove" in subject(repo)


def test_cjk_values_round_trip(demo):
    text = "与张伟确认：样品 CAB-07 × 2，周五前寄出 ✓"
    assert demo("edit", "IN-20261119-Z7HX", "--set", f"body={text}").code == 0
    assert demo.read(INTERACTION)["body"] == text
    assert text in demo.text(INTERACTION)
    found = demo("search", "周五前寄出", "--format", "json").json()
    assert [hit["snippet"] for hit in found if hit["ref"] == INTERACTION[:-5]] == [text]
