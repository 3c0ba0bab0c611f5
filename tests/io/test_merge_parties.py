"""crm merge and crm check --duplicates."""

import pytest


@pytest.fixture
def twins(demo):
    """The demo with a second record of 华强 that has its own interaction, order and ticket."""
    assert demo("customer", "add", "华强电子", "--force", "--phone", "+86 755 8321 6600", "--industry", "制造",
                "--tag", "shenzhen", "--email", "sales@huaqiang.example",
                "--note", "Second record, from the trade fair").code == 0
    assert demo("contact", "add", "huaqiang-dianzi-2", "王芳", "--title", "销售").code == 0
    assert demo("contact", "add", "huaqiang-dianzi-2", "张伟", "--wechat", "zw2",
                "--phone", "+86 138 0000 1111").code == 0
    assert demo("log", "huaqiang-dianzi-2", "call", "Asked for samples", "--contact", "王芳").code == 0
    assert demo("order", "add", "huaqiang-dianzi-2", "--line", "CAB-07 1").code == 0
    assert demo("ticket", "open", "huaqiang-dianzi-2", "Reel damaged").code == 0
    return demo


def pointing_at(data, ref: str) -> list[str]:
    return [str(p.relative_to(data.root)) for p in data.root.rglob("*.yaml")
            if ".crm" not in p.parts and f"{ref}\n" in p.read_text(encoding="utf-8")]


def test_check_duplicates_lists_likely_pairs_with_a_score(twins):
    result = twins("--format", "json", "check", "--duplicates")
    assert result.code == 0, result.err
    pairs = {(row["a"], row["b"]): row for row in result.json()}
    pair = pairs["customers/huaqiang-dianzi", "customers/huaqiang-dianzi-2"]
    assert pair["score"] == 100 and pair["why"] == "same phone"
    assert all(row["score"] >= 85 for row in result.json())


def test_merge_dry_run_shows_the_plan_and_changes_nothing(twins):
    moved = pointing_at(twins, "customers/huaqiang-dianzi-2")
    assert len(moved) == 3
    result = twins("--format", "json", "merge", "huaqiang-dianzi", "huaqiang-dianzi-2", "--dry-run")
    assert result.code == 0, result.err
    plan = result.json()
    assert sorted(plan["moved"]) == sorted(path[:-5] for path in moved)
    assert [c["field"] for c in plan["conflicts"]] == ["name", "industry", "contacts[张伟].wechat"]
    assert {c["kept"] for c in plan["conflicts"]} == {None}
    assert pointing_at(twins, "customers/huaqiang-dianzi-2") == moved


def test_merge_without_a_terminal_refuses_conflicts(twins):
    result = twins("merge", "huaqiang-dianzi", "huaqiang-dianzi-2")
    assert result.code == 1
    assert result.err.strip() == ("crm: customers/huaqiang-dianzi and customers/huaqiang-dianzi-2 differ in name "
                                  "('深圳市华强电子有限公司' / '华强电子'); industry ('electronics' / '制造'); "
                                  "contacts[张伟].wechat ('zhangwei_hq' / 'zw2'): run crm merge on a terminal to "
                                  "choose, or pass --prefer a|b")
    assert (twins.root / "customers/huaqiang-dianzi-2.yaml").exists()


def test_merge_folds_b_into_a(twins):
    result = twins("merge", "huaqiang-dianzi", "huaqiang-dianzi-2", "--prefer", "a")
    assert result.code == 0, result.err
    assert not (twins.root / "customers/huaqiang-dianzi-2.yaml").exists()
    assert pointing_at(twins, "customers/huaqiang-dianzi-2") == []
    merged = twins.read("customers/huaqiang-dianzi.yaml")
    assert merged["name"] == "深圳市华强电子有限公司" and merged["industry"] == "electronics"
    assert merged["tags"] == ["vip", "cable", "key-account", "shenzhen"]
    assert merged["emails"] == ["purchasing@huaqiang.example", "sales@huaqiang.example"]
    assert merged["notes"].endswith("Second record, from the trade fair")
    zhang = [c for c in merged["contacts"] if c["name"] == "张伟"]
    assert len(zhang) == 1 and zhang[0]["wechat"] == "zhangwei_hq"
    assert zhang[0]["phones"] == ["+86 138 2651 7730", "+86 138 0000 1111"]
    assert [c["name"] for c in merged["contacts"]][-1] == "王芳"
    assert sum(1 for c in merged["contacts"] if c.get("primary")) == 1
    assert twins("check").code == 0
    assert "Asked for samples" in twins("timeline", "huaqiang-dianzi").out
    assert twins("merge", "huaqiang-dianzi", "huaqiang-dianzi", "--prefer", "a").err.strip() == \
        "crm: customers/huaqiang-dianzi is the same party twice"


def test_merge_prefer_b_takes_b_values(twins):
    assert twins("merge", "huaqiang-dianzi", "huaqiang-dianzi-2", "--prefer", "b").code == 0
    merged = twins.read("customers/huaqiang-dianzi.yaml")
    assert merged["name"] == "华强电子" and merged["industry"] == "制造" and merged["id"] == "huaqiang-dianzi"


def test_merging_a_supplier_into_a_customer_makes_one_party_with_both_roles(demo):
    """Twins (客商 kept as two records) fold into one; a product's supplier follows it."""
    result = demo("merge", "huaqiang-dianzi", "jinglian-xianlan", "--prefer", "a")
    assert result.code == 0, result.err
    assert demo.read("customers/huaqiang-dianzi.yaml")["roles"] == ["customer", "supplier"]
    assert not (demo.root / "suppliers" / "jinglian-xianlan.yaml").exists()
    assert demo("check").code == 0


def test_merge_rewrites_references_in_any_kind(demo):
    """A product's supplier is a reference too: every kind is searched, not a list of them."""
    assert demo("supplier", "add", "Jinglian Cable Co").code == 0
    assert demo("product", "add", "NEW-01", "New cable", "--price", "10", "--supplier", "jinglian-cable").code == 0
    assert demo("merge", "jinglian-xianlan", "jinglian-cable", "--prefer", "a").code == 0
    assert demo.read("products/NEW-01.yaml")["supplier"] == "suppliers/jinglian-xianlan"


def test_every_kind_that_names_b_is_rewritten(demo):
    """Folding the demo's 华强 into a new record: orders, interactions, contracts, deals,
    tickets, reminders and campaign members all follow."""
    named = pointing_at(demo, "customers/huaqiang-dianzi")
    folders = {path.split("/", 1)[0] for path in named}
    assert {"orders", "interactions", "contracts", "opportunities", "tickets", "reminders", "campaigns"} <= folders
    assert demo("customer", "add", "华强电子集团", "--force").code == 0
    assert demo("merge", "huaqiang-dianzi-2", "huaqiang-dianzi", "--prefer", "a").code == 0
    assert pointing_at(demo, "customers/huaqiang-dianzi") == []
    assert sorted(pointing_at(demo, "customers/huaqiang-dianzi-2")) == sorted(named)
    assert demo("check").code == 0
