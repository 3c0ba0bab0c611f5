"""SECURITY.md names the test that proves each defence: every one it names must exist."""

import re

from conftest import ROOT


def test_every_test_security_md_names_exists():
    named = set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", (ROOT / "SECURITY.md").read_text(encoding="utf-8")))
    assert len(named) > 30
    missing = [(path, test) for path, test in sorted(named)
               if not re.search(rf"^def {test}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)]
    assert not missing, missing
