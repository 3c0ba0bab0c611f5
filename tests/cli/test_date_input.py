"""Dates as people type them, on the command line: every option that takes a day or a moment
reads the same forms, refuses garbage in one line and writes nothing, follows `date_order`,
and `--today` bounds what the views show."""

import pytest


def _reminder(data, result) -> dict:
    assert result.code == 0, result.err
    rid = result.out.strip()
    return data.read(f"reminders/{rid}.yaml")


@pytest.mark.parametrize("typed, due", [
    ("2027年1月5日", "2027-01-05"),
    ("1月5日", "2026-01-05"),
    ("下周一", "2026-11-23"),
    ("本周五", "2026-11-20"),
    ("三天后", "2026-11-25"),
    ("月底", "2026-11-30"),
    ("下个月", "2026-12-22"),
    ("后天", "2026-11-24"),
    ("明天下午3点", "2026-11-23T15:00:00+08:00"),
    ("friday", "2026-11-27"),
    ("next monday", "2026-11-23"),
    ("tomorrow 3pm", "2026-11-23T15:00:00+08:00"),
    ("in 3 days", "2026-11-25"),
    ("end of month", "2026-11-30"),
    ("Dec 5", "2026-12-05"),
])
def test_reminders_take_the_forms_people_type(demo, typed, due):
    assert _reminder(demo, demo("remind", "add", "huaqiang", "call back", "--due", typed))["due"] == due


@pytest.mark.parametrize("typed, says", [
    ("Dec 32", "invalid date 'Dec 32': no such day"),
    ("05/12/2027", "ambiguous date '05/12/2027': 2027-12-05 (day first) or 2027-05-12 (month first)"),
    ("明天下午25点", "no such time of day"),
    ("someday soon", "invalid date 'someday soon'"),
])
def test_garbage_is_one_line_exit_1_and_nothing_written(demo, typed, says):
    before = demo.files("interactions")
    result = demo("log", "huaqiang", "call", "pricing", "--next", "send quote", "--due", typed)
    assert result.code == 1
    assert result.err.count("\n") == 1 and says in result.err
    assert demo.files("interactions") == before


@pytest.mark.parametrize("order, due", [("dmy", "2027-12-05"), ("mdy", "2027-05-12")])
def test_date_order_in_crm_yaml_reads_numeric_days(demo, order, due):
    config = demo.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"date_order: {order}\n", encoding="utf-8")
    assert _reminder(demo, demo("remind", "add", "huaqiang", "call back", "--due", "05/12/2027"))["due"] == due
    result = demo("log", "huaqiang", "call", "pricing", "--next", "send quote", "--due", "05/12/2027")
    assert result.code == 0, result.err
    assert demo.read(f"interactions/2026/11/{result.out.strip()}.yaml")["next"]["due"] == due


def test_an_unknown_date_order_is_refused_with_its_line(demo):
    config = demo.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "date_order: dym\n", encoding="utf-8")
    result = demo("today")
    assert result.code == 3 and "crm.yaml:" in result.err and result.err.count("\n") == 1


def test_every_date_option_reads_the_same_forms(demo):
    """`--at`, `--date`, `--since`, a deal's close: one parser behind them all."""
    result = demo("log", "huaqiang", "meeting", "visit", "--at", "昨天下午3点")
    assert result.code == 0, result.err
    assert demo.read(f"interactions/2026/11/{result.out.strip()}.yaml")["at"] == "2026-11-21T15:00:00+08:00"
    assert demo("timeline", "--since", "Dec 32").code == 1
    listed = demo("timeline", "--since", "三天前", "--format", "json").json()
    assert listed and all(r["at"] >= "2026-11-19" for r in listed)


def test_a_next_step_without_a_date_shows_in_today_as_no_date(demo):
    result = demo("log", "huaqiang", "call", "pricing", "--next", "Send the catalogue")
    assert result.code == 0, result.err
    rid = result.out.strip()
    agenda = demo("today", "--format", "json").json()
    assert [(row["id"], row["when"], row["reason"]) for row in agenda["undated"]] == [
        (rid, "no date", "Send the catalogue")]
    plain = demo("today", "--format", "plain").out
    line = next(line for line in plain.splitlines() if rid in line)
    assert "no date" in line and "Send the catalogue" in line
    assert demo("done", rid).code == 0
    assert demo("today", "--format", "json").json()["undated"] == []


def test_today_bounds_the_latest_interactions(demo):
    agenda = demo("--today", "2026-11-10", "today", "--format", "json").json()
    assert agenda["recent"] and all(r["at"][:10] <= "2026-11-10" for r in agenda["recent"])
    plain = demo("--today", "2026-11-10", "today", "--format", "plain").out
    assert "IN-20261122-B968" not in plain and "2026-11-2" not in plain.split("Latest")[1]


def test_today_bounds_the_timeline_show_and_last_contact(demo):
    timeline = demo("--today", "2026-11-10", "timeline", "--format", "json").json()
    assert timeline and max(r["at"][:10] for r in timeline) <= "2026-11-10"
    assert demo("--today", "2026-11-10", "timeline", "--until", "2026-12-31", "--format", "json").json() == timeline
    assert len(demo("timeline", "--until", "2026-12-31", "--format", "json").json()) > len(timeline)
    view = demo("--today", "2026-11-10", "show", "huaqiang", "--format", "json").json()
    assert all(r["at"][:10] <= "2026-11-10" for r in view["interactions"])
    assert view["last_contact"]["at"][:10] <= "2026-11-10"
    parties = demo("--today", "2026-11-10", "customer", "list", "--format", "plain").out
    assert "2026-11-20" not in parties and "2026-11-22" not in parties


def test_a_record_file_keeps_iso(demo):
    """Whatever was typed, the file holds ISO 8601."""
    result = demo("remind", "add", "huaqiang", "call back", "--due", "二〇二七年一月五日")
    assert result.code == 0, result.err
    assert "\ndue: 2027-01-05\n" in demo.text(f"reminders/{result.out.strip()}.yaml")


@pytest.mark.parametrize("command, says", [
    (["pay", "SO-20261119-TTAX", "100", "--date", "2062-11-19"], "--date 2062-11-19 is after today"),
    (["order", "ship", "SO-20261119-TTAX", "--date", "+3d"], "--date 2026-11-25 is after today"),
    (["order", "ship", "SO-20261119-TTAX", "--date", "2025-11-20"],
     "--date 2025-11-20 is before the record's own date 2026-11-19"),
    (["contract", "sign", "CT-20261121-ZVTP", "--date", "2027-05-01"], "--date 2027-05-01 is after today"),
])
def test_what_happened_cannot_be_dated_after_today_or_before_its_record(demo, command, says):
    """A payment, a shipment or a signature recorded on a day still to come (a slipped year)
    counted as done in every report; a shipment before its order was placed is a slip too."""
    before = {path: demo.read(path) for path in ("orders/2026/SO-20261119-TTAX.yaml",
                                                 "contracts/CT-20261121-ZVTP.yaml")}
    result = demo(*command)
    assert result.code == 1 and says in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert {path: demo.read(path) for path in before} == before
    assert demo("pay", "SO-20261119-TTAX", "100", "--date", "2026-11-01").code == 0  # a deposit before the order
