"""Every bad input is one line (issue 16, item 5): extreme records, duplicate keys, arguments
that are not text, runaway templates, deep queries and out-of-range numbers.

Each case runs the real `crm` entry point under a watchdog (a hang fails the test, no clock
is read; arguments that are not text get a process of their own) and asserts what a user sees: the exit code of GUIDE.md §5, one line on
stderr (a query error adds its caret lines), no traceback, no "internal error". A record
that is out of range is skipped with one warning naming it by the read commands and the
cron job, and reported by `crm check`; the rest of the data keeps working.
"""

from __future__ import annotations

import faulthandler
import json
import os
import select
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEMO, ROOT, run_crm
from robust import placed, snapshot

TIMEOUT = 60
"""Seconds a command may take before it counts as hung (the slowest here take about one)."""


@dataclass
class Run:
    code: int
    out: str
    err: str


def crm(root: Path, *args, timeout: float = TIMEOUT, prefix: tuple = ()) -> Run:
    """`crm --data-dir ROOT ARGS`. Arguments that are bytes (as a shell passes them) or a
    `prefix` (a tool that runs the Python differently) need a process of their own; the rest
    run in this process, as fast as a function call, under a watchdog: a command still running
    after `timeout` seconds ends this test process with the traceback of where it hung."""
    if prefix or any(isinstance(arg, bytes) for arg in args):
        command = [*prefix, sys.executable, "-m", "crmcli", "--data-dir", str(root), *args]
        done = subprocess.run(command, capture_output=True, timeout=timeout, cwd=ROOT)
        return Run(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))
    faulthandler.dump_traceback_later(timeout, exit=True)
    try:
        result = run_crm("--data-dir", root, *args)
    finally:
        faulthandler.cancel_dump_traceback_later()
    return Run(result.code, result.out, result.err)


def assert_clean(result: Run) -> None:
    everything = result.out + result.err
    assert "Traceback" not in everything and "internal error" not in everything, everything[-3000:]


