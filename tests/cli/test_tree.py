"""The command tree is loaded a module at a time: `crm today` runs without the import/export
machinery or the heavy libraries only some commands need (issue 21: start-up)."""

import json
import os
import subprocess
import sys

import pytest
import typer

from crmcli.cli import command_tree
from crmcli.cli.app import APP_SETTINGS, COMMANDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ["pypinyin", "rapidfuzz", "jsonschema", "openpyxl", "icalendar", "vobject", "jinja2", "babel",
         "crmcli.io.exports", "crmcli.io.importer", "crmcli.cli.imports", "crmcli.cli.exports"]


def test_the_table_of_commands_is_what_the_modules_register():
    registered = {}
    for module in dict.fromkeys(COMMANDS.values()):
        app = typer.Typer(**APP_SETTINGS)
        __import__(f"crmcli.cli.{module}", fromlist=["register"]).register(app)
        registered.update(dict.fromkeys(typer.main.get_group(app).commands, module))
    assert registered == COMMANDS


def test_every_command_of_the_table_is_found():
    tree = command_tree(with_help=False)
    assert all(tree.get_command(None, name) is not None for name in COMMANDS)


def _fresh_process(script: str, *args: str):
    """What a fresh Python running `script` with ARGS prints as JSON on its last line."""
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": ROOT})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded_after(*args: str) -> set[str]:
    """The modules a fresh process has imported by running `crm ARGS`: not those there before it
    starts (a coverage run's tracer, started with the interpreter, brings pickle and random)."""
    script = ("import sys\nbefore = set(sys.modules)\nimport json\nfrom crmcli.cli import run\n"
              "code = run(sys.argv[1:])\nprint(json.dumps([code, sorted(set(sys.modules) - before)]))")
    code, modules = _fresh_process(script, *args)
    assert code == 0
    return set(modules)


def test_today_loads_no_heavy_library_and_no_import_export_code(demo):
    loaded = _loaded_after("--data-dir", str(demo.root), "today")
    assert not [name for name in HEAVY if name in loaded]


def test_a_chinese_name_gets_its_pinyin_without_pypinyins_phrase_dictionary(empty):
    """The first Chinese name makes the pinyin table in the user's cache (model/pinyin.py); later
    ones read it, and pypinyin's 2.5 MB phrase dictionary (about 190 ms) stays unloaded."""
    _loaded_after("--data-dir", str(empty.root), "customer", "add", "华强电子")
    loaded = _loaded_after("--data-dir", str(empty.root), "customer", "add", "重庆火锅")
    assert "crmcli.model.pinyin" in loaded and "pypinyin.phrases_dict" not in loaded
    assert (empty.root / "customers" / "huaqiang-dianzi.yaml").is_file()
    assert (empty.root / "customers" / "chongqing-huoguo.yaml").is_file()


