"""The README runs: its "first ten minutes" and every command block of the user guide, in order,
in a fresh home folder, as a new user would type them (pinned day and zone, as everywhere here).

Conventions the README follows so that it can be run:
- a command that is meant to fail says so on its line: `# exits 1` (any code);
- a command whose output is an id says which, on its line or the comment line below it:
  `# prints SO-20261122-K7Q2` or `# → SO-20261122-K7Q2`. The id is random, so later lines
  that use the README's id get the one the command really printed;
- `crm … --help`-style commands that open an editor get one that saves the file as it is;
- `crm`, `VAR=value crm`, `echo` (a line added to a file) and `git` lines run (the Git section
  makes its remote a bare repository in the home folder: no network); other lines are set-up
  for the reader (`export CRM_DIR=~/crm` is followed; `pip install`, `python …`, `examples/…`
  are not run: the Northwind recipe needs its CSV files, and tests/io/test_northwind.py runs it);
- the files a command reads are the repository's `examples/import/` (the import examples) and
  the few below (`acme.yaml`, `mail.txt`…, a Maildir and an mbox holding one email), in the folder the commands run in, as a reader
  who cloned the repository would have them.
Sections the guide only shows (a crontab line, a systemd unit, YAML, what a script runs) are
not `sh` blocks.
"""

from __future__ import annotations

import mailbox
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_crm

README = ROOT / "README.md"
GUIDE_START = "## The first ten minutes"
GUIDE_END = "## The data directory"
"""From the walk-through to the end of the Git section: every command block of the user guide
(what follows describes files and development, whose commands are set-up)."""
ID = re.compile(r"\b(?:[A-Z]{2}-\d{8}-[0-9A-HJKMNP-TV-Z]{4})\b")
PRINTS = re.compile(r"#.*?(?:prints|→)\s+([A-Z]{2}-\d{8}-[0-9A-Z]{4})\b")
EXITS = re.compile(r"#\s*exits (\d+)")
SET_UP = ("pip ", "python", "examples/", "CRM_DIR=~/northwind ", "faketime", "ruff", "mypy", "systemctl",
          "crm --install-completion", "crm --show-completion", "CRM_MAIL_PASSWORD=")
"""Not run: installing things, changing the reader's shell set-up (tests/test_docs.py tries completion),
the Northwind recipe, whose CSV files are not in the repository (tests/io/test_northwind.py), and the
IMAP import, which needs a mail server (tests/io/test_mail_imap.py runs it against Dovecot)."""

INPUTS = {
    "acme.yaml": "name: Acme Corp\nentity: company\naddresses: [{city: Leeds, country: GB}]\ntags: [uk]\n",
    "mail.txt": "The samples left the factory today.\n",
    "lines.yaml": "- {sku: CAB-07, quantity: 3}\n",
}
MAIL = (b"From: =?UTF-8?B?5YiY5rSL?= <liuyang@huaqiang.example>\nTo: li@brightline.example\n"
        b"Subject: Samples\nDate: Fri, 20 Nov 2026 09:30:00 +0800\nMessage-ID: <samples-1@huaqiang.example>\n"
        b"Content-Type: text/plain; charset=utf-8\n\nThe samples arrived, thank you.\n")
"""The one message the Email section's Maildir and mbox hold: from a contact the guide added."""
RUNS = re.compile(r"^(?:[A-Z_]+=\S+ )*(?:crm|echo|git)\b")


