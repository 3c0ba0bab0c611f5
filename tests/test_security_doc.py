"""SECURITY.md says which test proves each defence: every threat in its tables names one, and
every test (and test file) it names exists."""

import re

from conftest import ROOT

SECURITY = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
NAMED_FILE = re.compile(r"`(tests/[\w/]+\.py)`")
SAME = re.compile(r"^(the )?same tests?\b")


def threats() -> list[tuple[str, str]]:
    """(threat, proved by) of every row of every table, but the headings."""
    rows = []
    for line in SECURITY.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or set(cells[0]) <= set("-: ") or cells[0] in ("threat", "input"):
            continue
        rows.append((cells[0], cells[-1]))
    return rows


def test_every_threat_names_the_test_that_proves_it():
    rows = threats()
    assert len(rows) > 40
    unproved = [threat for number, (threat, proof) in enumerate(rows)
                if not (NAMED_TEST.search(proof) or NAMED_FILE.search(proof)
                        or (SAME.match(proof) and number and (NAMED_TEST.search(rows[number - 1][1])
                                                               or NAMED_FILE.search(rows[number - 1][1]))))]
    assert not unproved, unproved


def test_every_test_security_md_names_exists():
    named = set(NAMED_TEST.findall(SECURITY))
    assert len(named) > 30
    missing = [(path, test) for path, test in sorted(named)
               if not re.search(rf"^def {test}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)]
    assert not missing, missing
    files = {path for path in NAMED_FILE.findall(SECURITY)}
    assert all((ROOT / path).is_file() for path in files), files
