"""The query grammar, and how bad queries are reported."""

import pytest

from crmcli.query.parse import And, Field, Not, Or, QueryError, Text, joined, parse


def test_free_words_and_phrases():
    assert parse('cable 深圳 "framework agreement"') == And((
        Text("cable", False, 0), Text("深圳", False, 6), Text("framework agreement", True, 9)))


def test_or_not_minus_and_parentheses():
    tree = parse("(tag:vip OR tag:key-account) -tag:lost NOT cable")
    assert isinstance(tree, And)
    first, second, third = tree.nodes
    assert isinstance(first, Or) and [n.value for n in first.nodes] == ["vip", "key-account"]
    assert isinstance(second, Not) and second.node.name == "tag"
    assert isinstance(third, Not) and third.node == Text("cable", False, 43)


def test_fields_operators_and_ranges():
    tree = parse('contacts.title:cfo created>=2026-01-01 due<today amount>10000 date:2026-01..2026-03 name:"acme corp"')
    fields = {node.name: node for node in tree.nodes}
    assert fields["contacts.title"] == Field("contacts.title", ":", "cfo", 0, 15)
    assert fields["created"].op == ">=" and fields["due"].op == "<" and fields["amount"].value == "10000"
    assert (fields["date"].value, fields["date"].high) == ("2026-01", "2026-03")
    assert fields["name"].value == "acme corp"


def test_words_that_only_look_like_fields():
    assert parse("10:30") == Text("10:30", False, 0)
    assert parse("and or") == And((Text("and", False, 0), Text("or", False, 4)))


@pytest.mark.parametrize("query, message, position", [
    ('tag:vip "acme', "unbalanced quote", 8),
    ("(tag:vip cable", "unbalanced parenthesis", 0),
    ("tag:vip)", "unbalanced parenthesis", 7),
    ("amount=>5", "unknown operator '=>'", 6),
    ("amount<>5", "unknown operator '<>'", 6),
    ("tag:", "needs a value", 4),
    ("OR cable", "unexpected 'OR'", 0),
    ("cable OR", "ends where a term was expected", 8),
    ("NOT", "ends where a term was expected", 3),
])
def test_bad_queries_point_at_the_problem(query, message, position):
    with pytest.raises(QueryError) as error:
        parse(query)
    assert message in error.value.message
    assert error.value.position == position
    lines = str(error.value).splitlines()
    assert lines[1] == f"  {query}" and lines[2] == "  " + " " * position + "^"


@pytest.mark.parametrize("arguments, query", [
    (["tag:vip OR tag:key-account"], "tag:vip OR tag:key-account"),
    (["tag:vip OR tag:key-account", "-tag:lost"], "(tag:vip OR tag:key-account) -tag:lost"),
    (["framework agreement", "vip"], '"framework agreement" vip'),
    (["party:华强 样品", "-kind:order"], "(party:华强 样品) -kind:order"),
    (["cable", "-tag:lost", "深圳"], "cable -tag:lost 深圳"),
    (['"framework contract"', "kind:interaction"], '"framework contract" kind:interaction'),
])
def test_several_arguments_make_one_query(arguments, query):
    assert joined(arguments) == query
    parse(joined(arguments))


def test_a_broken_argument_is_reported_in_the_whole_query():
    with pytest.raises(QueryError) as error:
        parse(joined(["tag:vip", '"open quote here']))
    assert error.value.position == len("tag:vip ")
