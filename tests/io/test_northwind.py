"""The Northwind migration: examples/northwind/import.sh into a new data directory, then the
ledger's totals per year and per owner against sums computed here from the CSV files."""

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "northwind" / "import.sh"
NORTHWIND = (ROOT / ".." / "shared" / "datasets" / "northwind").resolve()

pytestmark = pytest.mark.skipif(not (NORTHWIND / "orders.csv").is_file(),
                                reason=f"the Northwind dataset is not at {NORTHWIND}")


def rows(name: str) -> list[dict]:
    with open(NORTHWIND / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_nets() -> tuple[dict, dict]:
    """Net sales per year and per salesperson: each order's lines summed exactly, the order
    rounded half up to cents once (as crm does), then added."""
    owners = {e["employeeID"]: e["lastName"].lower() for e in rows("employees")}
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for line in rows("order_details"):
        gross = Decimal(line["unitPrice"]) * Decimal(line["quantity"])
        exact[line["orderID"]] += gross * (1 - Decimal(line["discount"]))
    by_year: dict[str, Decimal] = defaultdict(Decimal)
    by_owner: dict[str, Decimal] = defaultdict(Decimal)
    for order in rows("orders"):
        net = exact[order["orderID"]].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        by_year[order["orderDate"][:4]] += net
        by_owner[owners[order["employeeID"]]] += net
    return dict(by_year), dict(by_owner)


def crm(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(data), *args],
                          capture_output=True, text=True, env={**os.environ, "CRM_TODAY": "2026-11-22"})


def ledger(data: Path, by: str) -> dict[str, Decimal]:
    result = crm(data, "ledger", "--by", by, "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout, parse_float=Decimal)
    assert list(payload["currencies"]) == ["USD"]
    return {row[by]: row["net"] for row in payload["currencies"]["USD"]["rows"]}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    data = tmp_path_factory.mktemp("northwind") / "crm"
    wrapper = data.parent / "crm-bin"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -m crmcli \"$@\"\n")
    wrapper.chmod(0o755)
    result = subprocess.run([str(SCRIPT), str(data), str(NORTHWIND)], capture_output=True, text=True,
                            env={**os.environ, "CRM": str(wrapper), "CRM_DIR": "", "CRM_TODAY": "2026-11-22"})
    assert result.returncode == 0, result.stdout + result.stderr
    return data, result


def test_the_migration_imports_everything_and_check_is_clean(migrated):
    data, result = migrated
    assert "no problems found" in result.stderr
    assert len(list((data / "customers").glob("*.yaml"))) == len(rows("customers")) == 91
    assert len(list((data / "suppliers").glob("*.yaml"))) == 29
    assert len(list((data / "products").glob("*.yaml"))) == 77
    assert len(list((data / "orders").rglob("*.yaml"))) == 830
    check = crm(data, "check")
    assert check.returncode == 0 and check.stdout == "" and "no problems found" in check.stderr


def test_ledger_totals_per_year_and_owner_match_the_csv_files(migrated):
    data, _ = migrated
    by_year, by_owner = expected_nets()
    assert ledger(data, "year") == by_year
    assert ledger(data, "owner") == by_owner
    assert sum(by_year.values()) == Decimal("1265793.22")


def test_a_second_run_of_the_imports_changes_nothing(migrated):
    data, _ = migrated
    mappings = SCRIPT.parent
    result = crm(data, "--format", "json", "import", "csv", str(NORTHWIND / "orders.csv"), "--kind", "order",
                 "--map", str(mappings / "orders.yaml"), "--lines", str(NORTHWIND / "order_details.csv"),
                 "--join", "orderID")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["create"], summary["update"], summary["unchanged"]) == (0, 0, 830)
    customers = crm(data, "--format", "json", "import", "csv", str(NORTHWIND / "customers.csv"), "--kind", "customer",
                    "--map", str(mappings / "customers.yaml"))
    assert json.loads(customers.stdout)["unchanged"] == 91


def test_the_script_fails_clearly_without_the_dataset(tmp_path):
    result = subprocess.run([str(SCRIPT), str(tmp_path / "crm"), str(tmp_path / "nowhere")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"{tmp_path}/nowhere/customers.csv not found: give the folder of the "
                                          "Northwind CSV files as NORTHWIND_DIR")
    assert not (tmp_path / "crm").exists()
