"""Fixtures of the import/export tests."""

import pytest
from mails import ME


@pytest.fixture
def mine(demo):
    """The demo with `me`'s address in crm.yaml (in upper case: addresses compare without
    case), so mail from it is outgoing."""
    with open(demo.root / "crm.yaml", "a", encoding="utf-8") as settings:
        settings.write(f"mail:\n  me: [{ME.upper()}]\n")
    return demo
