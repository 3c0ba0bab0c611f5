"""`crm init`: settings, folders, .gitignore and git."""

import subprocess

import pytest

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


@pytest.mark.parametrize("args, says", [
    (["--currency", "XYZ"], "unknown currency code 'XYZ'"),
    (["--currency", ""], "unknown currency code ''"),
    (["--name", "  "], "--name"),
])
def test_init_refuses_settings_no_command_could_read(tmp_path, args, says):
    """`--currency XYZ` once wrote a crm.yaml that every later command refused (exit 3)."""
    result = run_crm("init", tmp_path / "d", "--name", "明线贸易", "--no-git", *args)
    assert result.code == 1 and result.err.count("\n") == 1 and says in result.err, result.err
    assert not (tmp_path / "d").exists()


def test_init_without_a_folder_refuses_a_folder_that_is_not_empty(tmp_path, monkeypatch):
    """A stray `crm init` in $HOME once made the whole home folder a data directory and a git repository."""
    home = tmp_path / "home-like"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.chdir(home)
    monkeypatch.delenv("CRM_DIR")
    refused = run_crm("init", "--me", "li")
    assert refused.code == 1 and "is not empty" in refused.err and "crm init ~/crm" in refused.err
    assert sorted(p.name for p in home.iterdir()) == ["Documents"]
    meant = run_crm("init", ".", "--me", "li", "--no-git")
    assert meant.code == 0, meant.err
    assert (home / "crm.yaml").is_file()


def test_init_without_a_folder_uses_an_empty_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_DIR")
    result = run_crm("init", "--me", "li", "--no-git")
    assert result.code == 0, result.err
    assert (tmp_path / "crm.yaml").is_file()


def test_init_installs_an_english_and_a_chinese_contract_template(tmp_path):
    """The README's `crm contract new … --template framework-agreement` failed in a new data directory."""
    data = tmp_path / "d"
    assert run_crm("init", data, "--name", "明线贸易", "--me", "li").code == 0
    assert run_crm("--data-dir", data, "customer", "add", "Acme Corp").code == 0  # no address, no tax id
    made = {}
    for template in ("framework-agreement", "framework-agreement-zh"):
        result = run_crm("--data-dir", data, "contract", "new", "acme", "--template", template,
                         "--value", "1200000", "--start", "2027-01-01", "--end", "2027-12-31")
        assert result.code == 0, result.err
        made[template] = (data / "contracts" / f"{result.out.strip()}.md").read_text(encoding="utf-8")
    assert "Framework Agreement" in made["framework-agreement"] and "Buyer:** Acme Corp" in made["framework-agreement"]
    assert "框架协议" in made["framework-agreement-zh"] and "1200000.00 CNY" in made["framework-agreement-zh"]
    tracked = subprocess.run(["git", "-C", str(data), "ls-files", "templates"], capture_output=True, text=True)
    assert tracked.stdout.split() == ["templates/framework-agreement-zh.md", "templates/framework-agreement.md"]
    assert run_crm("--data-dir", data, "check").code == 0


def test_without_a_git_identity_init_says_how_to_set_one(tmp_path, monkeypatch):
    """The hint used to be `crm git install-hooks`, which cannot help: git needs user.name and user.email."""
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly",
                        "GIT_CONFIG_VALUE_0": "true"}.items():
        monkeypatch.setenv(name, value)  # never guess one from the host name
    result = run_crm("init", tmp_path / "d", "--me", "li")
    assert result.code == 0, result.err
    assert 'git config --global user.name "Your Name"' in result.err
    assert "git config --global user.email" in result.err and "install-hooks" not in result.err
    assert (tmp_path / "d" / ".git" / "hooks" / "pre-commit").is_file()
