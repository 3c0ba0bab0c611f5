"""The interface speaks English and Chinese: every message is in the catalog and translated,
the compiled catalog is current, and the main reports read in both languages."""

import ast
import gettext

import pytest

from catalog import MO, PACKAGE, ROOT, entry, messages, read_catalog
from conftest import ROOT as PROJECT
from crmcli import i18n

GOLDEN = PROJECT / "tests" / "golden"
ERRORS = {"CrmError", "NotFound", "Ambiguous", "InvalidValue", "ValidationFailed", "DataDirError", "GitError",
          "MailError", "QueryError", "StaleIndex", "Problem"}
"""Exceptions and problems whose message a person reads."""
SPEAKERS = {"say", "echo", "secho", "warn"}


def _words(text: str) -> bool:
    """Whether literal text holds words to translate (the `crm` prefix and punctuation do not)."""
    return any(c.isalpha() for c in text.replace("crm", ""))


def _is_text(node) -> bool:
    if isinstance(node, ast.JoinedStr):
        return _words("".join(part.value for part in node.values if isinstance(part, ast.Constant)))
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and _words(node.value)


def untranslated(path):
    """(line, snippet) of messages made from bare literals or f-strings instead of `_()`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in ERRORS or name in SPEAKERS:
            arguments = node.args[1:2] if name == "Problem" else node.args[:1]
            found += [(node.lineno, ast.unparse(arg)[:70]) for arg in arguments if _is_text(arg)]
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_messages_go_through_the_catalog(path):
    assert untranslated(path) == []


def test_every_message_has_a_chinese_translation():
    catalog = read_catalog()
    missing = [text for text in messages() if not (entry(catalog, text) and entry(catalog, text).string)]
    assert missing == [], f"{len(missing)} untranslated: run python tests/catalog.py update, then translate"


def test_the_compiled_catalog_matches_the_po_file():
    compiled = gettext.GNUTranslations(MO.open("rb"))
    for message in read_catalog():
        if message.id and message.string and not message.pluralizable:
            shown = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            assert shown == message.string


def test_choosing_the_language():
    assert i18n.choose("zh") == i18n.choose("zh_CN.UTF-8") == "zh"
    assert i18n.choose(None, "zh", {}) == "zh"
    assert i18n.choose(None, None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert i18n.choose(None, None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose(None, "en", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose(None, None, {"LANG": "fr_FR.UTF-8"}) == "en"
    with pytest.raises(Exception, match="unknown language 'klingon'"):
        i18n.choose("klingon")


@pytest.mark.parametrize("args, golden", [
    (["today"], "today"),
    (["ledger", "--by", "owner,quarter"], "ledger-owner-quarter"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_reports_in_both_languages(demo, args, golden, lang):
    result = demo("--lang", lang, *args, "--format", "plain")
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / f"{golden}.{lang}.txt").read_text(encoding="utf-8")


def test_lang_from_the_environment_and_crm_yaml(demo, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "逾期" in demo("today", "--format", "plain").out
    with (demo.root / "crm.yaml").open("a", encoding="utf-8") as config:
        config.write("locale: en\n")
    assert "Overdue" in demo("today", "--format", "plain").out
    assert "逾期" in demo("--lang", "zh", "today", "--format", "plain").out


def test_data_stays_as_written_in_json(demo):
    english = demo("--lang", "en", "ledger", "--by", "owner,quarter", "--format", "json").out
    assert demo("--lang", "zh", "ledger", "--by", "owner,quarter", "--format", "json").out == english


def test_chinese_money_dates_and_quarters():
    from datetime import date
    from decimal import Decimal

    i18n.use("zh")
    try:
        assert i18n.money_text(Decimal("54805.00"), "CNY") == "¥54,805.00"
        assert i18n.day_text(date(2026, 11, 22)) == "2026年11月22日"
        assert i18n.quarter_text("2026-Q3") == "2026年第3季度"
    finally:
        i18n.use("en")
    assert i18n.money_text(Decimal("54805.00"), "CNY") == "54,805.00 CNY"


def test_a_lost_customer_is_not_a_lost_deal(demo):
    """`lost` names a deal's stage and a customer's segment: each is said in Chinese with its
    own word (输单, 已流失), the data (json, csv) keeps the word `lost`."""
    segments = demo("--lang", "zh", "report", "segments", "--segment", "lost", "--format", "plain").out
    assert "客户 · 已流失" in segments and "输单" not in segments
    assert "hongda-dianqi" in segments and segments.count("已流失") == 3  # summary, title, the customer
    deal = demo("--lang", "zh", "deal", "show", "DL-20260112-3PZZ", "--format", "plain").out
    assert "输单" in deal and "已流失" not in deal
    data = demo("--lang", "zh", "report", "segments", "--format", "json").json()
    assert {row["segment"] for row in data["customers"]} >= {"lost", "active"}
    assert "lost,1," in demo("--lang", "zh", "report", "segments", "--format", "csv").out
