"""Round trip (issue 10, item 1): whatever the model can hold comes back unchanged.

Records go through the real writer (a `Repo.writing()` transaction, which renders with
`document.render`) and come back through every real reader: `Repo.load` (the codec), the
index's own parse (`parse_file`, stored as JSON), and `crm … --format json` after a
`crm reindex`. Equality is strict: same types, Decimals with the same digits
(`1250.50` stays `1250.50`, never `1250.5`), text to the last trailing space.

Also here: money (order totals and payments through the writer, the ledger's sums) and
every accepted form of a typed date. Example counts: `CRM_EXAMPLES`, or `--runslow`.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import examples, run_crm
from crmcli import open_repo
from crmcli.model.dates import FIRST_YEAR, LAST_YEAR, Clock, parse_day, parse_due, parse_moment, read_day
from crmcli.model.jsonish import loads as from_json
from crmcli.model.kinds import KINDS
from crmcli.model.money import MINOR_UNITS, rounded
from crmcli.model.orders import line_net
from crmcli.store import codec
from crmcli.store.index import Stat, parse_file

SETTINGS = settings(max_examples=examples(40, 400), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COERCIBLE = ["yes", "no", "on", "off", "y", "n", "null", "Null", "~", "true", "False", "1e3", "0x10", "0o17",
             "012", "0755", "1_000", "+1", ".5", "-.inf", ".nan", "2026-01-01", "2026-01-01T10:00:00+08:00",
             "2026-02-30", "1:30", "1:30:00", "<<", "=", "...", "---", "- x", "? x", "!x", "&a", "*a", "%x",
             "@x", "`x", "a #b", "a: b", "{x}", "[x]", "'x'", '"x"', "|", ">"]
SHAPES = ["", " ", "  lead", "trail  ", "多行\n文本\n", "line\n  indented\n", "trailing  \nspace  \n", "\n\nblank",
          "tab\tin", "crlf\r\nend", "cr\rend", "nbsp\u00a0", "\u3000全角空格", "emoji 🎉👩‍👩‍👧", "e\u0301", "\u202eltr",
          "\x1b[31mred", "a\x85b", "\ufeffbom", "[red]x[/red]", "[link=file:///etc/passwd]x[/link]"]

characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
free_text = st.one_of(
    st.text(characters, max_size=60),
    st.text(st.sampled_from("华强电子深圳张伟采购经理🎉😀é"), min_size=1, max_size=20),
    st.sampled_from(COERCIBLE + SHAPES),
    st.lists(st.sampled_from(COERCIBLE + SHAPES + ["x", "末尾 "]), min_size=2, max_size=5).map("\n".join),
    st.builds(lambda piece, count: piece * count, st.sampled_from(["ab ", "长", "🎉", "x\n"]), st.integers(300, 2000)),
)
name_text = free_text.filter(lambda text: text != "")
one_word = st.one_of(st.sampled_from(COERCIBLE), st.text(characters, min_size=1, max_size=20)).filter(
    lambda text: text and not any(c.isspace() or c == "," for c in text))
phones = st.from_regex(r"\A0[0-9]{2,3} ?[0-9]{4} ?[0-9]{4}\Z") | st.sampled_from(
    ["0755 8888 0000", "+86 (755) 8888-0000", "012", "0x10", "1e3"])
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False,
                      places=2)
scalars = st.one_of(free_text, amounts, st.decimals(allow_nan=False, allow_infinity=False, places=6,
                                                    min_value=-1000, max_value=1000),
                    st.integers(-10**15, 10**15), st.booleans(), st.none())
custom_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                             | st.dictionaries(st.text("abcxyz_长", min_size=1, max_size=6), inner, max_size=3),
                             max_leaves=10)
contacts = st.lists(st.fixed_dictionaries({"name": name_text}, optional={
    "title": free_text, "phones": st.lists(phones, max_size=2), "wechat": one_word, "primary": st.booleans()}),
    max_size=3)
parties = st.fixed_dictionaries({"name": name_text}, optional={
    "industry": free_text, "tags": st.lists(one_word, max_size=5, unique=True), "owner": free_text,
    "region": free_text, "phones": st.lists(phones, max_size=3), "emails": st.just([]),
    "addresses": st.lists(st.fixed_dictionaries({}, optional={"street": free_text, "city": free_text,
                                                               "postcode": st.sampled_from(["012345", "0x10", "1e3"])}),
                          max_size=2),
    "payment_terms": free_text, "contacts": contacts, "notes": free_text, "custom": st.dictionaries(
        st.text("abcdefghij_", min_size=1, max_size=8), custom_values, max_size=4)})


def identical(a, b) -> bool:
    """Equal in value and type, recursively; Decimals also in their digits (1.50 is not 1.5)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(identical(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(identical, a, b))
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.as_tuple() == b.as_tuple()
    return type(a) is type(b) and a == b


def ordered(record: dict, kind: str) -> dict:
    """`record` with its keys in the schema's order, as the writer puts them."""
    from crmcli.store.schemas import schema

    order = list(schema(KINDS[kind].schema)["properties"])
    return {key: record[key] for key in sorted(record, key=order.index)}


_ids = itertools.count()


def read_back(root: Path, ref: str) -> list[dict]:
    """The record at `ref` as each real reader sees it: the codec, and the index's parse."""
    path = root / f"{ref}.yaml"
    loaded = open_repo(root).load(ref).data
    derived = parse_file(root, f"{ref}.yaml", Stat.of(path.stat()))
    assert derived.row[8] is None, derived.row[8:10]
    return [loaded, from_json(derived.row[7])]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("roundtrip") / "data"
    result = run_crm("init", root, "--no-git", "--name", "Round Trip", "--me", "li", "--timezone", "Asia/Shanghai")
    assert result.code == 0, result.err
    return root


@SETTINGS
@given(party=parties, edit=parties)
def test_any_party_survives_the_writer_and_every_reader(data_dir, party, edit):
    repo = open_repo(data_dir)
    party["id"] = f"p{next(_ids)}"
    with repo.writing("round trip") as tx:
        ref = tx.put(KINDS["customer"], dict(party), new=True)
    written = (data_dir / f"{ref}.yaml").read_text(encoding="utf-8")
    for seen in read_back(data_dir, ref):
        assert identical(seen, ordered(party | {k: seen[k] for k in ("created", "updated")}, "customer")), written
    # an edit through the merge path (the old file's layout kept) is read back as written, too
    changed = dict(edit, id=party["id"], created=seen["created"])
    record = repo.load(ref)
    record.data = changed
    with open_repo(data_dir).writing("round trip edit") as tx:
        tx.update(record)
    for seen in read_back(data_dir, ref):
        assert identical(seen, ordered(changed | {"updated": seen["updated"]}, "customer"))


def test_very_long_values_and_empty_lists_survive(data_dir):
    party = {"id": "long-values", "name": "长" * 50_000, "notes": ("line with trailing space \n" * 20_000),
             "tags": [], "phones": [], "contacts": [],
             "custom": {"empty": [], "nested": {"list": []}, "big": "x" * 300_000}}
    with open_repo(data_dir).writing("long") as tx:
        ref = tx.put(KINDS["customer"], dict(party), new=True)
    for seen in read_back(data_dir, ref):
        assert identical(seen, ordered(party | {k: seen[k] for k in ("created", "updated")}, "customer"))


def test_typed_text_survives_the_command_line_and_a_cold_index(empty):
    """What a person types into text fields comes back from `--format json` after a full reindex
    (three texts a party: its note, payment terms and industry; then an edit of some)."""
    texts = COERCIBLE + SHAPES[2:]
    typed = {f"typed-{n}": (texts[n], texts[n - 1], texts[n - 2]) for n in range(0, len(texts), 3)}
    for party_id, (note, terms, industry) in typed.items():
        result = empty("customer", "add", f"Name {note}", "--force", "--id", party_id, "--note", note, "--terms", terms,
                       "--industry", industry)
        assert result.code == 0, result.err
    edited = dict(list(typed.items())[::3])
    for party_id, (note, _, _) in edited.items():
        assert empty("customer", "edit", party_id, "--set", f"industry={note}").code == 0
    assert empty("reindex").code == 0
    listed = {record["id"]: record for record in empty("customer", "list", "--format", "json").json()}
    for party_id, (note, terms, industry) in typed.items():
        record = listed[party_id]
        assert record["name"] == f"Name {note}".strip(), party_id  # a typed name is trimmed, nothing else
        expected = (note, terms, note if party_id in edited else industry)
        assert (record["notes"], record["payment_terms"], record["industry"]) == expected, party_id


# --------------------------------------------------------------------------- money

CURRENCIES = st.sampled_from(["CNY", "JPY", "KWD", "EUR"])
typed_lines = st.lists(st.tuples(st.integers(1, 999), st.decimals("0.001", "99999.999", places=3),
                                 st.sampled_from(["", " -3%", " -12.5%", " -0.5%"]),
                                 st.sampled_from(["", " tax 13%", " tax 6%", " tax 0%"])), min_size=1, max_size=6)


@SETTINGS
@given(lines=typed_lines, code=CURRENCIES, payments=st.lists(st.integers(1, 97), min_size=1, max_size=4))
def test_order_totals_and_payments_are_exact_in_the_file(data_dir, lines, code, payments):
    """Typed lines → the order file: totals are the exact sums rounded once to the currency's minor
    units and written with exactly those decimals; payments leave exactly what they should."""
    from crmcli.actions.orders import add_order, pay

    repo = open_repo(data_dir)
    if not repo.exists("customers/buyer"):
        with repo.writing("buyer") as tx:
            tx.put(KINDS["customer"], {"id": "buyer", "name": "Buyer"}, new=True)
    typed = [f"Item {chr(65 + n)} {quantity} @ {price}{discount}{tax}"
             for n, (quantity, price, discount, tax) in enumerate(lines)]
    order = add_order(repo, "sale", repo.load("customers/buyer"), lines=typed, currency=code, status="confirmed")
    text = (data_dir / order.path).read_text(encoding="utf-8")
    stored = codec.decode(text.encode())
    places = MINOR_UNITS[code]
    exact_net = sum(line_net(line) for line in stored["lines"])
    exact_tax = sum(line_net(line) * line.get("tax_rate", 0) for line in stored["lines"])
    totals = stored["totals"]
    assert totals["net"] == rounded(exact_net, code) and totals["tax"] == rounded(exact_tax, code)
    assert totals["gross"] == totals["net"] + totals["tax"]
    for key in ("net", "tax", "gross"):  # written with the minor units (a whole yen as 3702.0: still a Decimal)
        assert isinstance(totals[key], Decimal) and totals[key] == rounded(totals[key], code), (key, text)
        assert totals[key].as_tuple().exponent == (-places if places else -1), (key, text)
    gross = totals["gross"]
    paid = Decimal(0)
    for share in payments:
        amount = rounded(gross * share / 100, code)
        if amount <= 0 or paid + amount > gross:
            continue
        left = pay(repo, open_repo(data_dir).load(order.ref), format(amount, "f"))
        paid += amount
        assert left == gross - paid
    for reader in read_back(data_dir, order.ref):
        assert sum(p["amount"] for p in reader["payments"]) == paid
        assert identical(reader["totals"], totals)
    shown = run_crm("--data-dir", data_dir, "order", "show", order.id, "--format", "json")
    assert shown.code == 0, shown.err


@pytest.mark.parametrize("by", [[], ["--by", "month"], ["--by", "owner,quarter"]])
def test_the_ledger_sums_exactly_what_the_files_hold(demo, by):
    """Each currency's ledger totals are the exact sums of the counted orders' files, and its rows
    add up to them."""
    ledger = demo("ledger", "--period", "2026", *by, "--format", "json").json()["currencies"]
    expected: dict[str, dict[str, Decimal]] = {}
    for path in demo.files("orders"):
        order = demo.read(path.relative_to(demo.root).as_posix())
        if order["kind"] != "sale" or not order["date"].startswith("2026") or order["status"] in ("draft", "cancelled"):
            continue
        sums = expected.setdefault(order["currency"], dict.fromkeys(("net", "tax", "gross", "paid"), Decimal(0)))
        for key in ("net", "tax", "gross"):
            sums[key] += order["totals"][key]
        sums["paid"] += sum((p["amount"] for p in order.get("payments") or []), Decimal(0))
    assert expected and set(ledger) == set(expected)
    for code, sums in expected.items():
        total = ledger[code]["total"]
        assert {key: total[key] for key in sums} == sums, code
        assert total["outstanding"] == sums["gross"] - sums["paid"]
        leaves = [row for row in ledger[code]["rows"] if "orders" in row and (not by or len(by[1].split(",")) == 1
                                                                              or row.get("quarter") is None)]
        if not by:
            assert sum(row["gross"] for row in leaves) == sums["gross"]


# --------------------------------------------------------------------------- dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _clock(today: date, hour: int = 10) -> Clock:
    return Clock(SHANGHAI, datetime(today.year, today.month, today.day, hour, 30, tzinfo=SHANGHAI))


def _forms(day: date, today: date) -> dict[str, date]:
    """Ways of typing a day, each with the day it must mean (as of `today`)."""
    from dateutil.relativedelta import relativedelta

    delta = (day - today).days
    ahead = (day.weekday() - today.weekday()) % 7
    forms = {
        day.isoformat(): day,
        f"{day.isoformat()} 15:00": day,
        f"{day.isoformat()}T15:00:00+08:00": day,
        f"{day.isoformat()}T03:00:00Z": day,
        f"{day.day} {MONTHS[day.month - 1]} {day.year}": day,
        f"{MONTHS[day.month - 1][:3]} {day.day} {day.year}": day,
        f"{day.year}/{day.month:02d}/{day.day:02d}": day,
        f"{'+' if delta >= 0 else '-'}{abs(delta)}d": day,
        f"+{abs(delta) // 7}w": today + timedelta(weeks=abs(delta) // 7),
        f"-{abs(delta) // 7}w": today - timedelta(weeks=abs(delta) // 7),
        "+3m": today + relativedelta(months=3), "-1y": today - relativedelta(years=1),
        "today": today, "tomorrow": today + timedelta(1), "yesterday": today - timedelta(1),
        "今天": today, "明天": today + timedelta(1), "昨天": today - timedelta(1), "后天": today + timedelta(2),
        "前天": today - timedelta(2), "now": today, "tomorrow 9:00": today + timedelta(1), "+20h": today + timedelta(1),
        WEEKDAY_NAMES[day.weekday()]: today + timedelta(ahead),
        f"next {WEEKDAY_NAMES[day.weekday()]}": today + timedelta(ahead or 7),
        f"last {WEEKDAY_NAMES[day.weekday()]}": today + timedelta((ahead - 7) if ahead else -7),
        f"{WEEKDAY_NAMES[day.weekday()][:3]} 15:00": today + timedelta(ahead),
    }
    if (day.month, day.day) != (2, 29) or today.year % 4 == 0 and (today.year % 100 or today.year % 400 == 0):
        forms[f"{MONTHS[day.month - 1][:3]} {day.day}"] = day.replace(year=today.year)  # this year's
    return forms


@settings(max_examples=examples(150, 2000), deadline=None)
@given(today=st.dates(date(1990, 1, 1), date(2100, 12, 31)), delta=st.integers(-36500, 36500))
def test_every_accepted_form_of_a_day_means_that_day(today, delta):
    day = today + timedelta(delta)
    assume(FIRST_YEAR <= day.year <= LAST_YEAR)  # typed dates outside are refused (test_hostile_input)
    clock = _clock(today)
    for text, meant in _forms(day, today).items():
        if not FIRST_YEAR <= meant.year <= LAST_YEAR:
            continue  # `-Nw` mirrors a forward delta backwards, and may leave the range
        assert parse_day(text, clock) == meant, text
        stored = parse_due(text, clock)
        assert read_day(stored, clock) == meant, (text, stored)
        moment = parse_moment(text, clock)
        assert moment.tzinfo is not None and moment.astimezone(SHANGHAI).date() == meant, text