def guide_commands() -> list[tuple[int, str]]:
    """(line number, command) of every `sh` block of the guide, continuation lines joined and
    the comment line below a command (`# → id`) appended to it."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(GUIDE_START))
    end = next(n for n, line in enumerate(lines) if line.startswith(GUIDE_END))
    commands: list[tuple[int, str]] = []
    inside, pending = False, ""
    for number, line in enumerate(lines[start:end], start + 1):
        if line.startswith("```"):
            inside = line.strip() == "```sh" and not inside
            continue
        if not inside or not line.strip():
            continue
        if line.lstrip().startswith("#") and commands and not pending:
            commands[-1] = (commands[-1][0], f"{commands[-1][1]} {line.strip()}")
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        commands.append((number, pending + line))
        pending = ""
    return commands


def runs(code: str) -> bool:
    """Whether a line of the guide is run (see the module's docstring)."""
    return not code.startswith(SET_UP) and bool(RUNS.match(code))


def prepare(work: Path) -> None:
    """The folder the guide's commands run in, with the files they read."""
    work.mkdir(parents=True, exist_ok=True)
    for name, text in INPUTS.items():
        (work / name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "examples" / "import", work / "examples" / "import")
    home = Path(os.environ["HOME"])
    (home / "scans").mkdir(exist_ok=True)
    (home / "scans" / "signed.pdf").write_bytes(b"%PDF-1.4 signed\n")
    (home / "Maildir").mkdir(exist_ok=True)
    mailbox.Maildir(home / "Maildir" / "INBOX").add(MAIL)
    (home / "Mail").mkdir(exist_ok=True)
    mailbox.mbox(home / "Mail" / "sent.mbox").add(MAIL)


def crm_on_path(folder: Path) -> Path:
    """A `crm` command that runs this checkout, as `pip install .` would provide."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "crm"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m crmcli "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_the_guide_has_commands():
    commands = [command for _, command in guide_commands()]
    assert commands[0].startswith("crm init ~/crm") and len(commands) > 80


SHELL_WORK = re.compile(r"[|&;<>()]")
"""What only the shell itself can do on a line (pipes, redirections, `&&`, subshells)."""
ARGUMENTS = 'crm() { printf "%s\\0" "$@"; }\n'
"""A `crm` that only prints its arguments, so the shell reads a line (quotes, `~`, `$VAR`) for us."""


def as_the_shell_passes_them(code: str, folder: Path, env: dict[str, str]) -> list[str] | None:
    """The arguments bash gives `crm` on a line that is one plain `crm` command (no pipe,
    redirection, `&&` or variable assignment before it), read by bash itself; None for any
    other line, which must run in the shell."""
    if not code.startswith("crm ") or SHELL_WORK.search(code):
        return None
    words = subprocess.run(["bash", "-c", ARGUMENTS + code], cwd=folder, env=env, capture_output=True,
                           check=True, timeout=60, stdin=subprocess.DEVNULL).stdout
    return words.decode().split("\0")[:-1]


def test_the_readme_runs_top_to_bottom(tmp_path, monkeypatch):
    """Each line as typed: bash runs what needs a shell, and reads every plain `crm …` line's
    arguments, which then run in this process (crm's real entry point, in the folder and
    environment the shell has): a new Python per line made this the suite's longest test."""
    home = Path(os.environ["HOME"])
    work = home / "work"
    prepare(work)
    env = {**os.environ, "PATH": f"{crm_on_path(tmp_path / 'bin')}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "EDITOR": "true"}  # an editor that saves the file as it is
    env.pop("CRM_DIR")
    printed: dict[str, str] = {}
    folder = work
    for number, command in guide_commands():
        code = command.split(" #", 1)[0].strip()
        if code.startswith("export "):
            name, value = code.removeprefix("export ").split("=", 1)
            env[name] = value.replace("~", str(home))
            continue
        if code.startswith("cd "):
            folder = (folder / code.removeprefix("cd ").strip()).resolve()
            continue
        if not runs(code):
            continue
        for shown, real in printed.items():
            code = code.replace(shown, real)
        expected = int(EXITS.search(command).group(1)) if EXITS.search(command) else 0
        arguments = as_the_shell_passes_them(code, folder, env)
        if arguments is None:
            result = subprocess.run(["bash", "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                                    timeout=120, stdin=subprocess.DEVNULL)
        else:
            with monkeypatch.context() as shell:
                shell.chdir(folder)
                for name in os.environ.keys() - env.keys():
                    shell.delenv(name)
                for name, value in env.items():
                    shell.setenv(name, value)
                crm = run_crm(*arguments)
            result = subprocess.CompletedProcess(code, crm.code, crm.out, crm.err)
        assert result.returncode == expected, (
            f"README.md:{number}: exit {result.returncode} (expected {expected}): {code}\n{result.stderr}")
        announced = PRINTS.search(command)
        if announced:
            real = ID.findall(result.stdout)
            assert real, f"README.md:{number}: the text says it prints an id: {result.stdout}"
            printed[announced.group(1)] = real[-1]


@pytest.mark.parametrize("line", ["crm pay SO-1 5   # exits 1", "crm x  # → SO-20261122-ZX5V"])
def test_the_conventions_are_read(line):
    assert EXITS.search(line) or PRINTS.search(line)
