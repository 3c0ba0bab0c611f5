"""The store's questions (store/questions.py): what a use case can ask, and that nothing a
user types ever becomes SQL text — it reaches SQLite only as a bound value."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmcli import open_repo
from crmcli.errors import CrmError
from crmcli.model.dates import Clock
from crmcli.query.compile import Query, compile_query
from crmcli.store.questions import Match

MARK = "ZQXJ"
"""A token no SQL of ours contains: if it shows in a statement, a value was spliced in."""
HOSTILE = ["'", '"', ";", "--", "/*", "*/", ")", "(", "%", "_", "\\", "' OR 1=1 --", "\"; DROP TABLE files; --",
           "') UNION SELECT path, data FROM files --", "$.", "->>", "\x00", "张伟'"]
CLOCK = Clock.create(ZoneInfo("Asia/Shanghai"), "2026-11-22")

hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=4), min_size=1, max_size=4).map(
    lambda parts: MARK + "".join(parts))


def _statements(repo) -> list[tuple[str, tuple]]:
    """Every statement the index runs from now on, with its bound values."""
    seen: list[tuple[str, tuple]] = []
    db = repo.index.db

    class Recording:
        def execute(self, sql, params=()):
            seen.append((sql, tuple(params)))
            return db.execute(sql, params)

        def __getattr__(self, name):
            return getattr(db, name)

    repo.index_store().db = Recording()  # type: ignore[assignment]
    return seen


@settings(max_examples=60, deadline=None)
@given(value=hostile_text, field=st.sampled_from(["name", "tag", "city", "status", "contacts.title", "note", ""]),
       op=st.sampled_from([":", "=", "!="]))
def test_query_terms_are_bound_values_never_sql(value, field, op):
    quoted = '"' + value.replace('"', "") + '"'
    query = f"{field}{op}{quoted}" if field else quoted
    try:
        compiled = compile_query(query, CLOCK)
    except CrmError:
        return  # refused with a message: nothing reached SQL
    assert MARK not in compiled.sql
    assert compiled.sql in ("0", "1") or MARK.lower() in " ".join(str(p).lower() for p in compiled.params)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile_text)
def test_the_store_binds_every_value_it_is_given(demo, value):
    repo = open_repo(demo.root)
    seen = _statements(repo)
    quoted = '"' + value.replace('"', "") + '"'
    matches = [Match(query=Query(quoted)), Match(party=value),
               Match(one_of={"status": (value,)}), Match(mentions=value),
               Match(listing=("lines.sku", value)), Match(id_is=value), Match(id_starts=value),
               Match(owned_by=value), Match(kinds=("customer",), query=Query(f"name:{quoted} OR tag:{quoted}"))]
    for match in matches:
        del seen[:]
        assert repo.ask.records(match) == []
        assert seen and all(MARK not in sql for sql, _ in seen)
        assert any(MARK.lower() in str(p).lower() for _, params in seen for p in params)
    del seen[:]
    deals = repo.records("deal")
    assert len(repo.records("deal", Match(none_of={"stage": (value,)}))) == len(deals)
    assert all(MARK not in sql for sql, _ in seen) and any(value in params for _, params in seen)
    del seen[:]
    assert repo.ask.external_keys("customer", value) == {}
    assert all(MARK not in sql for sql, _ in seen) and any(value in params for _, params in seen)
    del seen[:]
    assert repo.ask.emails([value, f"<{value}>"]) == {}
    assert all(MARK not in sql for sql, _ in seen) and any(value in params for _, params in seen)
    assert len(repo.records("customer")) == 17  # the index is whole


def test_a_field_name_that_is_not_plain_is_refused(demo):
    repo = open_repo(demo.root)
    with pytest.raises(ValueError):
        repo.ask.records(Match(one_of={"status') OR 1=1 --": ("x",)}))


def test_hostile_text_in_a_record_is_found_as_written(demo):
    """A value with quotes and SQL in it is data: found by the field it is in, and by id prefix."""
    repo = open_repo(demo.root)
    nasty = "O'Brien\"; DROP TABLE files; --"
    with repo.writing("test") as tx:
        tx.add(repo.records("customer")[0].kind, {"id": "obrien", "name": nasty, "entity": "person",
                                                   "lifecycle": "lead"})
    found = repo.ask.records(Match(kinds=("customer",), query=Query('name:"O\'Brien"')))
    assert [r.id for r in found] == ["obrien"]
    assert [r.id for r in repo.records("customer", Match(id_starts="OBR"))] == ["obrien"]
    assert repo.ask.records(Match(one_of={"name": (nasty,)}))[0].id == "obrien"


def test_emails_are_found_by_message_id_in_batches(mine, tmp_path):
    """`crm mail` asks which Message-IDs are logged (a thousand at once, in batches)."""
    import mailbox

    from mails import thunderbird

    box = mailbox.Maildir(tmp_path / "Mail", create=True)
    box.add(thunderbird("<q1@angstrom>", "Asked for"))
    box.close()
    assert mine("mail", "import", tmp_path / "Mail").code == 0
    repo = open_repo(mine.root)
    found = repo.ask.emails([f"<n{n}@x>" for n in range(1200)] + ["<q1@angstrom>"])
    assert list(found) == ["<q1@angstrom>"]
    [(ref, party, thread)] = found["<q1@angstrom>"]
    assert ref.startswith("interactions/2026/11/IN-20261120-") and party == "customers/angstrom-components"
    assert thread == "<q1@angstrom>"


@pytest.mark.parametrize("day", ["2026-03-31", "2026-07-15", "2026-10-20"])
def test_a_pinned_state_is_the_same_in_sql_and_in_the_records(demo, day):
    """A run pinned to a day winds a status (a deal's stage) back to its last move by then:
    the store's SQL (what lists, the ledger and order summaries filter and group by) and the
    records it returns (`workflow.moved_as_of`) agree, record by record."""
    from crmcli.model.workflow import MOVED_FIELDS

    repo = open_repo(demo.root, today=day)
    wound = 0
    for kind, field in MOVED_FIELDS.items():
        records = repo.records(kind)
        wound += sum(r.data.get(field) != repo.records(kind, Match(id_is=r.id, every_day=True))[0].data.get(field)
                     for r in records)
        for state in {r.data.get(field) for r in records}:
            wanted = {r.id for r in records if r.data.get(field) == state}
            assert {r.id for r in repo.records(kind, Match(one_of={field: (state,)}))} == wanted
            assert {r.id for r in repo.records(kind, Match(none_of={field: (state,)}))} == {
                r.id for r in records if r.id not in wanted and r.data.get(field) is not None}
    summaries = {row["id"]: row["status"] for row in repo.ask.order_summaries(Match(kinds=("order",)))}
    assert summaries == {r.id: r.data["status"] for r in repo.records("order")}
    assert wound  # the demo has moves after each of these days
