"""crm.yaml is checked against its schema whenever it is read: a wrong value in a pulled
crm.yaml is one line `crm.yaml:LINE: what`, exit 3, for every command, never a crash."""

from __future__ import annotations

import pytest

from conftest import DataDir

BASE = "# settings\nbusiness:\n  name: Test Co\n"
"""Three lines; each bad part below starts on line 4."""

BAD = {
    "timezone-a-number": ("timezone: 8\n", 4, "timezone: 8 is not of type string"),
    "timezone-unknown": ("timezone: Mars/Olympus\n", 4, "unknown time zone 'Mars/Olympus'"),
    "timezone-trailing-space": ("timezone: 'Asia/Shanghai '\n", 4, "unknown time zone 'Asia/Shanghai '"),
    "timezone-a-path": ("timezone: ../../../etc/passwd\n", 4, "unknown time zone"),
    "currency-lowercase": ("currency: usd\n", 4, "currency: 'usd' is not a currency code"),
    "currency-unknown": ("currency: XYZ\n", 4, "currency: unknown currency code 'XYZ'"),
    "currency-a-number": ("currency: 840\n", 4, "currency: 840 is not of type string"),
    "rate-not-a-number": ("me: li\nrates: {USD: abc}\n", 5, "rates.USD: 'abc' is not of type number"),
    "rate-zero": ("rates:\n  EUR: 7.75\n  USD: 0\n", 6, "rates.USD must be more than 0: 0"),
    "rate-negative": ("rates: {USD: -7.1}\n", 4, "rates.USD must be more than 0: -7.1"),
    "rate-huge": ("rates: {USD: 1e30}\n", 4, "rates.USD cannot be more than 1000000000: 1E+30"),
    "rate-unknown-currency": ("rates: {usd: 7.1}\n", 4, "rates: 'usd' is not a currency code"),
    "rates-a-list": ("rates: [7.1]\n", 4, "rates: [Decimal('7.1')] is not of type object"),
    "pipeline-a-list": ("pipeline: [1, 2]\n", 4, "pipeline: [1, 2] is not of type object"),
    "pipeline-one-stage": ("pipeline: {stages: [{name: x}]}\n", 4, "pipeline.stages: [{'name': 'x'}] is too short"),
    "stage-without-probability": ("pipeline:\n  stages:\n    - {name: open}\n    - {name: won, probability: 100}\n",
                                  6, "pipeline.stages[0]: 'probability' is a required property"),
    "stage-probability-150": ("pipeline:\n  stages:\n    - {name: open, probability: 50}\n"
                              "    - {name: won, probability: 150}\n", 7,
                              "pipeline.stages[1].probability cannot be more than 100: 150"),
    "stage-probability-text": ("pipeline:\n  stages:\n    - {name: open, probability: half}\n"
                               "    - {name: won, probability: 100}\n", 6, "'half' is not of type integer"),
    "follow-up-every-99999999y": ("follow_up_every: 99999999y\n", 4, "is not an interval of at most 999 days"),
    "follow-up-every-a-number": ("follow_up_every: 30\n", 4, "follow_up_every: 30 is not of type string"),
    "service-level-in-words": ("service_levels: {urgent: 4 hours}\n", 4,
                               "service_levels.urgent: '4 hours' is not a duration"),
    "tiers-a-list": ("tiers: [1]\n", 4, "tiers: [1] is not of type object"),
    "tier-not-an-amount": ("tiers: {gold: lots}\n", 4, "tiers.gold: 'lots' is not of type number"),
    "reminders-a-number": ("reminders: 3\n", 4, "reminders: 3 is not of type object"),
    "notice-days-999999999": ("reminders:\n  renewals: {notice_days: 999999999}\n", 5,
                              "reminders.renewals.notice_days cannot be more than 3660: 999999999"),
    "target-below-5": ("reminders:\n  targets: {below: 5}\n", 5, "reminders.targets"),
    "autocommit-yes": ("git: {autocommit: 'yes'}\n", 4, "git.autocommit: 'yes' is not of type boolean"),
    "git-a-word": ("git: on\n", 4, "git: 'on' is not of type object"),
    "locale-klingon": ("locale: klingon\n", 4, "locale: 'klingon' is not a language crm speaks (en or zh)"),
    "me-a-number": ("me: 42\n", 4, "me: 42 is not of type string"),
    "an-unknown-key": ("me: li\nbusiness_name: x\n", 5, "unknown field business_name"),
    "lifecycle-unknown": ("reminders:\n  follow_up: {lifecycles: [vip]}\n", 5, "reminders.follow_up"),
    "tax-rate-13": ("me: li\ncurrency: CNY\ntax_rate: 13\n", 6, "tax_rate cannot be more than 1: 13"),
    "a-password-in-smtp": ("smtp:\n  host: mail.example\n  password: hunter2\n", 6, "unknown field smtp.password"),
    "smtp-a-number": ("smtp: 5\n", 4, "smtp: 5 is not of type object"),
}

