"""crm's pinyin (model/pinyin.py) is pypinyin's `lazy_pinyin`, phrase readings included, while
loading pypinyin without its 2.5 MB phrase dictionary on each run (issue 21: start-up)."""

import json
import marshal
import os
import subprocess
import sys

from conftest import ROOT, run_crm

PYPINYIN = r"""
import json, random, sys
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT
rng = random.Random(int(sys.argv[1]))
phrases = sorted(PHRASES_DICT)
chars = [chr(code) for code in range(0x4E00, 0x9FA6)] + ["〇", "㐀", "\U00020000", "\ue815"]
others = ["Acme", " ", "-", "3号", "·", "（", "Zoë", "_"]
samples = [rng.choice(phrases) for _ in range(1500)]
for _ in range(3000):
    parts = [rng.choice(phrases) if rng.random() < 0.6 else rng.choice(chars) if rng.random() < 0.85
             else rng.choice(others) for _ in range(rng.randint(1, 6))]
    samples.append("".join(parts))
keep = lambda text: ["<" + text + ">"]
print(json.dumps([samples, [lazy_pinyin(s) for s in samples], [lazy_pinyin(s, errors=keep) for s in samples]]))
"""

CRM = r"""
import json, sys
from crmcli.model.pinyin import lazy_pinyin
samples = json.load(sys.stdin)
keep = lambda text: ["<" + text + ">"]
print(json.dumps([[lazy_pinyin(s) for s in samples], [lazy_pinyin(s, errors=keep) for s in samples],
                  "pypinyin.phrases_dict" in sys.modules]))
"""


def _python(script: str, *args: str, stdin: str | None = None, env: dict | None = None):
    done = subprocess.run([sys.executable, "-c", script, *args], input=stdin, capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    return json.loads(done.stdout)


def test_pinyin_is_pypinyins_with_its_phrases_for_thousands_of_strings(rng, tmp_path):
    """Phrases alone, and phrases, single characters (rare ones too) and other text run together,
    where pypinyin's segmenter decides which characters read as a word. The first run makes the
    table in the (fresh) cache; the second reads it and never loads the phrase dictionary; a
    damaged table is made again rather than crashing."""
    samples, plain, kept = _python(PYPINYIN, str(rng.randrange(10**6)))
    cache = {"XDG_CACHE_HOME": str(tmp_path)}
    made = _python(CRM, stdin=json.dumps(samples), env=cache)
    assert list(tmp_path.joinpath("crm").glob("pinyin-*.marshal"))
    again = _python(CRM, stdin=json.dumps(samples), env=cache)
    assert again[2] is False, "with the table cached, pypinyin's phrase dictionary is not loaded"
    table = next(tmp_path.joinpath("crm").glob("pinyin-*.marshal"))
    table.write_bytes(marshal.dumps({"phrases": "重庆"}))  # of an older shape: made again
    remade = _python(CRM, stdin=json.dumps(samples), env=cache)
    assert marshal.loads(table.read_bytes())["chars"]["重"] == "zhong"
    table.write_bytes(table.read_bytes()[:1000])  # cut short: made again
    assert _python(CRM, stdin=json.dumps(samples), env=cache) == remade
    for ours in (made, again, remade):
        assert [s for s, mine, theirs in zip(samples, ours[0], plain, strict=True) if mine != theirs] == []
        assert [s for s, mine, theirs in zip(samples, ours[1], kept, strict=True) if mine != theirs] == []


def test_a_polyphonic_name_reads_as_its_phrase(empty):
    """重 alone reads zhong; in 重庆 it is chong. The id and pinyin search both use the phrase."""
    added = run_crm("--data-dir", str(empty.root), "customer", "add", "重庆长安火锅有限公司")
    assert added.out.split() == ["chongqing-changan-huoguo"]
    hits = empty("search", "chongqing", "--format", "json").json()
    assert [hit["record"]["id"] for hit in hits] == ["chongqing-changan-huoguo"]
    assert empty("search", "zhongqing", "--format", "json").json() == []

