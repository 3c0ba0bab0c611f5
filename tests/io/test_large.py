"""Large files stream: a bad row at the end of a big CSV is one line with its row number,
nothing is written, and the memory a run needs does not grow with the file. The 200 MB
version runs with --runslow; CI runs a 2 MB one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmcli.io.imports import Reading, import_table

measured = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")

MAPPING = "who=party,when=at,what=summary,kind=type,body=body"
MEASURE = ("import sys\n"
           "from crmcli.cli import run\n"
           "code = run(sys.argv[1:])\n"
           "peak = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')][0].split()[1]\n"
           "print('peak-kb', peak, file=sys.stderr)\n"
           "sys.exit(code)\n")
"""Peak memory from /proc (VmHWM): getrusage's ru_maxrss survives exec on Linux, so a child of
a big pytest process would report pytest's own peak."""


def interactions_csv(path: Path, size: int) -> int:
    """Calls with 华强, about `size` bytes, and a last row whose date is not a date; returns
    that row's number."""
    row = "huaqiang-dianzi,2026-{month:02d}-{day:02d} 10:{minute:02d},Call {n} about the 2027 prices,call," \
          "Notes of call {n}: volumes; samples of CAB-07 and a visit in spring\n"
    number = 1
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("who,when,what,kind,body\n")
        written = 0
        while written < size:
            text = row.format(month=1 + number % 12, day=1 + number % 28, minute=number % 60, n=number)
            handle.write(text)
            written += len(text.encode())
            number += 1
        handle.write("huaqiang-dianzi,the day after tomorrow-ish,Last call,call,\n")
    return number + 1


def run_measured(data, *args) -> tuple[subprocess.CompletedProcess, int]:
    result = subprocess.run([sys.executable, "-c", MEASURE, "--data-dir", str(data.root), *map(str, args)],
                            capture_output=True, text=True, env={**os.environ, "CRM_TODAY": "2026-11-22"})
    peak = int(result.stderr.rsplit("peak-kb", 1)[1].split()[0])
    return result, peak


DEMO_CALLS = len(list((Path(__file__).resolve().parents[2] / "examples/demo/interactions").rglob("*.yaml")))


def untouched(data) -> None:
    assert len(data.files("interactions")) == DEMO_CALLS
    assert not [p for p in data.root.rglob(".crm-tmp-*")]


def check_big_file(demo, tmp_path, size: int) -> int:
    path = tmp_path / "calls.csv"
    last = interactions_csv(path, size)
    result, peak = run_measured(demo, "import", "csv", path, "--kind", "interaction", "--map", MAPPING)
    assert result.returncode == 1
    message = result.stderr.splitlines()[0]
    assert message.startswith(f"crm: calls.csv: row {last}: at: invalid date 'the day after tomorrow-ish'")
    untouched(demo)
    return peak


@measured
def test_a_bad_last_row_of_a_big_file(demo, tmp_path):
    run_measured(demo, "check")
    peak = check_big_file(demo, tmp_path, 2_000_000)
    assert peak < 150_000


@measured
@pytest.mark.slow
def test_a_200_mb_file_streams_in_flat_memory(demo, tmp_path):
    run_measured(demo, "check")
    small = check_big_file(demo, tmp_path, 2_000_000)
    large = check_big_file(demo, tmp_path, 200_000_000)
    assert large - small < 20_000, (small, large)


def test_progress_covers_both_passes(demo, tmp_path):
    path = tmp_path / "calls.csv"
    interactions_csv(path, 50_000)
    path.write_text(path.read_text().rsplit("huaqiang-dianzi,the day", 1)[0])
    steps = []
    from crmcli import open_repo

    repo = open_repo(demo.root)
    outcome = import_table(repo, path, "interaction", Reading(), mapping_text=MAPPING,
                           progress=lambda done, total: steps.append((done, total)))
    assert outcome.counts["create"] > 300
    total = 2 * path.stat().st_size
    assert {t for _, t in steps} == {total} and sum(d for d, _ in steps) == total
    assert len(demo.files("interactions")) == DEMO_CALLS + outcome.counts["create"]
