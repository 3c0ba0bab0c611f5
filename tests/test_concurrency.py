"""Concurrent writers lose nothing (issue 10, item 5).

Eight processes each make a run of mixed writes into one data directory: log a call, add
an order, pay one of two shared orders, tag one of two shared customers. Meanwhile a cron
job runs `crm remind due` over and over. Afterwards every write is there exactly once: no
interaction or order missing, no payment or tag lost to another process's update of the
same file. No writer gives up on the lock, with its default wait: writers take turns in
the order they came, and the wait counts from the last time the line moved (issue 16, item 7).

Each process loops over the in-process entry point (`crmcli.cli.run`), so 800 writes do not
cost 800 interpreter starts. CI runs 8 x 24 writes; `--runslow` the full 8 x 100.
"""

import multiprocessing
import time

from conftest import examples, run_crm

PROCESSES = 8
PARTIES = ["huaqiang", "muller-elektrotechnik"]


def _writer(root: str, worker: int, each: int, orders: list[str], results) -> None:
    failures = []
    for n in range(each):
        step, which = n % 4, (n // 4) % 2
        if step == 0:
            args = ["log", PARTIES[which], "call", f"w{worker} call {n}"]
        elif step == 1:
            args = ["order", "add", PARTIES[which], "--line", "Concurrent widget 1 @ 10", "--status", "confirmed",
                    "--note", f"w{worker} order {n}"]
        elif step == 2:
            args = ["pay", orders[which], "1", "--ref", f"w{worker}-{n}"]
        else:
            args = ["customer", "edit", PARTIES[which], "--add-tag", f"w{worker}n{n}"]
        result = run_crm("--data-dir", root, *args)
        if result.code != 0:
            failures.append((args, result.code, result.err))
    results.put((worker, failures))


def _cron(root: str, stop, results) -> None:
    """`crm remind due` as cron would run it, again and again until the writers are done."""
    runs, failures = 0, []
    while not stop.is_set() or runs == 0:
        result = run_crm("--data-dir", root, "remind", "due", "--within", "7d")
        runs += 1
        if result.code != 0:
            failures.append((result.code, result.err))
        time.sleep(0.05)
    results.put(("cron", failures))


def expected(first: int, each: int, which: int | None = None) -> list[int]:
    """The steps n of one worker that made the write starting at `first` (about party or order `which`)."""
    return [n for n in range(first, each, 4) if which is None or (n // 4) % 2 == which]


def test_eight_writers_and_a_cron_job_lose_nothing(demo, monkeypatch):
    monkeypatch.delenv("CRM_LOCK_WAIT", raising=False)
    each = examples(8, 100)
    orders = []
    for party in PARTIES:
        result = demo("order", "add", party, "--line", "Shared contract 1 @ 1000000", "--status", "confirmed")
        assert result.code == 0, result.err
        orders.append(result.out.strip())
    before = len(demo.files("interactions"))
    context = multiprocessing.get_context("fork")
    results, stop = context.Queue(), context.Event()
    cron = context.Process(target=_cron, args=(str(demo.root), stop, results))
    workers = [context.Process(target=_writer, args=(str(demo.root), w, each, orders, results))
               for w in range(PROCESSES)]
    cron.start()
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=900) for _ in workers]
    stop.set()
    outcomes.append(results.get(timeout=120))
    for process in [*workers, cron]:
        process.join(timeout=60)
    assert all(not failures for _, failures in outcomes), [o for o in outcomes if o[1]]

    calls = [demo.read(p.relative_to(demo.root).as_posix())["summary"] for p in demo.files("interactions")]
    assert sorted(c for c in calls if c.startswith("w")) == sorted(
        f"w{w} call {n}" for w in range(PROCESSES) for n in expected(0, each))
    assert len(calls) == before + PROCESSES * len(expected(0, each))

    order_files = [demo.read(p.relative_to(demo.root).as_posix()) for p in demo.files("orders")]
    notes = [o.get("notes") for o in order_files if str(o.get("notes", "")).startswith("w")]
    assert sorted(notes) == sorted(f"w{w} order {n}" for w in range(PROCESSES) for n in expected(1, each))

    paid = {o["id"]: sorted(p.get("ref") for p in o["payments"]) for o in order_files if o["id"] in orders}
    for which, order in enumerate(orders):  # no payment lost to another process's update of the order
        assert paid[order] == sorted(f"w{w}-{n}" for w in range(PROCESSES) for n in expected(2, each, which))
    for which, party in enumerate(PARTIES):  # no tag lost to another process's edit of the party
        [record] = [demo.read(p.relative_to(demo.root).as_posix()) for p in demo.files("customers")
                    if p.stem.startswith(party)]
        added = {tag for tag in record.get("tags", []) if tag.startswith("w")}
        assert added == {f"w{w}n{n}" for w in range(PROCESSES) for n in expected(3, each, which)}

    assert not list(demo.root.rglob(".crm-tmp-*"))
    check = demo("check")
    assert check.code == 0, check.out
    assert len(demo("timeline", "--format", "json").json()) == len(calls)
    assert len(demo("order", "list", "--format", "json").json()) == sum(o["kind"] == "sale" for o in order_files)
    assert run_crm("--data-dir", demo.root, "remind", "due").code == 0


def test_an_edit_in_the_editor_does_not_undo_a_change_made_meanwhile(demo, tmp_path, monkeypatch):
    """`crm customer edit huaqiang` opens $EDITOR; while it is open another process tags the
    customer. Saving the edit would undo that tag, so it is refused and the tag stays."""
    import sys

    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\n{sys.executable} -m crmcli --data-dir '{demo.root}' customer edit huaqiang "
                      "--add-tag meanwhile >/dev/null\n"
                      "sed -i 's/^industry: .*/industry: edited-by-hand/' \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    result = demo("customer", "edit", "huaqiang")
    assert result.code == 1 and "changed by another process" in result.err, (result.code, result.err)
    record = demo.read("customers/huaqiang-dianzi.yaml")
    assert "meanwhile" in record["tags"] and record["industry"] != "edited-by-hand"
