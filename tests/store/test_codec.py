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


@pytest.mark.parametrize("size", [0, 1, codec.READ_CHUNK - 1, codec.READ_CHUNK + 1, 3 * codec.READ_CHUNK + 7,
                                  codec.MAX_FILE_BYTES])
def test_a_file_is_read_whole_whatever_its_size(tmp_path, size):
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    (tmp_path / "record.yaml").write_bytes(content)
    assert codec.read(tmp_path / "record.yaml") == content


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


UNUSUAL = [
    "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\n", "a: 1:30\nb: 190:20:30\nc: 1_000\nd: 0o17\ne: 0x1F\nf: 012\n",
    "a: 0b101\nb: +12\nc: -0\nd: 1.\ne: .5\nf: 1e3\ng: 1.5E-3\nh: -.inf\ni: .NaN\n",
    "a: 2026-11-22\nb: 2026-11-22T10:00:00+08:00\nc: 2026-11-22 10:00:00\nd: !!timestamp 2026-11-22\n",
    "a: =\nb: <<\n<<: {c: 1}\n", "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "a: !!merge x\n",
    "a: &s text\nb: *s\nc: *s\n", "a: &l [1]\nb: *l\n", "a: !!str 12\nb: !!int '12'\nc: !!float '1.5'\nd: !!bool 'true'\n",
    "a: !!int abc\n", "a: !!bool yes\n", "a: !!null x\nb: !!str\n", "a: !!map {b: 1}\nc: !!seq [1]\n",
    "a: !!str [1]\n", "a: !!set {x}\n", "a: !!binary aGk=\n", "a: !custom x\n", "? [k]\n: v\n", "? {k: 1}\n: v\n",
    "1: a\n2: b\n", "~: a\n", "true: 1\nTrue: 2\n", "a: 1\na: 2\n", "'1': a\n1: b\n", "a: {b: 1, b: 2}\n",
    "a:\n- b: 1\n  b: 2\nc: !!int x\n", "a: 99999999999999999999999999999999\n", "a: 1e99999999\n",
    "a: !!float .inf\n", "- 1\n- [2, {x: y}]\n", "just text\n", "", "---\n...\n", "a: null\nb: ~\nc:\nd: NULL\n",
    "a: 'quoted: yes'\nb: \"true\"\nc: |\n  block\n  text\nd: >\n  folded\n", "a: [1, 2.50, x, null, false]\n",
]


@pytest.mark.parametrize("text", UNUSUAL)
def test_the_quick_constructor_builds_what_pyyamls_builds(text):
    """`construct_plainly` (what decode builds records with) gives what PyYAML's constructor
    gives, or leaves the document to it: YAML 1.1 spellings, tags, merge keys, aliases, bad
    values (the same error, at the same place), keys that are no text or written twice."""
    assert _both_ways(text)[0] == _both_ways(text)[1]


def test_the_quick_constructor_builds_every_demo_file_as_pyyaml_does():
    files = sorted(DEMO.rglob("*.yaml"))
    assert len(files) > 100
    for path in files:
        quick, full = _both_ways(path.read_text(encoding="utf-8"))
        assert quick == full, path


def _both_ways(text: str) -> tuple:
    """What `codec._load` makes of `text` and what yaml.load with the same loader makes:
    (repr of the value, its types) or the error (message and mark)."""
    yaml, loader, _resolver = codec._yaml()

    def outcome(load):
        try:
            value = load()
        except yaml.YAMLError as error:
            return "error", str(error)
        return repr(value), repr(_types(value))

    return outcome(lambda: codec._load(loader, text)), outcome(lambda: yaml.load(text, Loader=loader))


def _types(value):
    """The type of every value in `value` (True and 1 are equal; a bool is not an int here)."""
    if isinstance(value, dict):
        return [(type(key).__name__, _types(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


def test_records_without_envelopes_are_written_to_json_alike_without_a_copy():
    """The index writes a record read from a file without envelopes as JSON without copying it
    first (`unlocked`): the same text as the copy gives, Decimals exact, on every demo file."""
    from crmcli.model.jsonish import dumps

    records = [codec.decode(path.read_bytes()) for path in sorted(DEMO.rglob("*.yaml"))
               if b"ENC[age," not in path.read_bytes()]
    assert len(records) > 100 and any(isinstance(v, Decimal) for r in records for v in r.get("totals", {}).values())
    for record in records:
        assert dumps(record, unlocked=True) == dumps(record)
