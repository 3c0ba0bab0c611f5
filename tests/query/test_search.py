"""`crm search` and the query filter of lists, on the demo data directory."""

import pytest


def ids(result):
    assert result.code == 0, result.err
    return [hit["record"]["id"] for hit in result.json()]


@pytest.mark.parametrize("query, expected", [
    ("张", "huaqiang-dianzi"),
    ("张伟", "huaqiang-dianzi"),
    ("华强", "huaqiang-dianzi"),
    ("zhangwei", "huaqiang-dianzi"),
    ("zhang wei", "huaqiang-dianzi"),
    ("zw", "huaqiang-dianzi"),
    ("huaqiang", "huaqiang-dianzi"),
    ("hqdz", "huaqiang-dianzi"),
    ("muller", "muller-elektrotechnik"),
    ("MÜLLER", "muller-elektrotechnik"),
    ("STRASSE", "muller-elektrotechnik"),
    ("jurgen weiss", "muller-elektrotechnik"),
    ("francois", "societe-generale-d-equipements"),
    ("angstrom", "angstrom-components"),
])
def test_text_in_any_script_finds_the_party(demo, query, expected):
    assert expected in ids(demo("search", query, "--kind", "customer", "--format", "json"))


def test_exact_names_rank_first(demo):
    hits = demo("search", "Müller Elektrotechnik GmbH", "--format", "json").json()
    assert hits[0]["record"]["id"] == "muller-elektrotechnik" and hits[0]["match"] == "exact"
    assert demo("search", "huaqiang-dianzi", "--format", "json").json()[0]["match"] == "exact"
    typed = demo("search", "in-20251126-r23r", "--format", "json").json()  # an id typed in small letters
    assert [(hit["record"]["id"], hit["match"]) for hit in typed] == [("IN-20251126-R23R", "exact")]


def test_a_party_name_outranks_text_that_mentions_it(demo):
    hits = demo("search", "华强", "--format", "json").json()
    assert hits[0]["record"]["id"] == "huaqiang-dianzi" and hits[0]["match"] == "name"


def test_typos_fall_back_to_a_marked_fuzzy_match(demo):
    hits = demo("search", "northwnd", "--format", "json").json()
    assert hits[0]["record"]["id"] == "northwind-robotics" and hits[0]["match"] == "fuzzy"
    assert "fuzzy" in demo("search", "northwnd", "--format", "plain").out


def test_words_must_all_match_and_phrases_keep_order(demo):
    both = ids(demo("search", "framework", "contract", "--kind", "interaction", "--format", "json"))
    assert both and all(i.startswith("IN-") for i in both)
    assert ids(demo("search", '"contract framework"', "--kind", "interaction", "--format", "json")) == []
    phrase = ids(demo("search", '"framework contract"', "--kind", "interaction", "--format", "json"))
    assert set(phrase) <= set(both) and phrase


def test_fields_comparisons_and_ranges(demo):
    vip = demo("search", "tag:vip", "--format", "json").json()
    assert [h["record"]["id"] for h in vip] == ["huaqiang-dianzi"]
    shenzhen = set(ids(demo("search", "kind:supplier city:深圳", "--format", "json")))
    assert shenzhen == {"chuangxin-bandaoti"}
    recent = demo("search", "kind:interaction created>=2026-11-15", "--format", "json", "-n", "500").json()
    assert recent and all(h["record"]["created"] >= "2026-11-15" for h in recent)
    overdue = demo("search", "kind:interaction due<today", "--format", "json", "-n", "500").json()
    assert all(h["record"]["next"]["due"] < "2026-11-22" for h in overdue)
    quarter = demo("search", "kind:interaction date:2026-01..2026-03", "-n", "500", "--format", "json").json()
    assert quarter and all("2026-01-01" <= h["record"]["at"][:10] <= "2026-03-31" for h in quarter)
    nested = ids(demo("search", "contacts.title:采购经理", "--format", "json"))
    assert "huaqiang-dianzi" in nested


def test_or_and_negation(demo):
    either = set(ids(demo("search", "tag:vip OR tag:distributor", "--format", "json")))
    assert {"huaqiang-dianzi", "kestrel-distribution"} <= either
    emma = set(ids(demo("search", "kind:customer owner:emma", "--format", "json")))
    not_eu = set(ids(demo("search", "kind:customer", "owner:emma", "-tag:eu", "--format", "json")))
    assert not_eu and not_eu < emma and "muller-elektrotechnik" not in not_eu
    assert set(ids(demo("search", "kind:customer owner:emma NOT tag:eu", "--format", "json"))) == not_eu


def test_party_terms_resolve_names(demo):
    hits = demo("search", "party:华强 样品", "--format", "json").json()
    assert hits and all(h["record"]["party"] == "customers/huaqiang-dianzi" for h in hits)


def test_snippets_highlight_the_match(demo):
    hits = demo("search", "strasse", "--format", "json").json()
    assert any("Straße" in h["snippet"] for h in hits)
    markdown = demo("search", "strasse", "--format", "markdown").out
    assert "**Straße**" in markdown


