"""Times whole `crm` processes on generated data directories and prints one table (GUIDE.md §8).

    python tests/benchmarks/bench.py [--sizes 10000,100000] [--workdir /tmp/crm-bench] [--repeat 5]
    python tests/benchmarks/bench.py --sizes 1000000 --repeat 3     # the 1M point of the curve

For each size it generates (or reuses, or completes after an interruption) a data
directory with generate.py, puts it in git (`git.autocommit` on, for the `crm log` row
that commits), then runs each operation once untimed (to warm the index, the watcher and
the file cache) and `--repeat` times timed, reporting the median wall time and the peak
memory (max RSS) of the crm process. Whole processes are timed because start-up
(imports, the index freshness check) is most of what a user waits for. Each search row
times `rg -l WORD` over the same folder in the same run and shows crm's time as a
multiple of it; with more than one size, each row shows how its time grows: the exponent
k of time ∝ records^k between two sizes (0: flat, 1: linear). It measures and never
asserts: the exit status is 0 even over budget. A command that is a usage error (exit 2,
e.g. one that does not exist yet) shows `n/a`.

Peak memory comes from os.wait4. Linux carries the parent's high-water mark into a
child through fork and exec, so no child can show less than this script's own peak;
that is why this script imports only the standard library until it prints (about
15 MB), runs the generator as a separate process, and prints that floor.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TODAY = "2026-11-22"
COMMON, RARE = "price", "zanzibar"  # generate.py puts `price` in many interactions, `zanzibar` in one
CHINESE_NAME = "张三丰贸易有限公司"
USAGE_ERROR = 2
INTERACTION_ID = re.compile(r"\bIN-\d{8}-[0-9A-Z]{4}\b")


@dataclass
class Run:
    """One finished process."""

    seconds: float
    peak_mb: float
    returncode: int
    cpu: float  # user + system seconds of the process and the children it waited for
    stdout: str
    stderr: str


@dataclass
class Operation:
    """A row of the table: the command forms to try in order, and what GUIDE.md §8 allows."""

    label: str
    variants: list[list[str]]
    budget: str = "—"
    reference: list[str] | None = None  # `rg -l WORD DIR`, timed beside a search
    env: dict[str, str] | None = None  # on top of the benchmark's environment
    ok_codes: tuple[int, ...] = (0,)
    prepare: Callable[[], None] | None = None  # before every run, e.g. drop the index
    cleanup: Callable[[Run], None] | None = None  # after every run, e.g. remove what it wrote
    warm_up: bool = True  # an untimed first run; off when every run must start cold


@dataclass
class Measure:
    """What one operation measured at one size: median seconds and peak MB, or why not."""

    seconds: float | None = None
    peak_mb: float | None = None
    cpu: float | None = None  # median CPU seconds: steadier than wall time on a busy machine
    note: str = ""  # why there is no time
    failed: bool = False  # an error, not a command that does not exist yet
    fallback: str = ""  # the command measured instead of the first form, which was a usage error


def crm_command() -> list[str]:
    """The crm of this Python's environment, else the one on PATH, else `python -m crmcli`."""
    beside = Path(sys.executable).with_name("crm")
    if beside.exists():
        return [str(beside)]
    on_path = shutil.which("crm")
    return [on_path] if on_path else [sys.executable, "-m", "crmcli"]


def environment() -> dict[str, str]:
    """The caller's environment, pinned to the day the data was generated for, without colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("CRM_DIR", "CRM_DEBUG", "PYTHONDONTWRITEBYTECODE")}
    env.update(CRM_TODAY=TODAY, NO_COLOR="1")  # bytecode is written and used, as for an installed crm
    for name in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{name}_NAME", "Bench")
        env.setdefault(f"GIT_{name}_EMAIL", "bench@example.com")
    return env


def run(argv: list[str], env: dict[str, str], keep_stdout: bool = False) -> Run:
    """Run one process to the end; os.wait4 gives its own max RSS, not the benchmark's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out if keep_stdout else subprocess.DEVNULL,
                                   stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; stop Popen waiting again
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode, usage.ru_utime + usage.ru_stime,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def timed(op: Operation, argv: list[str], env: dict[str, str]) -> Run:
    """One run with the operation's set-up and clean-up around it, so every run sees the same data."""
    if op.prepare:
        op.prepare()
    result = run(argv, {**env, **(op.env or {})}, keep_stdout=op.cleanup is not None)
    if op.cleanup:
        op.cleanup(result)
    return result


