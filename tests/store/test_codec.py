"""The YAML codec: exact numbers, no coercion surprises, hostile input refused, comments kept."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEMO
from crmcli.store import codec
from crmcli.store.document import render

TRICKY = ["yes", "no", "on", "off", "null", "~", "1e3", "0x10", "012", "1:30", "2026-01-01", "true",
          "False", "", " lead", "trail ", "0755 8888 0000", "- dash", "a: b", "#hash", "'quote", '"dq',
          "多行\n文本\n", "tab\tin", "emoji 🎉", "[red]x[/red]", "line\n  indented\n", "trailing  \nspace"]


@pytest.mark.parametrize("text", TRICKY)
def test_strings_survive_write_and_read(text):
    record = {"id": "x", "name": "n", "notes": text, "created": "2026-11-22T10:00:00+08:00"}
    assert codec.decode(render(record, "party").encode()) == record


def test_numbers_are_decimals_and_dates_stay_text():
    data = codec.decode(b"a: 1234.50\nb: 40\nc: 2026-11-22\nd: 2026-11-20T16:30:00+08:00\ne: yes\n")
    assert data == {"a": Decimal("1234.50"), "b": 40, "c": "2026-11-22", "d": "2026-11-20T16:30:00+08:00", "e": "yes"}
    assert isinstance(data["a"], Decimal)


@pytest.mark.parametrize("text, message", [
    (b"a: !!python/object/apply:os.system ['echo hi']\n", "YAML error"),
    (b"a: &x [1]\nb: *x\n", "aliases"),
    (b"- just a list\n", "mapping"),
    (b"a: b\x00c\n", "NUL"),
    (b"name: \xff\xfe\n", "UTF-8"),
    (b"a: [" * 200 + b"]" * 200, "nested"),
    (b"a: b\n<<<<<<< HEAD\nc: d\n=======\nc: e\n>>>>>>> other\n", "conflict"),
    (b"a: .inf\n", "infinite"),
    (b"# kept\n%YAML 1.1\n---\nflag: no\n", "YAML directive"),
    (b"%TAG !e! tag:example.com,2000:\n---\na: b\n", "YAML directive"),
])
def test_hostile_or_broken_files_are_refused(text, message):
    with pytest.raises(codec.RecordSyntaxError) as error:
        codec.decode(text)
    assert message in error.value.message


def test_a_percent_sign_starting_a_line_of_text_is_no_directive():
    """Only a real directive is refused: libyaml reads this quoted text's second line as text."""
    assert codec.decode(b'a: "50\n%off"\n') == {"a": "50 %off"}
    with pytest.raises(codec.RecordSyntaxError) as error:
        codec.decode(b"# kept\n%YAML 1.1\n---\nflag: no\n")
    assert error.value.line == 2


def test_syntax_errors_carry_a_line():
    with pytest.raises(codec.RecordSyntaxError) as error:
        codec.decode(b"id: x\nname: [unclosed\nother: 1\n")
    assert error.value.line in (2, 3, 4)


def test_billion_laughs_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    with pytest.raises(codec.RecordSyntaxError):
        codec.decode(bomb.encode())


def test_oversized_files_are_refused():
    with pytest.raises(codec.RecordSyntaxError) as error:
        codec.decode(b"a: '" + b"x" * (codec.MAX_FILE_BYTES + 1) + b"'\n")
    assert "larger" in error.value.message


def test_hand_comments_and_layout_survive_a_change():
    text = ("# Key account — handle with care\n"
            "id: acme\n"
            "name: Acme   # the trading name\n"
            "tags:\n  - vip\n"
            "phones: ['0755 1234']\n"
            "created: 2026-01-01T00:00:00+08:00\n")
    old = codec.decode(text.encode())
    new = dict(old, industry="electronics", tags=["vip", "cable"])
    written = render(new, "party", text, old)
    assert written.startswith("# Key account — handle with care\n")
    assert "name: Acme   # the trading name" in written
    assert "phones: ['0755 1234']" in written
    assert written.index("industry:") < written.index("tags:")
    assert codec.decode(written.encode()) == new


def test_keys_follow_the_schema_order():
    record = {"updated": "2026-11-22T10:00:00+08:00", "name": "N", "id": "n", "tags": ["a"]}
    assert [line.split(":")[0] for line in render(record, "party").splitlines()] == ["id", "name", "tags", "updated"]


scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    st.sampled_from(TRICKY),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.integers(min_value=-10**12, max_value=10**12),
    st.booleans(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text("abcdefghij_", min_size=1, max_size=8), inner, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text("abcdefghijklmnop_", min_size=1, max_size=10), values, max_size=6))
def test_any_record_survives_write_then_read(custom):
    record = {"id": "x", "name": "n", "custom": custom}
    assert codec.decode(render(record, "party").encode()) == record


def _fields(value, prefix: list) -> list[list]:
    """The path of every value within `value`, keys and list positions."""
    found = [prefix] if prefix else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for part, child in items:
        found += _fields(child, [*prefix, part])
    return found


def test_the_line_of_a_field_is_ruamels_whichever_parser_finds_it(rng):
    """line_of asks libyaml's nodes where the answer cannot differ from ruamel's (crm check asks
    thousands of lines); on the demo's files and some odd layouts both give the same line. (No `%YAML 1.1`
    directive here: ruamel's shared writer would keep that version for every later write.)"""
    from crmcli.store.validation import _ruamel_line_of, line_of

    texts = [path.read_text(encoding="utf-8") for path in sorted(DEMO.rglob("*.yaml"))]
    texts += ["id: x\ntags: [a,\n  b]\ncontacts:\n  -\n    name: A\n  - {name: B,\n     title: C}\n",
              "id: &a x\nname: *a\n", "'id': x\n\"name\": y\n", "id: x\nyes: 1\n"]
    compared = 0
    for text in texts:
        record = codec.load_roundtrip(text)
        fields = _fields(record, []) + [["missing"], ["id", "deeper"]]
        for field in rng.sample(fields, min(3, len(fields))):  # three a file: ruamel's side is slow under coverage
            assert line_of(text, field) == _ruamel_line_of(text, field), (text[:60], field)
            compared += 1
    assert compared > 300