def assert_one_line(result: Run, codes: tuple[int, ...] = (1,), says: tuple[str, ...] = (), caret: bool = False) -> str:
    """A refusal: one of `codes`, one `crm: …` line on stderr (and the two caret lines of a
    query error when `caret`), nothing else."""
    assert_clean(result)
    assert result.code in codes, (result.code, result.out[-2000:], result.err[-2000:])
    lines = result.err.splitlines()
    assert len(lines) == (3 if caret else 1), lines[:10]
    assert lines[0].startswith("crm: "), lines
    if caret:
        assert lines[2].strip() == "^", lines
    for text in says:
        assert text in lines[0], (text, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A copy of the demo with a warm index, shared by the module (each test undoes what it adds)."""
    root = tmp_path_factory.mktemp("hostile-input") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".crm"))
    assert crm(root, "customer", "list").code == 0
    return root


@pytest.fixture(autouse=True)
def restored(shared):
    before = snapshot(shared)
    yield
    after = snapshot(shared)
    for relative in after.keys() - before.keys():
        (shared / relative).unlink()
    for relative, content in before.items():
        if after.get(relative) != content:
            (shared / relative).write_bytes(content)


# --------------------------------------------------------------------------- records out of range

def variant(source: str, target: str, *changes: tuple[str, str]) -> tuple[str, bytes]:
    """The demo record `source` as a new record `target` (its id follows the file name), with
    each (old, new) text replaced once."""
    text = (DEMO / source).read_text(encoding="utf-8")
    text = text.replace(f"id: {Path(source).stem}\n", f"id: {Path(target).stem}\n", 1)
    for old, new in changes:
        assert old in text, (old, source)
        text = text.replace(old, new, 1)
    return target, text.encode("utf-8")


INTERACTION = ("interactions/2026/03/IN-20260302-0NVE.yaml", "interactions/2026/11/IN-20261120-EV1X.yaml")
OPEN_NEXT = ("  done: 2026-03-12T17:00:00+08:00\n", "")
PARTY = ("customers/muller-elektrotechnik.yaml", "customers/evil-trading.yaml")
CONTRACT = ("contracts/CT-20261028-5XQR.yaml", "contracts/CT-20261120-EV1X.yaml")
ORDER = ("orders/2026/SO-20260105-SME8.yaml", "orders/2026/SO-20261120-EV1X.yaml")
OPEN_ORDER = ("status: closed\n", "status: confirmed\n")
REMINDER = ("reminders/RM-20261102-RPVY.yaml", "reminders/RM-20261120-EV1X.yaml")
DEAL = ("opportunities/DL-20261118-KDP8.yaml", "opportunities/DL-20261120-EV1X.yaml")
TICKET = ("tickets/TK-20260227-Y89A.yaml", "tickets/TK-20261120-EV1X.yaml")
CAMPAIGN = ("campaigns/CP-20260828-F99E.yaml", "campaigns/CP-20261120-EV1X.yaml")

RECORDS = {
    "at 9999-12-31T23:00:00-12:00": variant(*INTERACTION, ("at: 2026-03-02T17:30:00+08:00", "at: 9999-12-31T23:00:00-12:00")),
    "at 0001-01-01T00:00:00+14:00": variant(*INTERACTION, ("at: 2026-03-02T17:30:00+08:00", "at: 0001-01-01T00:00:00+14:00")),
    "created 9999-12-31T23:59:59-12:00": variant(*INTERACTION, ("created: 2026-03-02T18:21:07+08:00",
                                                                "created: 9999-12-31T23:59:59-12:00")),
    "next due 9999-12-31": variant(*INTERACTION, ("due: 2026-03-13", "due: 9999-12-31"), OPEN_NEXT),
    "next due 0001-01-01": variant(*INTERACTION, ("due: 2026-03-13", "due: 0001-01-01"), OPEN_NEXT),
    "follow_up_every 99999999y": variant(*PARTY, ("follow_up_every: 2w", "follow_up_every: 99999999y")),
    "follow_up_every 99999999d": variant(*PARTY, ("follow_up_every: 2w", "follow_up_every: 99999999d")),
    "follow_up_every 8000y": variant(*PARTY, ("follow_up_every: 2w", "follow_up_every: 8000y")),
    "follow_up_every 30-digit months": variant(*PARTY, ("follow_up_every: 2w", "follow_up_every: " + "9" * 30 + "m")),
    "birthday 9999-12-31": variant(*PARTY, ("birthday: '11-28'", "birthday: '9999-12-31'")),
    "renewal_notice_days 999999999": variant(*CONTRACT, ("auto_renew: false\n",
                                                         "auto_renew: false\nrenewal_notice_days: 999999999\n")),
    "renewal_notice_days 1000000": variant(*CONTRACT, ("auto_renew: false\n",
                                                       "auto_renew: false\nrenewal_notice_days: 1000000\n")),
    "contract end 9999-12-31": variant(*CONTRACT, ("end: 2028-10-28", "end: 9999-12-31")),
    "contract start 0001-01-01": variant(*CONTRACT, ("start: 2026-10-29", "start: 0001-01-01")),
    "quantity 999999999999 at 30 digits": variant(*ORDER, ("quantity: 40", "quantity: 999999999999"),
                                                  ("unit_price: 1250.00", "unit_price: " + "9" * 30), OPEN_ORDER),
    "unit_price 1e30": variant(*ORDER, ("unit_price: 1250.00", "unit_price: 1e30"), OPEN_ORDER),
    "quantity 0.000…1": variant(*ORDER, ("quantity: 40", "quantity: 0." + "0" * 40 + "1"), OPEN_ORDER),
    "order date 9999-12-31": variant(*ORDER, ("date: 2026-01-05", "date: 9999-12-31"), OPEN_ORDER),
    "payment_due 0001-01-01": variant(*ORDER, ("payment_due: 2026-02-04", "payment_due: 0001-01-01"), OPEN_ORDER),
    "payment_due 9999-12-31": variant(*ORDER, ("payment_due: 2026-02-04", "payment_due: 9999-12-31"), OPEN_ORDER),
    "reminder due 0001-01-01": variant(*REMINDER, ("due: 2026-11-30", "due: 0001-01-01"),
                                       ("anchor: 2026-11-30", "anchor: 0001-01-01")),
    "reminder due 9999-12-31": variant(*REMINDER, ("due: 2026-11-30", "due: 9999-12-31"),
                                       ("anchor: 2026-11-30", "anchor: 9999-12-31")),
    "reminder every 99999999y": variant(*REMINDER, ("every: 1m", "every: 99999999y")),
    "reminder every RRULE INTERVAL=99999999": variant(*REMINDER, ("every: 1m", "every: FREQ=YEARLY;INTERVAL=99999999")),
    "deal close 9999-12-31": variant(*DEAL, ("close: 2027-03-31", "close: 9999-12-31")),
    "deal close 0001-01-01": variant(*DEAL, ("close: 2027-03-31", "close: 0001-01-01")),
    "ticket due 9999-12-31T23:59:59-12:00": variant(*TICKET, ("status: closed", "status: open"),
                                                    ("due: 2026-02-28T09:20:00+08:00", "due: 9999-12-31T23:59:59-12:00")),
    "campaign end 9999-12-31": variant(*CAMPAIGN, ("end: 2026-09-30", "end: 9999-12-31")),
}
READS = [["today"], ["remind", "due", "--within", "1w"], ["ledger", "--by", "customer,month"],
         ["report", "forecast"], ["customer", "list"]]


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_record_out_of_range_is_skipped_with_a_warning_and_reported_by_check(shared, name):
    relative, content = RECORDS[name]
    with placed(shared, {relative: content}):
        for args in READS:
            result = crm(shared, *args)
            assert_clean(result)
            assert result.code == 0, (args, result.err)
            assert all(relative in line and "skipped" in line for line in result.err.splitlines()), (args, result.err)
        assert "深圳市华强电子有限公司" in crm(shared, "customer", "list").out
        check = crm(shared, "check")
        assert_clean(check)
        assert check.code == 1 and any(line.startswith(relative + ":") for line in check.out.splitlines()), check.out


def test_the_last_days_in_range_still_work(shared):
    """The bounds leave room: a record at the edge of the range is read and computed with."""
    relative, content = variant(*INTERACTION, ("at: 2026-03-02T17:30:00+08:00", "at: 1900-01-02T00:00:00+14:00"),
                                ("due: 2026-03-13", "due: 2999-12-31"), OPEN_NEXT)
    party = variant(*PARTY, ("follow_up_every: 2w", "follow_up_every: 99y"))
    with placed(shared, {relative: content, party[0]: party[1]}):
        for args in (["today"], ["remind", "due"], ["--today", "2999-12-31", "today"], ["--today", "1900-01-01", "today"]):
            result = crm(shared, *args)
            assert_clean(result)
            assert result.code == 0 and result.err == "", (args, result.err)


# --------------------------------------------------------------------------- duplicate keys

DUPLICATES = {
    "top-level": (b"id: evil-trading\nname: Evil Trading\nname: Other Name\n", 3),
    "nested": (b"id: evil-trading\nname: Evil Trading\ncontacts:\n  - name: A\n    title: x\n    name: B\n", 6),
    "flow": (b"id: evil-trading\nname: Evil Trading\nhistory:\n  - {at: 2026-01-01T00:00:00+08:00, at: x}\n", 4),
}
TAIL = b"created: 2026-01-01T00:00:00+08:00\nupdated: 2026-01-01T00:00:00+08:00\n"


@pytest.mark.parametrize("name", sorted(DUPLICATES))
def test_a_duplicate_key_is_a_yaml_error_with_its_line(shared, name):
    content, line = DUPLICATES[name]
    relative = "customers/evil-trading.yaml"
    with placed(shared, {relative: content + TAIL}):
        listed = crm(shared, "customer", "list")
        assert listed.code == 0 and f"{relative}:{line}: " in listed.err and "duplicate key" in listed.err, listed.err
        check = crm(shared, "check")
        assert check.code == 1 and any(f"{relative}:{line}:" in row and "duplicate" in row for row in check.out.splitlines())
        before = snapshot(shared)
        edited = crm(shared, "customer", "edit", "customers/evil-trading", "--set", "industry=x")
        assert_one_line(edited, (1,), says=(f"{relative}:{line}",))
        assert snapshot(shared) == before


def test_a_duplicate_key_in_crm_yaml_is_exit_3_with_its_line(shared):
    config = shared / "crm.yaml"
    original = config.read_bytes()
    try:
        config.write_bytes(original + b"currency: EUR\n" + original.split(b"\n", 1)[0] + b"\n")
        assert_one_line(crm(shared, "customer", "list"), (3,), says=("crm.yaml:", "duplicate key"))
    finally:
        config.write_bytes(original)


# --------------------------------------------------------------------------- arguments that are not text

@pytest.mark.parametrize("args", [
    [b"customer", b"add", b"M\xfcller"],
    [b"customer", b"add", b"Foo", b"--notes", b"caf\xe9"],
    [b"log", b"huaqiang", b"call", b"caf\xe9 ok"],
    [b"search", b"\xff\xfe"],
    [b"customer", b"edit", b"huaqiang", b"--set", b"industry=\xe9lectro"],
    [b"remind", b"add", b"huaqiang", b"r\xe9sum\xe9"],
], ids=lambda a: b" ".join(a).decode("latin-1"))
def test_an_argument_that_is_not_utf8_is_refused_before_anything_is_written(shared, args):
    before = snapshot(shared)
    assert_one_line(crm(shared, *args), (2,), says=("UTF-8",))
    assert snapshot(shared) == before


def test_an_argument_with_a_lone_surrogate_is_refused_in_process(shared):
    from conftest import run_crm

    before = snapshot(shared)
    result = run_crm("--data-dir", shared, "customer", "add", "M\udcfcller")
    assert result.code == 2 and len(result.err.splitlines()) == 1 and "Traceback" not in result.err, result.err
    assert snapshot(shared) == before


# --------------------------------------------------------------------------- templates

TEMPLATES = {
    "nested ranges": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "nested ranges writing": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "doubling a list": "{% set ns = namespace(s=[1]) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "11 MiB of output": "{% for i in range(11) %}{{ 'x' * (1024 * 1024) }}{% endfor %}",
    "center 10^9": "{{ 'x' | center(1000000000) }}",
    "format width": "{{ '{:>999999999}'.format('x') }}",
    "recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "update the contract": "{{ contract.update({'party': 'customers/evil'}) }}",
    "pop from the contract": "{{ contract.pop('party') }}",
    "append to the party": "{{ party.contacts.append({'name': 'x'}) }}",
    "set on the party": "{% set x = party.__setitem__('name', 'Evil') %}",
    "lipsum 10^6": "{{ lipsum(1000000) }}",
    "lipsum of 10^9 words": "{{ lipsum(1, max=10**9) }}",
    "three nested ranges": "{% for i in range(100) %}{% for j in range(100) %}{% for k in range(100) %}"
                           "{% endfor %}{% endfor %}{% endfor %}",
    "text plus a number": "{{ 1 + 'a' }}",
    "division by zero": "{{ 1 / 0 }}",
    "a bad format": "{{ '{:q}'.format(1) }}",
    "lipsum's min above its max": "{{ lipsum(1, min=200) }}",
}
SAYS = {"text plus a number": "TypeError", "division by zero": "ZeroDivisionError", "a bad format": "ValueError",
        "lipsum's min above its max": "ValueError", "nested ranges": "loops of more than"}
"""What the one line says beyond the template's path, where the reason matters: a template's own
Python failing once ended the render child without an answer ("ran out of time or memory")."""


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_runaway_or_meddling_template_is_one_line_and_writes_nothing(shared, name):
    with placed(shared, {"templates/evil.md": TEMPLATES[name].encode()}):
        before = snapshot(shared)
        result = crm(shared, "contract", "new", "huaqiang", "--template", "evil")
        assert_one_line(result, (1,), says=("templates/evil.md", SAYS.get(name, "")))
        assert snapshot(shared) == before


@pytest.mark.parametrize("work, says", [
    (lambda: sum(iter(int, 1)), "took longer than 1 seconds"),
    (lambda: select.select([], [], []), "took longer than 1 seconds"),  # no CPU time: the wall clock stops it
    (lambda: "x" * (1 << 40), "more than 512 MiB of memory"),
    (lambda: os.kill(os.getpid(), signal.SIGKILL), "ran out of time or memory"),  # as the kernel's OOM killer would
], ids=["spinning", "waiting", "a TiB", "killed"])
def test_the_child_that_renders_is_stopped_by_its_own_limits(work, says):
    """What stops a template that gets past the sandbox's bounds (no template in TEMPLATES
    does any longer, so each limit is tried here, with one second instead of ten)."""
    from crmcli.actions.bounded import run_bounded
    from crmcli.errors import InvalidValue

    with pytest.raises(InvalidValue, match=says) as stopped:
        run_bounded(work, "templates/evil.md", seconds=1)
    assert stopped.value.where == "templates/evil.md"


def test_a_big_but_bounded_template_still_renders(shared):
    with placed(shared, {"templates/big.md": b"{{ party.name }}\n{% for i in range(1000) %}{{ 'x' * 1000 }}\n{% endfor %}"}):
        result = crm(shared, "contract", "new", "huaqiang", "--template", "big")
        assert result.code == 0, result.err
        contract = next(p for p in (shared / "contracts").glob("*.md") if "深圳市华强电子有限公司" in p.read_text()[:100])
        assert contract.stat().st_size > 1_000_000


# --------------------------------------------------------------------------- queries

QUERIES = {
    "1000 parentheses": "(" * 1000 + "cable" + ")" * 1000,
    "1001 terms": " ".join(["cable"] * 1001),
    "257 terms": " ".join(["cable"] * 257),
    "21 NOTs": "NOT " * 21 + "cable",
    "500 NOTs": "NOT " * 500 + "cable",
    "300 minus groups": "-(" * 300 + "cable" + ")" * 300,
    "5001 ORs": " OR ".join(["cable"] * 5001),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("command", [["search"], ["customer", "list"]], ids=" ".join)
def test_a_query_too_deep_or_too_long_is_one_line_with_a_caret(shared, name, command):
    assert_one_line(crm(shared, *command, QUERIES[name]), (1,), says=("invalid query",), caret=True)


def test_a_query_at_the_bounds_still_runs(shared):
    from crmcli.query.parse import MAX_DEPTH, MAX_TERMS

    for query in ("(" * MAX_DEPTH + "cable" + ")" * MAX_DEPTH, " ".join(["cable"] * MAX_TERMS),
                  "NOT " * MAX_DEPTH + "cable", "(tag:a OR " * MAX_DEPTH + "cable" + ")" * MAX_DEPTH,
                  "-(" * (MAX_DEPTH // 2) + "cable" + ")" * (MAX_DEPTH // 2)):
        for command in (["search"], ["customer", "list"], ["order", "list"]):
            result = crm(shared, *command, query)
            assert result.code == 0, (command, query[:20], result.err)


@pytest.mark.parametrize("args", [
    ["search", "cable", "--limit", str(2 ** 63)],
    ["search", "cable", "--limit", "9" * 30],
    ["timeline", "--limit", str(2 ** 63)],
    ["timeline", "--limit", str(2 ** 64 + 1)],
], ids=" ".join)
def test_a_limit_beyond_the_range_is_refused(shared, args):
    assert_one_line(crm(shared, *args), (1, 2), says=("--limit",))


@pytest.mark.parametrize("query", ["amount>1e309", "amount>" + "9" * 400, "date:0001-01..9999-12",
                                   "created>99999-01-01", "due<+99999999y"])
def test_a_comparison_with_an_extreme_value_does_not_crash(shared, query):
    result = crm(shared, "order", "list", query)
    assert_clean(result)
    assert result.code in (0, 1) and len(result.err.splitlines()) <= (3 if result.code else 1), result.err


# --------------------------------------------------------------------------- amounts, days, months, intervals

PAYABLE = "PO-20261102-PGPZ"


@pytest.mark.parametrize("amount", ["1e309", "1e999999999", "9" * 40, "1E+30", "1e-999999999", "1e15",
                                    "0.0000000000000000000000000000001"])
def test_an_extreme_payment_is_one_line(shared, amount):
    before = snapshot(shared)
    assert_one_line(crm(shared, "pay", PAYABLE, amount), (1,))
    assert snapshot(shared) == before


@pytest.mark.parametrize("args", [
    ["deal", "add", "huaqiang", "Evil deal", "--amount", "1e309"],
    ["product", "add", "EVIL-1", "Evil", "--price", "9" * 40],
    ["target", "set", "li", "2026", "1e100"],
    ["contract", "new", "huaqiang", "--template", "nda", "--value", "1e20"],
    ["order", "add", "huaqiang", "--line", "CAB-07 99999999999999999 @ 1250"],
    ["order", "add", "huaqiang", "--line", "CAB-07 40 @ 1e20"],
], ids=" ".join)
def test_an_extreme_amount_anywhere_is_one_line(shared, args):
    before = snapshot(shared)
    assert_one_line(crm(shared, *args), (1, 2))
    assert snapshot(shared) == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01", "0001-01-01T00:00:00+14:00",
                                 "9999-12-31T23:59:59-12:00", "+99999y"])
def test_an_out_of_range_today_is_one_line(shared, day):
    assert_one_line(crm(shared, "--today", day, "today"), (1, 2), says=("--today",))


@pytest.mark.parametrize("months", ["99999999", "0", "-1", "1201"])
def test_forecast_months_out_of_range_is_one_line(shared, months):
    assert_one_line(crm(shared, "report", "forecast", "--months", months, timeout=30), (1, 2), says=("--months",))


@pytest.mark.parametrize("within", ["99999999y", "9" * 30 + "d", "10000d", "-1d"])
def test_remind_due_within_out_of_range_is_one_line(shared, within):
    assert_one_line(crm(shared, "remind", "due", "--within", within), (1, 2), says=("--within",))


@pytest.mark.parametrize("args", [
    ["remind", "add", "huaqiang", "x", "--every", "99999999y"],
    ["remind", "add", "huaqiang", "x", "--every", "FREQ=DAILY;INTERVAL=999999999"],
    ["remind", "add", "huaqiang", "x", "--due", "9999-12-31"],
    ["remind", "add", "huaqiang", "x", "--every", "1d", "--until", "0001-01-01"],
    ["log", "huaqiang", "call", "x", "--at", "0001-01-01"],
    ["log", "huaqiang", "call", "x", "--next", "y", "--due", "9999-12-31"],
    ["deal", "add", "huaqiang", "Evil deal", "--close", "9999-12-31"],
    ["contract", "new", "huaqiang", "--template", "nda", "--end", "9999-12-31"],
    ["customer", "edit", "huaqiang", "--set", "follow_up_every=99999999y"],
], ids=" ".join)
def test_an_out_of_range_date_or_interval_typed_is_one_line(shared, args):
    before = snapshot(shared)
    assert_one_line(crm(shared, *args), (1, 2))
    assert snapshot(shared) == before


# --------------------------------------------------------------------------- folders and files that cannot be read

def without_root_powers() -> tuple:
    """A prefix that runs a command without root's power to read anything: `setpriv` drops
    the capabilities that override file modes (as root, chmod 000 stops nothing)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None or subprocess.run([setpriv, "--bounding-set", "-dac_override,-dac_read_search", "true"],
                                         capture_output=True).returncode != 0:
        pytest.skip("running as root and cannot drop the capabilities that let root read a chmod 000 file")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


