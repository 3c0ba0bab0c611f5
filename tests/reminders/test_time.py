"""One injectable now: runs just before and after midnight, and across a daylight-saving change."""

import pytest

from conftest import DataDir, run_crm


@pytest.fixture
def berlin(tmp_path):
    root = tmp_path / "berlin"
    assert run_crm("init", root, "--no-git", "--me", "anke", "--timezone", "Europe/Berlin").code == 0
    return DataDir(root)


def buckets(data_dir, now):
    digest = data_dir("--today", now, "today", "--format", "json").json()
    return {bucket: [item["reason"] for item in digest[bucket]] for bucket in ("overdue", "today", "upcoming")}


def test_just_before_and_just_after_midnight(berlin):
    assert berlin("remind", "add", "Call Anke", "--due", "2026-11-23").code == 0
    assert buckets(berlin, "2026-11-22T23:59:59+01:00")["upcoming"] == ["Call Anke"]
    assert buckets(berlin, "2026-11-23T00:00:01+01:00")["today"] == ["Call Anke"]
    assert buckets(berlin, "2026-11-22T23:30:00Z")["today"] == ["Call Anke"]
    assert buckets(berlin, "2026-11-24T00:00:01+01:00")["overdue"] == ["Call Anke"]


def test_cron_just_after_midnight_sees_the_new_day(berlin):
    assert berlin("remind", "add", "Call Anke", "--due", "2026-11-23").code == 0
    assert berlin("--today", "2026-11-22T23:59:00+01:00", "remind", "due").out == ""
    assert "Call Anke" in berlin("--today", "2026-11-23T00:01:00+01:00", "remind", "due").out


def test_a_daily_reminder_keeps_its_local_time_across_the_change_to_winter_time(berlin):
    rid = berlin("--today", "2026-10-24T08:00:00+02:00", "remind", "add", "Stand-up", "--due", "today 09:00",
                 "--every", "daily").out.strip()
    assert berlin.read(f"reminders/{rid}.yaml")["due"] == "2026-10-24T09:00:00+02:00"
    assert berlin("--today", "2026-10-24T09:30:00+02:00", "remind", "done", rid).code == 0
    assert berlin.read(f"reminders/{rid}.yaml")["due"] == "2026-10-25T09:00:00+01:00"


def test_relative_days_across_the_change_to_summer_time(berlin):
    rid = berlin("--today", "2026-03-28T23:30:00+01:00", "remind", "add", "Renew", "--due", "+1d").out.strip()
    assert berlin.read(f"reminders/{rid}.yaml")["due"] == "2026-03-29"
    assert buckets(berlin, "2026-03-29T00:30:00+01:00")["today"] == ["Renew"]
    assert buckets(berlin, "2026-03-29T23:59:00+02:00")["today"] == ["Renew"]


def test_a_ticket_service_level_ending_in_the_night_of_the_change(berlin):
    assert berlin("customer", "add", "Kühne GmbH", "--id", "kuehne").code == 0
    assert berlin("--today", "2026-10-24T22:30:00+02:00", "ticket", "open", "kuehne", "Broken reel",
                  "--priority", "urgent").code == 0
    """Four hours after 22:30 summer time is 02:30 summer time, an hour before 02:30 winter time."""
    def ticket(now):
        agenda = berlin("--today", now, "today", "--format", "json").json()
        return [(i["due"], i["at"], i["reason"]) for i in agenda["today"] if i["rule"] == "tickets"]

    assert ticket("2026-10-25T02:15:00+02:00") == [
        ("2026-10-25", "2026-10-25T02:30:00+02:00", "Broken reel: service level (urgent) ends")]
    assert ticket("2026-10-25T02:15:00+01:00") == [
        ("2026-10-25", "2026-10-25T02:30:00+02:00", "Broken reel: past its service level (urgent)")]
