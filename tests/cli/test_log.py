"""`crm log` and `crm done`: one-line interactions, party resolution, dates, refusals."""

import pytest


def _only_new_interaction(data, before):
    after = set(data.files("interactions"))
    new = after - before
    assert len(new) == 1
    return new.pop()


def test_log_writes_one_file_in_the_month_folder(demo):
    before = set(demo.files("interactions"))
    result = demo("log", "huaqiang", "call", "pricing agreed", "--contact", "张伟", "--next", "send quote",
                  "--due", "+2d", "--outcome", "positive", "--tag", "pricing", "--at", "2026-11-22 09:30")
    assert result.code == 0, result.err
    path = _only_new_interaction(demo, before)
    assert path.parent.as_posix().endswith("interactions/2026/11")
    record = demo.read(path.relative_to(demo.root).as_posix())
    assert record["id"] == result.out.strip() == path.stem
    assert record["id"].startswith("IN-20261122-")
    assert record["party"] == "customers/huaqiang-dianzi"
    assert record["contact"] == "张伟" and record["direction"] == "out"
    assert record["at"] == "2026-11-22T09:30:00+08:00"
    assert record["next"] == {"action": "send quote", "due": "2026-11-24"}
    assert list(record) == ["id", "party", "contact", "type", "direction", "at", "summary", "outcome", "tags",
                            "next", "created", "updated"]


def test_log_body_from_stdin(demo):
    result = demo("log", "muller-elektrotechnik", "meeting", "Besuch in München", "--body", "-",
                  input="Zwei Zeilen\nmit Umlauten: äöüß\n")
    assert result.code == 0, result.err
    record = demo("show", "muller-elektrotechnik", "--format", "json").json()["interactions"][0]
    assert record["body"] == "Zwei Zeilen\nmit Umlauten: äöüß\n"


@pytest.mark.parametrize("name, party", [
    ("huaqiang-dianzi", "customers/huaqiang-dianzi"),
    ("深圳市华强电子有限公司", "customers/huaqiang-dianzi"),
    ("华强", "customers/huaqiang-dianzi"),
    ("huaqiang", "customers/huaqiang-dianzi"),
    ("Müller Elektrotechnik GmbH", "customers/muller-elektrotechnik"),
    ("muller", "customers/muller-elektrotechnik"),
    ("MÜLLER", "customers/muller-elektrotechnik"),
    ("suppliers/jinglian-xianlan", "suppliers/jinglian-xianlan"),
    ("精联", "suppliers/jinglian-xianlan"),
    ("Jürgen Weiß", "customers/muller-elektrotechnik"),
    ("northwnd robotics", "customers/northwind-robotics"),
])
def test_party_resolution(demo, name, party):
    result = demo("log", name, "note", "resolution test")
    assert result.code == 0, result.err
    assert demo("timeline", "--limit", "1", "--format", "json").json()[0]["party"] == party


def test_a_fuzzy_match_is_announced(demo):
    result = demo("log", "northwnd robotics", "note", "typo")
    assert "close spelling" in result.err


def test_ambiguous_party_lists_candidates_and_writes_nothing(demo):
    before = set(demo.files("interactions"))
    result = demo("log", "张伟", "call", "who?")
    assert result.code == 1
    assert "ambiguous" in result.err
    assert "customers/huaqiang-dianzi" in result.err and "customers/minghua-jingmi" in result.err
    assert set(demo.files("interactions")) == before


def test_unknown_party(demo):
    result = demo("log", "nobody at all xyz", "call", "hello")
    assert result.code == 1 and "no customer or supplier matches" in result.err


@pytest.mark.parametrize("args, message", [
    (["--at", "someday"], "invalid date 'someday'"),
    (["--next", "x", "--due", "2026-02-30"], "no such day"),
    (["--due", "+2d"], "--due needs --next"),
    (["--contact", "Nobody"], "has no contact 'Nobody'"),
    (["--at", "+5y"], "--at 2031-11-22 is after today"),
    (["--at", "tomorrow 09:00"], "--at 2026-11-23 is after today"),
    (["--at", "-3d", "--next", "send quote", "--due", "-5d"], "next.due: 2026-11-17 is before at (2026-11-19)"),
])
def test_bad_log_input(demo, args, message):
    before = set(demo.files("interactions"))
    result = demo("log", "huaqiang", "call", "summary", *args)
    assert result.code == 1 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert set(demo.files("interactions")) == before


def test_later_today_and_an_overdue_next_step_are_fine(demo):
    """Only days after today are refused: a meeting noted as it starts is logged, and a next
    step already overdue when it is written down is kept as such."""
    result = demo("log", "huaqiang", "meeting", "starting now", "--at", "today 23:59",
                  "--next", "send minutes", "--due", "-1d", "--at", "-2d")
    assert result.code == 0, result.err
    assert demo("log", "huaqiang", "meeting", "tonight", "--at", "today 23:59").code == 0


def test_unknown_type_is_a_usage_error(demo):
    assert demo("log", "huaqiang", "fax", "summary").code == 2


def test_done_closes_a_next_step(demo):
    overdue = demo("today", "--format", "json").json()["overdue"]
    step = next(item for item in overdue
                if item["party"] == "customers/huaqiang-dianzi" and item["rule"] == "next_steps")
    result = demo("done", step["id"][:14])
    assert result.code == 0, result.err
    assert step["id"] not in [item["id"] for item in demo("today", "--format", "json").json()["overdue"]]
    again = demo("done", step["id"])
    assert again.code == 1 and "already done" in again.err


def test_times_without_zone_are_local_and_zones_are_kept(demo):
    demo("log", "huaqiang", "call", "zoned", "--at", "2026-11-21T23:30:00-05:00")
    record = demo("timeline", "--party", "huaqiang", "--format", "json").json()[0]
    assert record["at"] == "2026-11-21T23:30:00-05:00"
    assert record["id"].startswith("IN-20261122-")