def measure(op: Operation, repeat: int, env: dict[str, str]) -> Measure:
    """The first command form that is not a usage error, run `repeat` times; n/a if none is."""
    for argv in op.variants:
        first = timed(op, argv, env)
        if first.returncode == USAGE_ERROR:
            continue
        runs = [first] if not op.warm_up else []
        runs += [timed(op, argv, env) for _ in range(repeat - len(runs))]
        failed = next((r for r in [first] + runs if r.returncode not in op.ok_codes), None)
        if failed:
            last_line = (failed.stderr.strip().splitlines() or ["(no message)"])[-1]
            return Measure(note=f"exit {failed.returncode}: {last_line}", failed=True)
        fallback = ("" if argv is op.variants[0]
                    else f"measured `{shown(argv)}`: `{shown(op.variants[0])}` is a usage error")
        return Measure(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs),
                       statistics.median(r.cpu for r in runs), fallback=fallback)
    return Measure(note="n/a: exit 2, a usage error (no such command or option yet)" if op.variants else "n/a")


def operations(data: Path, state: Path, initial: str) -> list[Operation]:
    """The rows, in the order they run: the cold build first, as it leaves a warm index behind."""
    crm = crm_command() + ["--data-dir", str(data)]
    party = min(p.stem for p in (data / "customers").glob("*.yaml"))
    rg = shutil.which("rg")

    def drop_index() -> None:
        shutil.rmtree(state, ignore_errors=True)

    def remove_logged(result: Run) -> None:
        """Keep the data the same for every run: delete the interaction `crm log` just wrote."""
        for found in INTERACTION_ID.findall(result.stdout):
            for path in data.glob(f"interactions/*/*/{found}.yaml"):
                path.unlink()

    def undo_commit(result: Run) -> None:
        """Back to the generated commit: the logged interaction and its commit go."""
        subprocess.run(["git", "-C", str(data), "reset", "-q", "--hard", initial], check=True)

    def remove_added(result: Run) -> None:
        for ref in result.stdout.split():
            (data / "customers" / f"{ref}.yaml").unlink(missing_ok=True)

    def search(*words: str, reference: str | None = None, label: str = "", **extra) -> Operation:
        return Operation(label or f"crm search {' '.join(words)}", [crm + ["search", *words]],
                         "≤ 0.12 s / ≤ 0.20 s", reference=[rg, "-l", reference, str(data)] if rg and reference else None,
                         **extra)

    return [
        Operation("cold index build", [crm + ["reindex"], crm + ["customer", "list", "--format", "json"]],
                  "≤ 3 s / ≤ 25 s", prepare=drop_index, warm_up=False),
        search(COMMON, reference=COMMON), search(RARE, reference=RARE), search("kind:customer", "tag:vip"),
        search("张伟", reference="张伟"), search("zhangwei", reference="zhangwei"),
        search(COMMON, reference=COMMON, label=f"crm search {COMMON} (no watcher: every file lstat'ed)",
               env={"CRM_WATCH": "0"}),
        Operation("crm log PARTY call … (--no-commit)", [crm + ["--no-commit", "log", party, "call", "bench"]],
                  "≤ 0.3 s / ≤ 0.5 s", cleanup=remove_logged),
        Operation("crm log PARTY call … (git autocommit)", [crm + ["log", party, "call", "bench"]],
                  "≤ 0.25 s / ≤ 0.4 s", cleanup=undo_commit),
        Operation(f"crm customer add {CHINESE_NAME}", [crm + ["--no-commit", "customer", "add", CHINESE_NAME]],
                  "≤ 0.3 s / ≤ 0.4 s", cleanup=remove_added),
        Operation("crm customer list 'tag:vip'",
                  [crm + ["customer", "list", "tag:vip"], crm + ["customer", "list", "--tag", "vip"]]),
        Operation("crm show PARTY", [crm + ["show", party]]),
        Operation("crm timeline PARTY", [crm + ["timeline", party]]),
        Operation("crm today", [crm + ["today"]], "≤ 0.15 s / ≤ 0.35 s"),
        Operation("crm remind due --within 1d", [crm + ["remind", "due", "--within", "1d"]], "≤ 0.15 s / ≤ 0.35 s"),
        Operation("crm ledger --by customer,month", [crm + ["ledger", "--by", "customer,month"]],
                  "≤ 0.2 s / ≤ 0.5 s"),
        Operation("crm report receivables", [crm + ["report", "receivables"]]),
        Operation("crm check", [crm + ["check"]], ok_codes=(0, 1)),
        Operation("crm --version", [crm_command() + ["--version"]], "≤ 0.15 s / ≤ 0.15 s"),
    ]


