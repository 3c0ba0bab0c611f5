"""Field-level differences between two versions of a record, as `crm history` shows them."""

from decimal import Decimal

from crmcli.reports.history import field_changes


def test_a_changed_value_reads_old_to_new():
    assert field_changes({"stage": "proposal"}, {"stage": "negotiation"}) == ["stage: proposal → negotiation"]


def test_list_items_added_and_removed_are_named_by_position():
    old = {"phones": ["+86 1"], "tags": ["vip", "cable"]}
    new = {"phones": ["+86 1", "+86 2"], "tags": ["cable"]}
    assert field_changes(old, new) == ["phones[1] added: +86 2", "tags[0] removed (was vip)"]


def test_nested_fields_and_items_changed_in_place():
    old = {"contacts": [{"name": "张伟", "title": "采购经理"}], "totals": {"net": Decimal("10.00")}}
    new = {"contacts": [{"name": "张伟", "title": "采购总监", "primary": True}], "totals": {"net": Decimal("12.50")}}
    assert field_changes(old, new) == ["contacts[0].title: 采购经理 → 采购总监", "contacts[0].primary added: true",
                                       "totals.net: 10.00 → 12.50"]


def test_updated_is_left_out_and_creation_and_removal_are_one_line():
    assert field_changes({"a": 1, "updated": "x"}, {"a": 1, "updated": "y"}) == []
    assert field_changes(None, {"a": 1}) == ["created"]
    assert field_changes({"a": 1}, None) == ["removed"]
    assert field_changes({"notes": "short"}, {"notes": "x" * 100})[0].endswith("…")
