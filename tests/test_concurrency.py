"""Concurrent writers lose nothing: 8 processes each log 50 interactions into one data directory."""

import multiprocessing

from conftest import run_crm

PROCESSES = 8
EACH = 50


def _writer(root: str, worker: int, results) -> None:
    failures = []
    for n in range(EACH):
        party = ["huaqiang", "muller-elektrotechnik", "jinglian-xianlan", "northwind-robotics"][n % 4]
        result = run_crm("--data-dir", root, "log", party, "call", f"worker {worker} call {n}")
        if result.code != 0:
            failures.append(result.err)
    results.put((worker, failures))


def test_eight_concurrent_writers(demo):
    before = len(demo.files("interactions"))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_writer, args=(str(demo.root), w, results)) for w in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(not failures for _, failures in outcomes), outcomes
    files = demo.files("interactions")
    assert len(files) == before + PROCESSES * EACH
    summaries = {demo.read(p.relative_to(demo.root).as_posix())["summary"] for p in files}
    assert all(f"worker {w} call {n}" in summaries for w in range(PROCESSES) for n in range(EACH))
    assert not list(demo.root.rglob(".crm-tmp-*"))
    check = demo("check")
    assert check.code == 0, check.out
    assert len(demo("timeline", "--format", "json").json()) == before + PROCESSES * EACH
