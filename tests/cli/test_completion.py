"""Shell completion of option values and party names, asked the way a shell asks: the real
program run with click's completion variables (what `crm --install-completion`'s script sets)."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT


def offered(data, words: str, shell: str = "bash") -> list[str]:
    """What completion offers for the typed `words` (the last one being completed)."""
    env = {**os.environ, "CRM_DIR": str(data.root), "PYTHONPATH": str(ROOT), "_CRM_COMPLETE": f"complete_{shell}",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = subprocess.run([sys.executable, "-m", "crmcli"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize("words, expected", [
    ("crm ledger --by ", ["month", "quarter", "year", "customer", "supplier", "party", "owner", "region", "industry",
                          "type", "product", "category"]),
    ("crm ledger --by qu", ["quarter"]),
    ("crm ledger --by owner,mo", ["owner,month"]),
    ("crm import csv c.csv --kind ", ["customer", "supplier", "contact", "interaction", "product", "order",
                                      "purchase"]),
    ("crm import vcard c.vcf --kind s", ["supplier"]),
    ("crm search --kind c", ["campaign", "contract", "customer"]),
    ("crm export csv p", ["product", "purchase"]),
    ("crm ledger --format j", ["json", "jsonl"]),
])
def test_option_values_are_offered(demo, words, expected):
    assert offered(demo, words) == expected


def test_parties_are_offered_by_id_pinyin_or_name(demo):
    assert offered(demo, "crm customer show hua") == ["huaqiang-dianzi"]
    assert offered(demo, "crm customer show 深圳") == ["深圳市创芯半导体有限公司", "深圳市华强电子有限公司"]
    assert offered(demo, "crm log huaq") == ["huaqiang-dianzi"]
    assert "huaqiang-dianzi" in offered(demo, "crm order add ")
    zsh = offered(demo, "crm customer show hua", "zsh")
    assert zsh == ["_arguments '*: :((\"huaqiang-dianzi\":\"深圳市华强电子有限公司\"))'"]


def test_completion_without_a_data_directory_offers_nothing(tmp_path):
    class Missing:
        root = tmp_path / "nowhere"

    assert offered(Missing, "crm customer show a") == []
