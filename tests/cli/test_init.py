"""`crm init`: settings, folders, .gitignore and git."""

import subprocess

from conftest import run_crm


def test_init_creates_a_usable_data_directory(tmp_path):
    target = tmp_path / "我的 客户"
    result = run_crm("init", target, "--name", "明线贸易", "--currency", "eur", "--me", "li")
    assert result.code == 0, result.err
    assert (target / ".git").is_dir()
    assert ".crm-tmp-*" in (target / ".gitignore").read_text()
    config = (target / "crm.yaml").read_text(encoding="utf-8")
    assert "name: 明线贸易" in config and "currency: EUR" in config and "autocommit: true" in config
    for folder in ("customers", "suppliers", "interactions"):
        assert (target / folder).is_dir()
    assert run_crm("--data-dir", target, "customer", "add", "Acme").code == 0
    assert run_crm("--data-dir", target, "check").code == 0
    status = subprocess.run(["git", "-C", str(target), "check-ignore", "customers/.crm-tmp-acme.yaml"],
                            capture_output=True)
    assert status.returncode == 0
    assert [p.name for p in (target / ".git" / "crm").iterdir()][0].startswith("我的_客户-")
    assert not [p for p in target.iterdir() if p.name == ".crm"]


def test_init_refuses_an_existing_data_directory(tmp_path):
    run_crm("init", tmp_path / "d", "--no-git")
    again = run_crm("init", tmp_path / "d", "--no-git")
    assert again.code == 1 and "already" in again.err


def test_init_refuses_a_bad_zone_or_currency(tmp_path):
    assert run_crm("init", tmp_path / "a", "--timezone", "Mars/Olympus").code == 1
    assert run_crm("init", tmp_path / "b", "--currency", "euro").code == 1
    assert not (tmp_path / "b" / "crm.yaml").exists()
