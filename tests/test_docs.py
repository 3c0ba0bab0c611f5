"""The documentation stays true: docs/cli.md is the CLI's own help, help text is plain, and
shell completion works for bash, zsh and fish as the README says."""

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import ROOT, run_crm
from crmcli.cli import command_tree
from crmcli.cli.app import listing_source
from crmcli.cli.language import walk
from crmcli.cli.reference import reference


def test_the_command_reference_is_current():
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(), "docs/cli.md is stale: run python -m crmcli.cli.reference > docs/cli.md"


def test_the_listing_of_commands_is_current():
    """`crm --help` lists the commands from crmcli/cli/listing.py rather than loading them all."""
    written = (ROOT / "crmcli" / "cli" / "listing.py").read_text(encoding="utf-8")
    assert written == listing_source(), \
        "crmcli/cli/listing.py is stale: run python -m crmcli.cli.reference --listing > crmcli/cli/listing.py"


def test_every_option_and_argument_has_help():
    """51 options once had no help text, and no argument's help was shown at all (click 8.5 reset
    what Typer set)."""
    missing = [f"{' '.join(path)} {param.opts[0]}" for path, command in walk(command_tree(), ["crm"])
               for param in command.params if not getattr(param, "hidden", False) and not param.help]
    assert missing == []
    assert "Where (default: --data-dir" in run_crm("init", "--help").out


def test_the_root_help_names_every_report():
    report = command_tree().get_command(None, "report")
    assert isinstance(report, click.Group)
    summary = " ".join(run_crm("--help").out.split())
    assert all(name in summary for name in report.commands), summary


def test_help_shows_brackets_without_escapes():
    text = run_crm("order", "add", "--help").out
    assert "PARTY  The customer: id, name, prefix or pinyin.  [required]" in text and "\\[" not in text


def completion(shell: str, words: str) -> list[str]:
    """What `crm`'s completion offers `shell` for the typed `words`, through Typer's protocol."""
    env = {**os.environ, "_CRM_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": words,
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = subprocess.run([sys.executable, "-m", "crmcli"], env=env, capture_output=True, text=True, timeout=60)
    return result.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_for_each_shell(shell):
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    script = subprocess.run([sys.executable, "-m", "crmcli", "--show-completion", shell], env=env,
                            capture_output=True, text=True, timeout=60).stdout
    assert "_CRM_COMPLETE" in script and f"complete_{shell}" in script


def test_completion_offers_commands_and_subcommands():
    assert completion("bash", "crm remi") == ["remind"]
    assert any('"remind":"Reminders' in line and "(iCalendar)" in line for line in completion("zsh", "crm remi"))
    assert any(line.startswith("done\t") for line in completion("fish", "crm remind d"))
    assert any('"due":' in line for line in completion("zsh", "crm remind d"))


def test_bash_completes_through_the_installed_script():
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "crm").exists():
        pytest.skip("the crm console script is not installed next to this Python")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    script = 'eval "$(crm --show-completion bash)"; COMP_WORDS=(crm remind sn); COMP_CWORD=2; ' \
             '_crm_completion crm; printf "%s\\n" "${COMPREPLY[@]}"'
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["snooze"], result.stderr