def state_folder(data: Path) -> Path:
    """Where crm keeps the index of `data` (asked of crm itself, in a child: see the docstring on memory)."""
    found = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                            "from crmcli.store.state import state_dir; print(state_dir(Path(sys.argv[1])))",
                            str(data)], capture_output=True, text=True, check=True)
    return Path(found.stdout.strip())


def versioned(data: Path, env: dict[str, str]) -> str:
    """Put the data directory in git once, with `git.autocommit` on; returns the commit."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(data), *args], capture_output=True, text=True, check=True,
                              env=env).stdout.strip()

    if not (data / ".git").exists():
        config = data / "crm.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("autocommit: false", "autocommit: true"),
                          encoding="utf-8")
        print(f"committing {data} to git …", file=sys.stderr)
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-q", "-m", "generated data")
    return git("rev-parse", "HEAD")


def data_directory(workdir: Path, size: int, seed: int) -> tuple[Path, str]:
    """The generated directory for this size and seed, made now unless a complete one exists."""
    target = workdir / f"crm-{size}-seed{seed}"
    if target.exists():
        return target, f"{size:,} records: reused {target}"
    partial = target.with_name(target.name + ".partial")  # an interrupted run's is completed, not redone
    print(f"generating {size:,} records in {target} …", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(partial),
                    "--records", str(size), "--seed", str(seed), "--resume"], check=True)
    partial.rename(target)  # only a finished directory gets the name that is reused
    return target, f"{size:,} records: generated in {time.perf_counter() - started:.1f} s"


def cell(found: Measure) -> str:
    """`0.123 s`; `n/a` for a command that does not exist yet; `error` for one that failed (see the notes)."""
    return "error" if found.failed else "n/a" if found.seconds is None else f"{found.seconds:.3f} s"


def cpu(found: Measure) -> str:
    return "" if found.cpu is None else f"{found.cpu:.2f}"


def megabytes(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def shown(argv: list[str]) -> str:
    """A command as a reader would type it: `crm customer list --tag vip`."""
    return " ".join(["crm"] + argv[argv.index("--data-dir") + 2:]) if "--data-dir" in argv else " ".join(argv)


def ratio(found: Measure, reference: Measure | None) -> str:
    """crm's time as a multiple of ripgrep's: `0.4×` is 2.5 times faster than rg."""
    if reference is None or found.seconds is None or reference.seconds is None:
        return ""
    return f"{found.seconds / reference.seconds:.2f}×"


def growth(sizes: list[int], measures: list[Measure]) -> str:
    """The exponent k of time ∝ records^k between each pair of consecutive sizes."""
    steps = []
    for i in range(len(sizes) - 1):
        before, after = measures[i].seconds, measures[i + 1].seconds
        steps.append(f"{math.log(after / before) / math.log(sizes[i + 1] / sizes[i]):.2f}"
                     if before and after else "n/a")
    return " → ".join(steps)


def table(sizes: list[int], ops: list[Operation], results: dict[int, dict[str, Measure]],
          references: dict[int, dict[str, Measure]]) -> str:
    """Rows = operations; per size the time, peak MB and (searches) the multiple of rg's time;
    the growth exponents; the targets (10k / 100k) beside."""
    from tabulate import tabulate  # imported late: see the module docstring on peak memory

    headers = ["operation", "target 10k / 100k"]
    for size in sizes:
        headers += [f"{size:,}", "cpu s", "peak MB", "÷ rg -l"]
    if len(sizes) > 1:
        headers.append("growth k (" + " → ".join(f"{size // 1000}k" for size in sizes) + ")")
    rows = []
    for op in ops:
        row = [op.label, op.budget]
        for size in sizes:
            found = results[size][op.label]
            row += [cell(found), cpu(found), megabytes(found.peak_mb), ratio(found, references[size].get(op.label))]
        if len(sizes) > 1:
            row.append(growth(sizes, [results[size][op.label] for size in sizes]))
        rows.append(row)
    memory_row = ["peak memory (any crm command)", "≤ 80 MB / ≤ 150 MB"]
    for size in sizes:
        peaks = [m.peak_mb for m in results[size].values() if m.peak_mb is not None]
        memory_row += ["", "", megabytes(max(peaks)) if peaks else "", ""]
    rg_rows = []
    for op in ops:
        if op.reference and not op.env:  # a row that differs only in its environment has the same reference
            rg_row = [f"  reference: rg -l {op.reference[2]}", ""]
            for size in sizes:
                rg_row += [cell(references[size][op.label]), cpu(references[size][op.label]), "", ""]
            if len(sizes) > 1:
                rg_row.append(growth(sizes, [references[size][op.label] for size in sizes]))
            rg_rows.append(rg_row)
    if len(sizes) > 1:
        memory_row.append("")
    return tabulate(rows + rg_rows + [memory_row], headers, tablefmt="github", disable_numparse=True)


def notes(sizes: list[int], ops: list[Operation], results: dict[int, dict[str, Measure]]) -> list[str]:
    """Why a cell is n/a or an error, and which command form a row fell back to."""
    lines = []
    for size in sizes:
        for op in ops:
            found = results[size][op.label]
            if found.note or found.fallback:
                lines.append(f"{size:,} · {op.label}: {found.note or found.fallback}")
    if not shutil.which("rg"):
        lines.append("ripgrep is not installed, so there is no reference time: apt-get install ripgrep")
    return lines


def import_times(command: list[str], env: dict[str, str], runs: int = 3, top: int = 10) -> str:
    """What start-up imports cost in one `command` (issue 21): Python's `-X importtime`, asked for
    through PYTHONPROFILEIMPORTTIME so that it works for the `crm` script too, the least of `runs`
    runs for each module. The total of the top-level imports, then the `top` dearest modules
    imported at the top or one level down (cumulative ms, self ms in brackets)."""
    least: dict[str, tuple[int, int, int]] = {}  # module -> (cumulative µs, self µs, depth)
    for _ in range(runs):
        done = subprocess.run(command, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "[us]" in line:
                continue
            own, cumulative, name = line.removeprefix("import time:").split("|")
            depth = (len(name) - len(name.lstrip()) - 1) // 2
            found = (int(cumulative), int(own), depth)
            module = name.strip()
            least[module] = min(least.get(module, found), found)
    total = sum(cumulative for cumulative, _own, depth in least.values() if depth == 0)
    dearest = sorted(((cumulative, own, module) for module, (cumulative, own, depth) in least.items() if depth <= 1),
                     reverse=True)[:top]
    return f"{total / 1000:.0f} ms of imports; " + ", ".join(
        f"{module} {cumulative / 1000:.0f} ({own / 1000:.0f})" for cumulative, own, module in dearest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="record counts, comma-separated")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/crm-bench"), help="where data directories live")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per operation (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    env = environment()
    results: dict[int, dict[str, Measure]] = {}
    references: dict[int, dict[str, Measure]] = {}
    made = []
    folders = {}
    for size in sizes:
        data, how = data_directory(args.workdir, size, args.seed)
        folders[size] = data
        made.append(how)
        ops = operations(data, state_folder(data), versioned(data, env))
        results[size], references[size] = {}, {}
        for op in ops:
            print(f"{size:,}: {op.label} …", file=sys.stderr)
            results[size][op.label] = measure(op, args.repeat, env)
            if op.reference:
                references[size][op.label] = measure(Operation("rg", [op.reference], ok_codes=(0, 1)), args.repeat,
                                                     env)
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(table(sizes, ops, results, references))
    print()
    for line in made + notes(sizes, ops, results):
        print(f"- {line}")
    print(f"- median of {args.repeat} runs after one untimed warm-up run (the cold build: {args.repeat} cold runs); "
          f"CRM_TODAY={TODAY}; crm = {' '.join(crm_command())}")
    print(f"- load average when done: {' '.join(f'{load:.2f}' for load in os.getloadavg())} "
          f"(on {os.cpu_count()} cores; other work on the machine makes every time longer)")
    print(f"- peak MB cannot read lower than this script's own peak, {floor:.0f} MB (see bench.py's docstring)")
    search = crm_command() + ["--data-dir", str(folders[sizes[0]]), "search", RARE]
    print(f"- start-up of `crm search {RARE}` at {sizes[0]:,} (python -X importtime, least of 3 runs): "
          f"{import_times(search, env)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
