"""Queries as command-line arguments: terms starting with `-` are negations (not options),
several arguments make one query as the README shows, options still work anywhere, and
date fields take periods (`date:2026-Q3`) with a caret under a form that is none."""

import pytest


def ids(result) -> list[str]:
    assert result.code == 0, result.err
    return [hit["record"]["id"] for hit in result.json()]


def tagged(demo, tag: str) -> set[str]:
    return {hit["record"]["id"] for hit in demo("search", f"tag:{tag}", "--format", "json").json()}


def test_a_negated_field_is_a_term_not_an_option(demo):
    found = set(ids(demo("search", "tag:cable", "-tag:key-account", "--format", "json")))
    assert found and found == tagged(demo, "cable") - tagged(demo, "key-account")


def test_list_commands_take_negated_terms(demo):
    result = demo("customer", "list", "city:深圳", "-lifecycle:inactive", "--format", "json")
    assert result.code == 0, result.err
    assert {"huaqiang-dianzi"} <= {r["id"] for r in result.json()}
    orders = demo("order", "list", "-status:draft", "--format", "json")
    assert orders.code == 0, orders.err
    assert orders.json() and all(r["status"] != "draft" for r in orders.json())


def test_the_readme_query_with_a_quoted_group(demo):
    """`crm search 'tag:vip OR tag:key-account' -tag:lost`: the quoted query is one group."""
    found = ids(demo("search", "tag:vip OR tag:key-account", "-tag:lost", "--format", "json"))
    assert len(found) == 5
    assert set(found) == (tagged(demo, "vip") | tagged(demo, "key-account")) - tagged(demo, "lost")


def test_quoted_plain_words_are_still_a_phrase(demo):
    assert ids(demo("search", "Müller Elektrotechnik", "kind:customer", "--format", "json")) == [
        "muller-elektrotechnik"]


VIP = "tag:vip OR tag:key-account"


@pytest.mark.parametrize("args", [
    ["-n", "2", VIP, "-tag:lost"],
    [VIP, "--limit", "2", "-tag:lost"],
    [VIP, "-tag:lost", "--limit=2"],
    ["--limit", "2", "--", VIP, "-tag:lost"],
])
def test_options_before_between_and_after_the_terms(demo, args):
    found = ids(demo("search", "--format", "json", *args))
    assert len(found) == 2 and not set(found) & tagged(demo, "lost")


def test_after_a_double_dash_everything_is_a_term(demo):
    assert demo("search", "--format").code == 2
    assert demo("search", "--", "--format").code == 0


@pytest.mark.parametrize("command, mistyped, meant", [
    (["ledger", "--by", "owner,month"], ["--since", "2026-01-01"], "--"),
    (["ledger"], ["--perod", "2026"], "--period"),
    (["search", "华强"], ["--limt", "5"], "--limit"),
])
def test_a_mistyped_option_is_refused_not_searched_for(demo, command, mistyped, meant):
    """`crm ledger --since 2026-01-01` searched for `-since` and `2026-01-01` and printed an
    empty ledger, as if nothing was sold; a word starting with `--` is an option or a mistake."""
    result = demo(*command, *mistyped)
    assert result.code == 2 and result.out == ""
    assert f"No such option '{mistyped[0]}'" in result.err and meant in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_negated_kind_is_not_the_kind_option(demo):
    found = ids(demo("search", "华强", "-kind:interaction", "--format", "json"))
    assert "huaqiang-dianzi" in found
    hits = demo("search", "华强", "-kind:interaction", "--format", "json").json()
    assert all(hit["kind"] != "interaction" for hit in hits)


def _days(demo, query: str) -> list[str]:
    result = demo("search", "kind:interaction", query, "--limit", "1000", "--format", "json")
    assert result.code == 0, result.err
    return sorted(hit["record"]["at"][:10] for hit in result.json())


@pytest.mark.parametrize("query, low, high", [
    ("date:2026-Q3", "2026-07-01", "2026-09-30"),
    ("date:2026-11", "2026-11-01", "2026-11-30"),
    ("date:2026", "2026-01-01", "2026-12-31"),
    ("date:2026-11-01..2026-11-30", "2026-11-01", "2026-11-30"),
    ("date:2026-07..2026-Q3", "2026-07-01", "2026-09-30"),
])
def test_date_periods_are_ranges(demo, query, low, high):
    days = _days(demo, query)
    assert days and low <= days[0] and days[-1] <= high
    everything = _days(demo, "")
    assert days == [day for day in everything if low <= day <= high]


def test_an_unknown_range_form_is_an_error_with_a_caret(demo):
    result = demo("search", "kind:interaction", "date:2026-Q5")
    assert result.code == 1 and result.out == ""
    message, query, caret = result.err.splitlines()
    assert "unknown date range '2026-Q5'" in message
    assert query.strip() == "kind:interaction date:2026-Q5"
    assert caret.index("^") == query.index("2026-Q5")


def test_the_caret_points_at_the_bad_end_of_a_range(demo):
    result = demo("search", "date:2026-01..2026-14")
    assert result.code == 1
    _message, query, caret = result.err.splitlines()
    assert caret.index("^") == query.index("2026-14")