COMMANDS = [["today"], ["customer", "list"], ["check"], ["remind", "due"]]


def data_dir(tmp_path, text: str) -> DataDir:
    root = tmp_path / "data"
    root.mkdir(exist_ok=True)
    (root / "crm.yaml").write_text(text, encoding="utf-8")
    return DataDir(root)


def refused(result, where: str, says: str) -> None:
    """Exit 3, nothing on stdout, one line naming crm.yaml (and its line) and what is wrong."""
    assert "Traceback" not in result.out + result.err and "internal error" not in result.err, result.err
    assert (result.code, result.out) == (3, ""), (result.code, result.out, result.err)
    assert result.err.startswith(f"crm: {where}: ") and len(result.err.splitlines()) == 1, result.err
    assert says in result.err, result.err


@pytest.mark.parametrize("case", BAD, ids=str)
def test_a_bad_crm_yaml_is_one_line_with_its_line_for_every_command(tmp_path, case):
    part, line, says = BAD[case]
    data = data_dir(tmp_path, BASE + part)
    for args in COMMANDS:
        refused(data(*args), f"{data.root}/crm.yaml:{line}", says)
    assert "hunter2" not in data("check").err


def test_the_crm_yaml_of_the_readme_the_demo_and_crm_init_are_valid(demo, empty, tmp_path):
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"`crm.yaml`:\n\n```yaml\n(.*?)```", readme, re.S).group(1)
    for data in (demo, empty, data_dir(tmp_path, example)):
        result = data("today")
        assert result.code == 0 and "crm.yaml" not in result.err, result.err


def test_a_huge_crm_yaml_is_refused_from_its_size(tmp_path):
    data = data_dir(tmp_path, BASE + "me: li\n" + "# padding\n" * 30_000)
    refused(data("today"), f"{data.root}/crm.yaml", "file is larger than 256 KiB")


def test_a_deeply_nested_crm_yaml_is_refused(tmp_path):
    data = data_dir(tmp_path, BASE + "reminders: " + "[" * 200 + "]" * 200 + "\n")
    refused(data("today"), f"{data.root}/crm.yaml", "nested deeper than")


def test_a_long_value_is_refused(tmp_path):
    data = data_dir(tmp_path, BASE + f"me: li\ntimezone: {'Asia/' * 2000}x\n")
    refused(data("check"), f"{data.root}/crm.yaml:5", "timezone:")


def test_fixing_the_file_makes_it_work_again(tmp_path):
    """A file validated once is remembered by its content; a changed file is checked again."""
    data = data_dir(tmp_path, BASE + "timezone: Asia/Shanghai\n")
    assert data("today").code == 0 and data("today").code == 0
    (data.root / "crm.yaml").write_text(BASE + "timezone: Asia/Shanghai  # the office\nrates: {USD: 0}\n")
    refused(data("today"), f"{data.root}/crm.yaml:5", "rates.USD")
    (data.root / "crm.yaml").write_text(BASE + "timezone: Asia/Shanghai\n")
    assert data("today").code == 0


def test_a_crm_yaml_linked_out_of_the_data_directory_is_not_read(tmp_path):
    """A pulled crm.yaml that is a link to another folder's settings (or any file of the user's)
    is refused; one linked to a file inside the data directory is still followed."""
    other = tmp_path / "other-books" / "crm.yaml"
    other.parent.mkdir()
    other.write_text(BASE + "me: someone-else\n", encoding="utf-8")
    data = data_dir(tmp_path, BASE)
    (data.root / "crm.yaml").unlink()
    (data.root / "crm.yaml").symlink_to("../other-books/crm.yaml")
    for args in COMMANDS:
        refused(data(*args), "crm.yaml", "leads outside the data directory")
    (data.root / "settings.yaml").write_text(BASE + "me: li\n", encoding="utf-8")
    (data.root / "crm.yaml").unlink()
    (data.root / "crm.yaml").symlink_to("settings.yaml")
    assert data("today").code == 0