def test_a_run_reads_crm_yaml_once(demo):
    """The language is chosen before the command line is parsed (help must be in it), from
    crm.yaml's locale; the data directory then opens with the settings already read."""
    script = ("import sys\nfrom crmcli.cli import run\nreads = []\n"
              "sys.addaudithook(lambda event, args: reads.append(args[0]) if event == 'open' and "
              "str(args[0]).endswith('crm.yaml') else None)\n"
              "code = run(sys.argv[1:])\nprint(code, len(reads))")
    done = subprocess.run([sys.executable, "-c", script, "--data-dir", str(demo.root), "today"], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.stdout.strip().splitlines()[-1] == "0 1"


def test_listing_the_commands_loads_none_of_them(tmp_path, monkeypatch):
    """`crm --help` lists every command from their summaries (crmcli/cli/listing.py); it used to
    build them all, importing every command module (about 150 ms)."""
    monkeypatch.chdir(tmp_path)  # no data directory is found from here
    loaded = _loaded_after("--help")
    assert not [f"crmcli.cli.{module}" for module in set(COMMANDS.values()) if f"crmcli.cli.{module}" in loaded]
    assert "crmcli.store.repo" not in loaded


def test_a_search_answered_from_the_index_reads_no_yaml(demo):
    """crm.yaml, once parsed and validated, is remembered with its stamp in the user's cache
    (store/config.py), and the index answers the search: PyYAML is not even imported."""
    first = _loaded_after("--data-dir", str(demo.root), "search", "zanzibar")
    again = _loaded_after("--data-dir", str(demo.root), "search", "zanzibar")
    assert "crmcli.store.codec" in first and "yaml" not in again


NEEDED_BY_FEW = ["pyrage", "crmcli.store.sealing", "pickle", "random", "tempfile", "importlib.resources", "html",
                 "csv", "jsonschema", "crmcli.model.taxids", "crmcli.model.recurrence", "dateutil.rrule"]
"""Modules that only some commands need (sealing or opening a value, writing, a tax id, a repeat
rule, html or csv output, words for a record that fails its schema), yet once were loaded by every
one (issue 21)."""


def test_a_warm_search_loads_none_of_what_few_commands_need(demo):
    _loaded_after("--data-dir", str(demo.root), "search", "zanzibar")
    loaded = _loaded_after("--data-dir", str(demo.root), "search", "zanzibar")
    assert "crmcli.store.index" in loaded
    # nor a cadence's relativedelta, nor what only `party:` and `tier:` ask (names, the sales tiers)
    assert not [name for name in [*NEEDED_BY_FEW, "dateutil.relativedelta", "crmcli.query.resolve",
                                  "crmcli.query.sales"] if name in loaded]


def test_the_reminders_digest_loads_neither_repeat_rules_nor_the_query_language(demo):
    _loaded_after("--data-dir", str(demo.root), "remind", "due", "--within", "1d")
    loaded = _loaded_after("--data-dir", str(demo.root), "remind", "due", "--within", "1d")
    assert "crmcli.actions.reminders" in loaded
    assert not [name for name in [*NEEDED_BY_FEW, "crmcli.query.search", "crmcli.query.parse"] if name in loaded]


@pytest.mark.parametrize("command", [["search", "zanzibar"], ["today"], ["remind", "due", "--within", "1d"],
                                     ["ledger", "--by", "customer,month"], ["log", "huaqiang", "call", "pricing agreed"],
                                     ["customer", "add", "张三丰贸易有限公司"]])
def test_the_daily_commands_define_no_dataclass_as_they_load(demo, command):
    """Defining a dataclass runs code generated for it, about half a millisecond each: eleven
    of them were 7 ms of every search (issue 21). What these commands load defines named tuples
    and plain classes instead."""
    script = ("import dataclasses, json, sys\nfrom crmcli.cli import run\ncode = run(sys.argv[1:])\n"
              "made = sorted(f'{name}.{attr}' for name, module in list(sys.modules.items()) if name.startswith('crmcli')"
              " for attr, value in vars(module).items()"
              " if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name)\n"
              "print(json.dumps([code, made]))")
    assert _fresh_process(script, "--data-dir", str(demo.root), *command) == [0, []]


def _collector_after(demo, held: bool) -> tuple[int, bool, int]:
    """(exit code, whether the cycle collector runs, how many objects it has frozen) once a
    fresh process has run `crm today` as the `crm` command does (`held`) or as `run` alone."""
    hold = "hold_collector()\n" if held else ""
    script = ("import gc, json, sys\nfrom crmcli.cli import run\nfrom crmcli.cli.startup import hold_collector\n" + hold +
              "code = run(sys.argv[1:])\nprint(json.dumps([code, gc.isenabled(), gc.get_freeze_count()]))")
    code, enabled, frozen = _fresh_process(script, "--data-dir", str(demo.root), "today")
    return code, enabled, frozen


def test_the_crm_command_freezes_what_start_up_made_and_runs_the_collector_for_the_rest(demo):
    code, enabled, frozen = _collector_after(demo, held=True)
    assert code == 0 and enabled and frozen > 10_000


def test_run_alone_leaves_the_collector_as_it_was(demo):
    """Tests and library users call `run` many times in one process: nothing of theirs is frozen."""
    assert _collector_after(demo, held=False) == (0, True, 0)