ONE_PROCESS = ("import json, sys; sys.path.insert(0, sys.argv[1]); from conftest import run_crm; "
               "print(json.dumps([vars(run_crm('--data-dir', sys.argv[2], *args)) for args in json.loads(sys.argv[3])]))")


def crm_in_one_process(root: Path, commands: list[list[str]], prefix: tuple) -> list[Run]:
    """`crm --data-dir ROOT` with each of `commands`, one after the other, in one process run
    with `prefix` (in this process without one): a Python of its own for each command made these
    the module's slowest tests, and what the prefix takes away holds for the whole process."""
    if not prefix:
        return [crm(root, *args) for args in commands]
    done = subprocess.run([*prefix, sys.executable, "-c", ONE_PROCESS, str(ROOT / "tests"), str(root), json.dumps(commands)],
                          capture_output=True, timeout=TIMEOUT * len(commands), cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return [Run(**result) for result in json.loads(done.stdout)]


@pytest.mark.parametrize("folder", ["interactions/2026/11", "suppliers", "orders/2026"])
def test_an_unreadable_folder_is_warned_about(shared, folder):
    prefix = without_root_powers()
    path = shared / folder
    path.chmod(0)
    try:
        reads = [["customer", "list"], ["today"], ["timeline"]]
        *results, check = crm_in_one_process(shared, [*reads, ["check"]], prefix)
        for args, result in zip(reads, results, strict=True):
            assert_clean(result)
            assert result.code == 0 and f"{folder}: " in result.err and "skipped" in result.err, (args, result.err)
        assert check.code == 1 and any(line.startswith(folder) for line in check.out.splitlines()), check.out
    finally:
        path.chmod(0o755)


def test_an_unreadable_file_is_no_longer_served_from_the_index(shared):
    prefix = without_root_powers()
    path = shared / "customers" / "huaqiang-dianzi.yaml"
    assert "深圳市华强电子有限公司" in crm(shared, "customer", "list", prefix=prefix).out
    path.chmod(0)
    try:
        reads = [["customer", "list"], ["search", "华强"]]
        *results, check = crm_in_one_process(shared, [*reads, ["check"]], prefix)
        for args, result in zip(reads, results, strict=True):
            assert_clean(result)
            assert "深圳市华强电子有限公司" not in result.out, args
            assert "customers/huaqiang-dianzi.yaml: " in result.err and "skipped" in result.err, result.err
        assert check.code == 1 and "customers/huaqiang-dianzi.yaml" in check.out, check.out
    finally:
        path.chmod(0o644)