def test_nothing_found_is_silent_on_stdout(demo):
    result = demo("search", "zanzibar-nothing-here")
    assert result.code == 0 and result.out == "" and "nothing matches" in result.err


@pytest.mark.parametrize("query", ['"unbalanced', "(a b", "amount=>5", "created>=someday"])
def test_bad_queries_exit_1_with_a_caret(demo, query):
    result = demo("search", query)
    assert result.code == 1 and "^" in result.err and "invalid query" in result.err


@pytest.mark.parametrize("query, position", [("-", 0), ('""', 0), ("!!!", 0), ("- … /", 0), ("NOT ...", 4)])
def test_a_query_with_nothing_to_search_for_is_refused_not_taken_for_every_record(demo, query, position):
    """`crm search -` listed every record as a match (the word was taken as true)."""
    result = demo("search", query)
    assert result.code == 1 and result.out == ""
    assert "has nothing to search for" in result.err
    assert result.err.splitlines()[-1] == "  " + " " * position + "^"
    assert demo("customer", "list", query).code == 1


@pytest.mark.parametrize("query, same_as", [("framework – agreement", "framework agreement"), ("huaqiang / 华强", "huaqiang 华强"),
                                            ("cable OR !!!", "cable"), ("cable NOT ...", "cable"),
                                            ('kind:customer ""', "kind:customer")])
def test_words_with_nothing_to_search_for_are_left_out_beside_others(demo, query, same_as):
    """A dash or a slash pasted with a summary is not a word: it neither narrows nor widens."""
    found = demo("search", query, "--format", "json")
    assert found.code == 0 and found.json() == demo("search", same_as, "--format", "json").json()
    assert found.json()


def test_list_commands_share_the_query_language(demo):
    leads = demo("customer", "list", "lifecycle:lead", "--format", "json").json()
    assert {p["id"] for p in leads} == {p.stem for p in demo.files("customers")
                                        if demo.read(f"customers/{p.name}").get("lifecycle") == "lead"}
    closed = demo("ticket", "list", "status:closed", "--format", "json").json()
    assert closed and all(t["status"] == "closed" for t in closed), "history.status is not status"
    not_cn = demo("customer", "list", "-addresses.country:CN", "--owner", "emma", "--format", "json").json()
    assert not_cn and all(p["owner"] == "emma" for p in not_cn)
    suppliers = demo("supplier", "list", "city:深圳 OR city:东莞", "--format", "json").json()
    assert {p["id"] for p in suppliers} == {"chuangxin-bandaoti", "jinglian-xianlan"}
    negative = demo("timeline", "outcome:negative", "--format", "json").json()
    assert negative and all(r["outcome"] == "negative" for r in negative)
    bad = demo("customer", "list", "tag:(")
    assert bad.code == 1


def test_formats_of_search(demo):
    for fmt in ("table", "plain", "markdown", "csv", "jsonl"):
        result = demo("search", "cable", "--format", fmt)
        assert result.code == 0 and result.out


@pytest.mark.parametrize("query", ["the", "for the", "the kind:interaction", "the -kind:order",
                                   "the NOT newsletter", "the OR call", "kind:interaction"])
def test_the_count_is_of_every_hit_and_a_limit_keeps_the_best(demo, query):
    """A search counts every hit, not the ones shown, and `--limit` shows the head of the
    whole ranking in its order, whether the words drive the search or are ORed, negated or absent."""
    every = ids(demo("search", query, "--limit", "1000", "--format", "json"))
    shown = demo("search", query, "--limit", "3", "--format", "plain")
    assert len(every) > 3 and shown.out.splitlines()[0] == f"3 of {len(every)} match(es)"
    assert ids(demo("search", query, "--limit", "3", "--format", "json")) == every[:3]


def test_kinds_split_the_count_of_a_word(demo):
    total = len(ids(demo("search", "the", "--limit", "1000", "--format", "json")))
    by_kind = [ids(demo("search", f"the kind:{kind}", "--limit", "1000", "--format", "json"))
               for kind in ("customer", "supplier", "interaction", "order", "reminder", "ticket", "deal", "product")]
    assert sum(map(len, by_kind)) == total


@pytest.mark.parametrize("today", ["2026-11-22", "2025-12-01"], ids=["nothing later", "a year of records later"])
@pytest.mark.parametrize("query", [["cable"], ["华强"], ["cable", "--kind", "order"], ["cable", "--kind", "product"]])
def test_the_count_of_hits_is_what_the_whole_list_holds_whatever_the_limit(demo, today, query):
    """The count comes apart from the best hits: from FTS5 alone when nothing but the words is
    asked and nothing lies after the day the run sees, else from the hits' rows."""
    listed = demo("--today", today, "search", *query, "--limit", "1000", "--format", "json").json()
    first = demo("--today", today, "search", *query, "--limit", "1")
    assert len(listed) > 1 and first.out.splitlines()[0] == f"1 of {len(listed)} match(es)"
