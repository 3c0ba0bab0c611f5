"""The benchmark's generated data directory (tests/benchmarks/generate.py) is data crm itself
accepts: `crm check` finds no problem in it (tax ids carry their check characters, EINs a
campus prefix the IRS uses), and the same seed writes the same files."""

import hashlib
import runpy
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_crm

GENERATOR = ROOT / "tests" / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate():
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        return runpy.run_path(str(GENERATOR))["generate"]
    finally:
        sys.path.remove(str(GENERATOR.parent))


def digest(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_crm_check_finds_no_problem_in_generated_data(generate, tmp_path):
    generate(tmp_path / "gen", 1000)
    result = run_crm("--data-dir", tmp_path / "gen", "check")
    assert result.code == 0, result.err
    assert (result.out + result.err).strip() == "no problems found"


def test_the_same_seed_writes_the_same_files(generate, tmp_path):
    generate(tmp_path / "one", 200, seed=3)
    generate(tmp_path / "two", 200, seed=3)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
