"""The derived index (`index.sqlite` in the state folder, see store/state.py): a mirror of
the record files for speed.

Tables: `files` (one row per record file: stat, the record as JSON, common filter
columns), `names` (party and contact names with pinyin, for name resolution),
`terms` (every field value of every record, folded, for fielded queries), `fts`
(FTS5 full text: names with their pinyin, and all other text), and for the agenda
`agenda` (what each record can have fall due, see `agenda_rows`) and `contacts` (each
party's latest interaction, kept by triggers on `files`).

Each command refreshes it first: folders are listed, every record file is `lstat`ed
and compared by (mtime, size, inode) with what the index saw, as git compares its
index with the work tree; a file whose stat data changed is compared by content (a
digest of its bytes) and parsed again only if that changed too; vanished ones are
dropped. So a hand edit, a `git pull` or a deletion is seen by the very next command,
and a copy of the data directory or a checkout of the same content costs a read, not a
parse. The index never writes a YAML file; a missing, corrupt or old index is thrown
away and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import marshal
import os
import re
import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from stat import S_ISDIR
from typing import NamedTuple

from crmcli.i18n import _
from crmcli.model.jsonish import dumps as to_json
from crmcli.model.kinds import BY_FOLDER, KINDS
from crmcli.model.likeness import duplicate_keys
from crmcli.model.locked import Locked, holds_envelopes
from crmcli.model.money import MINOR_UNITS
from crmcli.model.notices import SKIPPED, Notice
from crmcli.model.orders import OWING_STATES, UNDELIVERED_STATES, balance, counts_toward_target, last_move, line_net
from crmcli.model.record import leaves
from crmcli.model.text import fold, pinyin_forms, pinyin_tokens, words
from crmcli.store import codec, watch
from crmcli.store.fs import TEMP_PREFIX, digest
from crmcli.store.keys import NO_KEYS, keyring
from crmcli.store.scan import Scan, count, scan, stream, walk
from crmcli.store.schemas import accepts, schema_bytes
from crmcli.store.state import regular_or_absent
from crmcli.store.validation import line_of, schema_problems

INDEX_VERSION = "10"
QUANTITY_SCALE = 10 ** 6
"""Line quantities are kept and added as integers of a millionth (exact), then made Decimals again."""
SCHEMA_NAMES = ("common", *sorted({kind.schema for kind in BY_FOLDER.values()}))


@functools.cache
def index_version() -> str:
    """INDEX_VERSION with a digest of the record schemas: the index keeps each file's schema
    problems, so an index made under other schemas (crm upgraded, or a schema edited in a
    development tree) is rebuilt rather than trusted, and `crm check` sees what the schemas
    of today refuse."""
    schemas = hashlib.sha256(b"\0".join(schema_bytes(name) for name in SCHEMA_NAMES)).hexdigest()[:16]
    return f"{INDEX_VERSION}-{schemas}"
INDEX_FILE = "index.sqlite"
PARALLEL_FROM = 2000
BULK_FROM = 2000
"""A refresh of this many files into an empty index is a cold build (see `Index._build`)."""
BATCH = 500
IN_FLIGHT = 3
"""Batches handed to each worker at a time in a parallel parse (see `_parse_all`)."""
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
UNSEARCHED = {"id", "created", "updated"}
EVERYTHING = "*"
"""In `Index.fresh`: a watcher's answer brought every folder up to date in this command."""

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    file_id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    id TEXT,
    title TEXT,
    mtime INTEGER NOT NULL,
    size INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    data TEXT,
    error TEXT,
    line INTEGER,
    party TEXT,
    day TEXT,
    due TEXT,
    dir TEXT NOT NULL,
    hash TEXT,
    open_step INTEGER
);
CREATE INDEX files_dir ON files(dir);
CREATE INDEX files_broken ON files(path) WHERE error IS NOT NULL;
CREATE TABLE dirs(path TEXT PRIMARY KEY, count INTEGER, mtime INTEGER, size INTEGER, ino INTEGER, names INTEGER);
CREATE INDEX files_kind_day ON files(kind, day);
CREATE INDEX files_party ON files(party);
CREATE INDEX files_id ON files(id);
CREATE INDEX files_ranked ON files(file_id, kind, day, title, id);
CREATE INDEX files_due ON files(due) WHERE due IS NOT NULL;
CREATE INDEX files_undated ON files(kind) WHERE open_step = 1 AND due IS NULL;
CREATE TABLE names(file_id INTEGER NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL, folded TEXT NOT NULL,
                   pinyin TEXT, initials TEXT);
CREATE INDEX names_file ON names(file_id);
CREATE TABLE terms(file_id INTEGER NOT NULL, field TEXT NOT NULL, text TEXT, num REAL, day TEXT);
CREATE INDEX terms_file ON terms(file_id);
CREATE INDEX terms_field_text ON terms(field, text);
CREATE INDEX terms_field_day ON terms(field, day) WHERE day IS NOT NULL;
CREATE VIRTUAL TABLE fts USING fts5(name, body, tokenize='unicode61 remove_diacritics 2');
""" + """
CREATE TABLE order_facts(file_id INTEGER PRIMARY KEY, kind TEXT, currency TEXT, scale INTEGER, date TEXT, day TEXT,
                         party TEXT, owner TEXT, region TEXT, type TEXT, status TEXT, counted INTEGER,
                         payment_due TEXT, net INTEGER, discount INTEGER, tax INTEGER, gross INTEGER,
                         quantity INTEGER, paid INTEGER, paid_through TEXT, moved_through TEXT, exact INTEGER);
CREATE INDEX order_facts_inexact ON order_facts(file_id) WHERE exact = 0;
CREATE TABLE order_payments(file_id INTEGER NOT NULL, day TEXT, amount INTEGER);
CREATE INDEX order_payments_file ON order_payments(file_id);
CREATE TABLE order_lines(file_id INTEGER NOT NULL, product TEXT, sku TEXT, quantity TEXT, listed TEXT, net TEXT,
                         tax TEXT);
CREATE INDEX order_lines_file ON order_lines(file_id);
CREATE TABLE agenda(file_id INTEGER NOT NULL, ref TEXT NOT NULL, dated TEXT, rule TEXT NOT NULL, day TEXT, party TEXT,
                    owner TEXT, what TEXT, more TEXT, amount TEXT, currency TEXT, moved TEXT);
CREATE INDEX agenda_rule_day ON agenda(rule, day);
CREATE INDEX agenda_file ON agenda(file_id);
CREATE INDEX agenda_party ON agenda(party, owner, what, more, day) WHERE rule = 'party';
CREATE INDEX files_contact ON files(party, day) WHERE kind = 'interaction';
CREATE TABLE contacts(party TEXT PRIMARY KEY, last TEXT NOT NULL) WITHOUT ROWID;
CREATE TRIGGER contacts_added AFTER INSERT ON files WHEN new.kind = 'interaction' AND new.party IS NOT NULL
        AND new.day IS NOT NULL BEGIN
    INSERT INTO contacts VALUES (new.party, new.day) ON CONFLICT (party) DO UPDATE SET last = max(last, excluded.last);
END;
CREATE TRIGGER contacts_dropped AFTER DELETE ON files WHEN old.kind = 'interaction' AND old.party IS NOT NULL BEGIN
    DELETE FROM contacts WHERE party = old.party AND last = old.day;
    INSERT INTO contacts SELECT party, max(day) FROM files
        WHERE kind = 'interaction' AND party = old.party AND day IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM contacts WHERE party = old.party) GROUP BY party;
END;
"""
"""The agenda's section (`agenda_rows`): what `crm today` and `crm remind due` read, one narrow
row per thing that can fall due; and each party's latest interaction (`contacts`), which
SQLite keeps as interactions come and go, so a follow-up needs no scan of them."""
CONTACTS = ("INSERT INTO contacts SELECT party, max(day) FROM files WHERE kind = 'interaction' AND party IS NOT NULL "
            "AND day IS NOT NULL GROUP BY party")
"""`contacts` made in one statement from the files stored, as its triggers would have kept it
row by row: a cold build makes its triggers after its rows (the upsert of each interaction was
most of the cost of storing the files)."""
SCHEMA += """
CREATE TABLE party_keys(file_id INTEGER NOT NULL, what TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX party_keys_file ON party_keys(file_id);
CREATE INDEX party_keys_key ON party_keys(key, what);
"""
"""What a party shares with a twin (model.likeness `duplicate_keys`: its name without the
legal form, emails, phones, tax id), so `crm customer add` looks for likely duplicates among
a few rows instead of decoding every party."""
FILE_COLUMNS = ("file_id, path, kind, id, title, mtime, size, ino, data, error, line, party, day, due, dir, hash, "
                "open_step")


class Stat(NamedTuple):
    """A file's stat data as the index compares them (a tuple: a cold build holds one per file,
    and every command defines the class, which as a slotted frozen dataclass cost about 1 ms)."""

    mtime: int
    size: int
    ino: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stat:
        return cls(st.st_ctime_ns, st.st_size, st.st_ino)  # the change time, as the scan (see scan.Entry)


def _statements(script: str) -> list[str]:
    """The SQL statements of `script`, each whole: a trigger's body holds `;` of its own."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


class Derived(NamedTuple):
    """Everything the index keeps about one file (the file_id is given when stored). A named
    tuple, not a dataclass: every command defines it at start-up, at a fraction of the cost."""

    row: tuple
    names: Sequence[tuple] = ()
    terms: Sequence[tuple] = ()
    fts: tuple | None = None
    order: tuple | None = None
    payments: Sequence[tuple] = ()
    lines: Sequence[tuple] = ()
    agenda: Sequence[tuple] = ()
    keys: Sequence[tuple] = ()


def _term(field_path: str, value, text_words: str | None = None) -> tuple:
    """A row of `terms`: the field, its words (`text_words`, when made already), its number,
    its day."""
    if isinstance(value, bool):
        return field_path, "true" if value else "false", None, None
    if isinstance(value, (int, Decimal)):
        return field_path, format(value, "f") if isinstance(value, Decimal) else str(value), float(value), None
    text = str(value)
    return field_path, (words(text) if text_words is None else text_words)[:1000], None, \
        text[:10] if ISO_DAY.match(text) else None


def _terms(record: dict, title_field: str) -> tuple[list[tuple], str]:
    """The `terms` rows of a record (see `_term`) and the words of its full text's body (every
    text but the title and UNSEARCHED fields), in one pass: this runs for every value of
    every record, and text, most of them, is made into words once."""
    rows, body = [], []
    for field_path, value in leaves(record):
        text = words(value) if isinstance(value, str) else None
        rows.append(_term(field_path, value, text))
        if text and field_path not in UNSEARCHED and field_path != title_field:
            body.append(text)
    return rows, " ".join(body)


def _names(kind, record: dict) -> list[tuple]:
    if not kind.is_party:
        return []
    named = [("name", record.get("name"))]
    named += [("contact", c.get("name")) for c in record.get("contacts") or [] if isinstance(c, dict)]
    rows = []
    for role, name in named:
        if isinstance(name, str) and name.strip():
            syllables, initials = pinyin_forms(name) or (None, None)
            rows.append((role, name, fold(name), syllables, initials))
    return rows


def _open_step(kind, record: dict) -> tuple[bool, object]:
    """Whether the record is an open next step or an open reminder, and when it falls due:
    the `open_step` and `due` columns `crm today` reads (an open step without a day is
    listed as undated)."""
    if kind.name == "reminder":
        return record.get("status") != "done", record.get("due") if record.get("status") != "done" else None
    step = record.get("next")
    if isinstance(step, dict) and not step.get("done"):
        return True, step.get("due")
    return False, None


# --- The agenda's rows (crm today, crm remind due; read by store/questions.py `Questions.dues`) ---

def _text(value) -> str | None:
    """A field's value as text, as SQLite's `->>` reads it from the stored JSON (a protected
    value that cannot be opened is its envelope)."""
    return None if value is None else value.envelope if isinstance(value, Locked) else str(value)


def agenda_rows(kind, ref: str, record: dict) -> list[tuple]:
    """(rule, day, party, owner, what, more, amount, currency, moved) of what in this record
    the agenda's rules read, so that they ask SQL for the few rows due instead of decoding
    every record; the index adds the record's reference and day to each. The rows hold the
    record's own facts only (a party's owner or its latest contact are looked up when asked),
    so they are as fresh as the file's row:
    `party`: a party's created, cadence (what) and lifecycle (more), for follow-ups;
    `birthdays`: a contact's birthday and name; `next_steps`: an open next step's due day and
    action; `deliveries`: an order still to deliver, its kind and status; `payments`: an order
    owed on with money left to pay, its kind and balance; an order's rows carry the last day
    it moved (model.orders.last_move: a view pinned before it winds the order back itself),
    and one `moved` row says it again for such views to find."""
    if kind.is_party:
        owner = _text(record.get("owner"))
        contacts = record.get("contacts")
        contacts = contacts if isinstance(contacts, list) else []
        return [("party", _text(record.get("created")), ref, owner, _text(record.get("follow_up_every")),
                 _text(record.get("lifecycle")), None, None, None)] + [
            ("birthdays", _text(contact["birthday"]), ref, owner, _text(contact.get("name")), None, None, None, None)
            for contact in contacts if isinstance(contact, dict) and contact.get("birthday") is not None]
    if kind.name == "order":
        return order_rows(record)
    step = record.get("next")
    if kind.name == "interaction" and isinstance(step, dict) and not step.get("done") and step.get("due") is not None:
        return [("next_steps", str(step["due"]), *_about(record), _text(step.get("action")), None, None, None, None)]
    return []


def _about(record: dict) -> tuple[str | None, str | None]:
    """The party a record is about and its own owner, as its agenda rows hold them."""
    return record.get("party") if isinstance(record.get("party"), str) else None, _text(record.get("owner"))


def order_rows(order: dict) -> list[tuple]:
    """The agenda's rows of an order (see `agenda_rows`), as it stands or as of a day (`as_of`)."""
    party, owner = _about(order)
    rows: list[tuple] = []
    moved = last_move(order)
    if moved is not None:
        rows.append(("moved", moved, party, owner, None, None, None, None, moved))
    status = order.get("status")
    if status in UNDELIVERED_STATES and order.get("delivery_due") is not None:
        rows.append(("deliveries", str(order["delivery_due"]), party, owner, _text(order.get("kind")), status,
                     None, None, moved))
    if status in OWING_STATES and order.get("payment_due") is not None:
        try:
            owed = balance(order)
        except (ArithmeticError, TypeError, KeyError):  # an amount protected and locked: nothing to count
            owed = Decimal(0)
        if owed is not None and owed > 0:  # None: payments this reader cannot open, for one who can
            rows.append(("payments", str(order["payment_due"]), party, owner, _text(order.get("kind")), status,
                         str(owed), _text(order.get("currency")), moved))
    return rows


def derive(path: str, stat: Stat, record: dict | None = None, error: str | None = None,
           line: int | None = None, content: str | None = None, sealed: bool = True) -> Derived:
    """The index rows for one file: the record with its columns, or why it could not be read;
    `content` is the digest of the bytes it was read from; not `sealed`: read from a file
    without envelopes, so it holds no Locked."""
    kind = BY_FOLDER[path.split("/", 1)[0]]
    folder = path.rsplit("/", 1)[0]
    if record is None:
        return Derived((path, kind.name, None, None, stat.mtime, stat.size, stat.ino, None, error, line,
                        None, None, None, folder, content, None))
    title = str(record.get(kind.title_field) or "")
    day = record.get("at") or record.get("date") or record.get("created")
    step_open, due = _open_step(kind, record)
    party = record.get("party") if isinstance(record.get("party"), str) else None
    record_id = str(record["id"]) if record.get("id") is not None else None
    names = _names(kind, record)
    name_text = " ".join([words(title), words(record_id or "")]
                         + [f"{words(name)} {pinyin_tokens(syllables, initials)}"
                            for _role, name, _folded, syllables, initials in names])
    terms, body_text = _terms(record, kind.title_field)
    order, payments, lines = order_facts(record, day) if kind.name == "order" else (None, [], [])
    return Derived(
        (path, kind.name, record_id, fold(title), stat.mtime, stat.size, stat.ino,
         to_json(record, unlocked=not sealed), None, None, party, str(day) if day is not None else None,
         str(due) if due is not None else None, folder, content, 1 if step_open else None),
        names,
        terms,
        (name_text, body_text),
        order,
        payments,
        lines,
        [(path[:-5], str(day) if day is not None else None, *row) for row in agenda_rows(kind, path[:-5], record)],
        duplicate_keys(record) if kind.is_party else [],
    )


# --- Order facts: what the ledger, the receivables and a party's balance add, per order ---

class _Inexact(Exception):
    """An amount that is not a whole number of its unit (a hand edit): the order's facts are
    kept without sums, and the questions that add them read the orders instead."""


def _units(value, scale: int) -> int:
    """`value` (a Decimal, int or its text) as an exact whole number of 1/`scale`."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _Inexact
    try:
        units = Decimal(value) * scale
    except ArithmeticError as error:
        raise _Inexact from error
    if not units.is_finite() or units != units.to_integral_value() or abs(units) >= 10 ** 17:
        raise _Inexact
    return int(units)


def _day_of(value) -> str:
    return str(value or "")[:10]


def order_facts(record: dict, day) -> tuple[tuple, list[tuple], list[tuple]]:
    """The `order_facts` row of an order (its money as integers of its currency's minor unit,
    line quantities in millionths, so SQLite adds them exactly) and its `order_payments` rows
    (day, amount). A payment whose amount is protected and cannot be read here (a `Locked`)
    has no amount: a sum over it is unknown, never a number. Dates say which payments and
    moves of its history a run pinned to an earlier day must leave out (`paid_through`,
    `moved_through`). With them, its `order_lines` rows (`line_facts`)."""
    code = str(record.get("currency") or "")
    scale = 10 ** MINOR_UNITS.get(code, 2)
    totals = record.get("totals")
    if not isinstance(totals, dict):
        totals = {}
    payments: list = record.get("payments") or []
    if not isinstance(payments, list):  # protected as a whole and not opened here: one unknown payment
        payments = [None]
    history = [h for h in record.get("history") or [] if isinstance(h, dict)]
    try:
        lines = line_facts(record)
        sums: tuple = (*(_units(totals.get(key, 0), scale) for key in ("net", "discount", "tax", "gross")),
                       sum(_units(line.get("quantity", 0), QUANTITY_SCALE) for line in record.get("lines") or []
                           if isinstance(line, dict)))
        paid_rows = [_payment(p, scale) for p in payments]
        exact = 1
    except _Inexact:
        sums, paid_rows, exact, lines = (None,) * 5, [("", None) for _payment in payments], 0, []
    amounts = [amount for _day, amount in paid_rows]
    paid = None if None in amounts else sum(a for a in amounts if a is not None)
    row = (record.get("kind"), code, scale, _day_of(record.get("date")), str(day) if day is not None else None,
           record.get("party"), record.get("owner"), record.get("region"), record.get("type"), record.get("status"),
           1 if counts_toward_target(record) else 0, _day_of(record.get("payment_due") or record.get("date")),
           *sums, paid, max((d for d, _amount in paid_rows), default=""),
           max((_day_of(h.get("at")) for h in history), default=""), exact)
    return tuple(v if v is None or isinstance(v, (int, str)) else str(v) for v in row), paid_rows, lines


def line_facts(record: dict) -> list[tuple]:
    """(product, sku, quantity, listed, net, tax) of each line of an order, the amounts as exact
    decimal text: what the ledger adds per product or category, as `model.orders.line_net`
    has it (listed: quantity × unit price; net: less the discount; tax: net × tax rate)."""
    rows = []
    for line in record.get("lines") or []:
        if not isinstance(line, dict):
            raise _Inexact
        try:
            quantity, price = Decimal(line["quantity"]), Decimal(line["unit_price"])
            net = line_net(line)
            tax = net * Decimal(line.get("tax_rate", 0))
        except (KeyError, TypeError, ArithmeticError) as error:
            raise _Inexact from error
        rows.append((line.get("sku") or line.get("description", ""), line.get("sku"), format(quantity, "f"),
                     format(quantity * price, "f"), format(net, "f"), format(tax, "f")))
    return [tuple(v if v is None or isinstance(v, str) else str(v) for v in row) for row in rows]


def _payment(payment, scale: int) -> tuple[str, int | None]:
    """(day, amount in 1/`scale`) of a payment; the amount None when it is protected and not
    opened here (a `Locked`, or a whole payment sealed), and the day "" when that is unknown
    too (then it counts on every day: what was paid is unknown on any)."""
    if not isinstance(payment, dict):
        return "", None
    amount = payment.get("amount", 0)
    if isinstance(amount, str):
        try:
            Decimal(amount)
        except ArithmeticError:
            return _day_of(payment.get("date")), None
    return _day_of(payment.get("date")), _units(amount, scale)


def parse_file(root: Path, path: str, stat: Stat) -> Derived:
    """Read, decode and validate one file. A file its schema rejects is kept out of the
    records like one with a YAML error, so read commands skip it with a warning."""
    try:
        data = codec.read(os.path.join(root, path))  # not a Path made for each file of a cold build
    except codec.RecordSyntaxError as error:
        return derive(path, stat, error=error.message, line=error.line)
    except OSError as error:
        return derive(path, stat, error=_("cannot read: {error}").format(error=error.strerror))
    content = digest(data)
    sealed = holds_envelopes(data)
    try:
        record = codec.decode(data)
    except codec.RecordSyntaxError as error:
        return derive(path, stat, error=error.message, line=error.line, content=content)
    if sealed:
        # lazy: opening loads age (pyrage) and the sealing rules; a command whose files changed
        # may have no protected field in them, and one whose did not opens none
        from crmcli.store.sealing import Damaged, opened

        try:
            record = opened(record, keyring())
        except Damaged as error:
            return derive(path, stat, error=str(error), content=content)
    problems = schema_problems(BY_FOLDER[path.split("/", 1)[0]], record, sealed=sealed)
    if problems:
        field_path, message = problems[0]
        return derive(path, stat, error=message, line=line_of(data.decode("utf-8", "replace"), field_path),
                      content=content)
    return derive(path, stat, record, content=content, sealed=sealed)


def _parse_batch(args) -> list[Derived]:
    root, batch = args
    return [parse_file(root, path, stat) for path, stat in batch]


INSERTS = (
    f"INSERT INTO files ({FILE_COLUMNS}) VALUES ({','.join('?' * 17)})",
    "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)",
    "INSERT INTO terms VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO fts (rowid, name, body) VALUES (?, ?, ?)",
    f"INSERT INTO order_facts VALUES ({','.join('?' * 22)})",
    "INSERT INTO order_payments VALUES (?, ?, ?)",
    "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
    f"INSERT INTO agenda VALUES ({','.join('?' * 12)})",
    "INSERT INTO party_keys VALUES (?, ?, ?)",
)
"""How `Index._insert` stores each list of `table_rows`, in that order."""


def table_rows(derived: list[Derived], reuse: dict[str, int], next_id: int) -> tuple[list, ...]:
    """The rows of each table (in the order of `INSERTS`) for parsed files, each under its
    file_id: the one of its path in `reuse`, else the next one counted from `next_id`."""
    files, names, terms, texts, orders, payments, lines, dues, keys = [], [], [], [], [], [], [], [], []
    for item in derived:
        file_id = reuse.get(item.row[0])
        if file_id is None:
            file_id, next_id = next_id, next_id + 1
        files.append((file_id, *item.row))
        names += [(file_id, *name) for name in item.names]
        terms += [(file_id, *term) for term in item.terms]
        if item.fts is not None:
            texts.append((file_id, *item.fts))
        if item.order is not None:
            orders.append((file_id, *item.order))
            payments += [(file_id, *payment) for payment in item.payments]
            lines += [(file_id, *line) for line in item.lines]
        dues += [(file_id, *row) for row in item.agenda]
        keys += [(file_id, *key) for key in item.keys]
    return files, names, terms, texts, orders, payments, lines, dues, keys


def _batches(files: Iterator[tuple[str, Stat]]) -> Iterator[tuple[int, list[tuple[str, Stat]]]]:
    """BATCH files at a time, with the file_id of the first one (counted from 1)."""
    first_id = 1
    while batch := list(itertools.islice(files, BATCH)):
        yield first_id, batch
        first_id += len(batch)


def _rows_of_batch(args) -> tuple[int, bytes]:
    """A cold build's worker: how many files, and the table rows of a batch of them whose
    file_ids start at `first_id`, packed with marshal (rows of plain values, unpacked about five times faster
    than pickled `Derived`s; pickle only for a value of a str subclass, which marshal refuses)."""
    root, batch, first_id = args
    tables = table_rows(_parse_batch((root, batch)), {}, first_id)
    try:
        return len(batch), b"m" + marshal.dumps(tables)
    except ValueError:
        import pickle  # lazy: needed as rarely as that; every command loads this module

        return len(batch), b"p" + pickle.dumps(tables)


def _unpacked(packed: bytes) -> tuple[list, ...]:
    if packed[:1] == b"m":
        return marshal.loads(packed[1:])
    import pickle  # lazy: as in `_rows_of_batch`

    return pickle.loads(packed[1:])


class Index:
    """The SQLite mirror of one data directory."""

    def __init__(self, root: Path, cache_dir: Path | None, watched: bool = False):
        self.root = root
        self.db = self._connect(cache_dir)
        self.on_disk = self.db.execute("PRAGMA database_list").fetchone()[2] != ""
        self.state = cache_dir if watched and self.on_disk and watch.enabled() else None
        """Where the watcher of this data directory listens, when one may be asked (store/watch.py)."""
        self.fresh: set[str] = set()
        self.skipped: list[tuple[str, str]] = []
        """(path, message) of what the scans of this command skipped (a link, an unreadable folder)."""
        self.notes: list[Notice] = []
        self._party_names: tuple[int, dict[str, str]] | None = None
        self.wrote: dict[str, Stat | None] = {}
        """The files this command wrote, as it left them (None: removed), for `_pass_own_writes`."""

    def close(self) -> None:
        if self.wrote and self.state is not None:
            self._pass_own_writes()
        self.db.close()

    def _pass_own_writes(self) -> None:
        """Move the watcher's token past this command's own writes when they are all the
        watcher saw since the command looked: the next command would otherwise look at every
        folder written again, each of its files (0.6 s of `crm log` into a month of 50,000
        interactions at 1,000,000 records). A change of any other file, a written one changed
        again since, a new folder or a watcher that lost track leave the token where it was,
        and the next command looks as it always did."""
        token = self._meta("watch")
        if token is None or self._meta("warned") == "1":
            return
        answer = watch.ask(self.state, token) if self.state is not None else None
        if answer is None or answer.reset or not all(self._as_written(path) for path in answer.paths):
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('watch', ?)", (answer.token,))
        except sqlite3.Error:
            pass  # the next command looks at the folders written, as it would have

    def _as_written(self, path: str) -> bool:
        """Whether `path`, which the watcher saw change, is as this command left it: a file it
        wrote (or removed), unchanged since, or one of its temporary files, gone."""
        try:
            now: Stat | None = Stat.of(os.lstat(self.root / path))
        except FileNotFoundError:
            now = None
        except OSError:
            return False
        if path in self.wrote:
            return now == self.wrote[path]
        return now is None and path.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)

    def forget(self) -> None:
        """Look at the files again on the next refresh (another writer may have been at work)."""
        self.fresh.clear()
        self.skipped.clear()

    def _to_memory(self, error: sqlite3.Error) -> bool:
        """After the index file could not be written (a full disk, an I/O error, a lock held
        too long), carry on with a new index in memory: this command reads every file it
        needs again, and nothing it says is wrong. False if already in memory."""
        if not self.on_disk:
            return False
        self.db.close()
        self.db = self._connect(None)
        self.on_disk = False
        self.state = None
        self.forget()
        self.notes.append(Notice(_("the index could not be saved ({error}); this time every file is read").format(
            error=error)))
        return True

    def _connect(self, cache_dir: Path | None) -> sqlite3.Connection:
        if cache_dir is not None:
            try:
                location = cache_dir / INDEX_FILE
                companions = [Path(f"{location}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
                db = None
                if all(regular_or_absent(path) for path in companions):
                    db = self._open(location)
                if db is None:
                    for path in companions:
                        path.unlink(missing_ok=True)
                    db = self._open(location)
                if db is not None:
                    return db
            except (OSError, sqlite3.Error):
                pass
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.executescript(SCHEMA)
        self._stamp(db)
        return db

    def _open(self, location: Path) -> sqlite3.Connection | None:
        """The index at `location` if it is ours and of this version; None if it must be rebuilt.
        One made for the same data directory elsewhere (the repository was copied or moved, its
        git dir with it) is taken over: every folder is listed again, and a file whose stat
        data differ is kept only if its content is the same (see `_changed_files`)."""
        db = None
        try:
            db = sqlite3.connect(location, timeout=10, isolation_level=None)
            os.chmod(location, 0o600)  # it holds the decrypted text of protected fields (sqlite's companions follow)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                db.executescript(SCHEMA)
                self._stamp(db)
                return db
            meta = dict(db.execute("SELECT key, value FROM meta"))
            same_keys = meta.get("keys", NO_KEYS.fingerprint) == keyring().fingerprint
            if meta.get("version") == index_version() and same_keys:
                db.execute("SELECT 1 FROM files LIMIT 1").fetchone()  # readable (counting its rows took 1.5 ms at 100k)
                if meta.get("root") != str(self.root.resolve()):
                    with db:
                        db.execute("DELETE FROM dirs")
                        self._stamp(db)
                return db
        except sqlite3.Error:
            pass
        if db is not None:
            db.close()
        return None

    def _stamp(self, db: sqlite3.Connection) -> None:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("version", index_version()), ("root", str(self.root.resolve())),
                        ("keys", keyring().fingerprint)])
        db.execute("DELETE FROM meta WHERE key = 'watch'")  # what a watcher says is since a look at these files

    def refresh(self, folders=None, progress=None) -> list[Notice]:
        """Bring the index up to date with the files of the given kind folders (default: all);
        returns warnings for files that were skipped (and a note if the index had to move to
        memory)."""
        try:
            warnings = self._refresh(folders, progress)
        except sqlite3.OperationalError as error:
            if not self._to_memory(error):
                raise
            warnings = self._refresh(folders, progress)
        notes, self.notes = self.notes, []
        return notes + warnings

    def _refresh(self, folders, progress) -> list[Notice]:
        folders = [f for f in (folders or BY_FOLDER) if f not in self.fresh]
        if not folders:
            return []
        if EVERYTHING not in self.fresh:
            self.skipped += self._look(folders, progress)
        self.fresh.update(folders)
        prefixes = tuple(f"{folder}/" for folder in folders)
        return [Notice(message, path, kind=SKIPPED) for path, message in self.skipped
                if path in folders or path.startswith(prefixes)] + [
            Notice(_("{where}: {error}; skipped").format(where=f"{path}:{line}" if line else path, error=error),
                   path, line, SKIPPED)
            for path, error, line in self.broken() if path.startswith(prefixes)
        ]

    def _look(self, folders: list[str], progress) -> list[tuple[str, str]]:
        """Bring the files of `folders` up to date; returns what the scan skipped, (path, message).
        With a watcher (store/watch.py) that can say what changed since the last look, only
        those paths' folders are looked at, and every folder is then up to date; otherwise
        the folders are scanned and a watcher is started for the next command."""
        token = self._meta("watch")
        answer = watch.ask(self.state, token) if self.state is not None else None
        first_look = None  # whether the index was empty: no watcher for a first look (a temporary tree)
        if answer is None and self.state is not None:
            first_look = self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        if answer is not None and not answer.reset and self._meta("warned") != "1":
            units = self._units_of(answer.paths)
            known_sums = self._sums(units)
            result = walk(str(self.root), units, known_sums)
            self.fresh.add(EVERYTHING)
        else:
            if answer is not None:  # a token is good only after a look at every folder
                folders = list(BY_FOLDER)
                self.fresh.add(EVERYTHING)
            known_sums = self._sums([(folder, True) for folder in folders])
            result = (None if known_sums else self._first_look(folders, progress)) or \
                scan(self.root, folders, known_sums)
        gone_dirs = [path for path in known_sums if path not in result.sums]
        changed, removed = self._changed_files(result.entries, gone_dirs)
        if changed or removed:
            self._apply([], removed)
            for batch in self._parse_all(changed, progress):
                self._apply(batch, [])
        with self.db:
            self.db.executemany("DELETE FROM dirs WHERE path = ?", [(path,) for path in gone_dirs])
            self.db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?, ?, ?)",
                                [(path, *result.sums[path]) for path in result.entries if path in result.sums])
            if answer is not None:  # a folder skipped with a warning is looked at by every command
                # written only when they change: a write (the same token, again) is a checkpoint
                # of the index, synced to disk, when the command closes it
                self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                    (key, value) for key, value in (("watch", answer.token),
                                                    ("warned", "1" if result.warnings else ""))
                    if self._meta(key) != value])
        if first_look is False and self.state is not None:
            watch.start(self.root, self.state)
        return result.warnings

    def _first_look(self, folders: list[str], progress) -> Scan | None:
        """A first look into an index on disk that holds nothing: None if it holds files after
        all. Many files (BULK_FROM) are a cold build (`_build`), fed from the listing as it goes,
        so no list of every file is ever held (at 1M files that list alone was 570 MB, and
        every worker forked after it had it too); fewer are handed back as a scan's entries,
        to be refreshed as usual."""
        if not self.on_disk or self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None:
            return None
        result = Scan()
        listed = ((path, Stat(*entry)) for path, entry in stream(str(self.root), folders, result))
        first = list(itertools.islice(listed, BULK_FROM))
        if len(first) >= BULK_FROM:
            self._build(itertools.chain(first, listed), count(str(self.root), folders), progress)
            with self.db:  # the entries stay empty: nothing is left to compare
                self.db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?, ?, ?)",
                                    [(path, *sums) for path, sums in result.sums.items()])
        else:
            for path, stat in first:
                folder, name = path.rsplit("/", 1)
                result.entries.setdefault(folder, {})[name] = (stat.mtime, stat.size, stat.ino)
        return result

    def _build(self, files: Iterator[tuple[str, Stat]], total: int, progress) -> None:
        """A cold build of `files` (about `total` of them): the rows a refresh would store, but
        made by the workers themselves (`_rows_of_batch`, each batch's file_ids counted from
        its place in the stream, as a refresh counts them) and written into a new file of
        this process's own that no one else reads, so it needs no journal and no syncing,
        in one transaction; its secondary indexes and its triggers' table (`CONTACTS`) are made
        once at the end rather than kept up row by row (the terms index alone made writing
        cost more than parsing at 100k files). The finished file is then copied into the index
        in one transaction (SQLite's backup), so a command reading the index meanwhile sees it
        empty or complete, and a build that fails leaves the index as it was."""
        location = Path(self.db.execute("PRAGMA database_list").fetchone()[2])
        building = location.with_name(f"{location.name}.build-{os.getpid()}")
        building.unlink(missing_ok=True)
        live, self.db = self.db, sqlite3.connect(building, isolation_level=None)
        try:
            os.chmod(building, 0o600)  # it holds the decrypted text of protected fields, as the index does
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            statements = _statements(SCHEMA)
            later = [part for part in statements if part.upper().startswith(("CREATE INDEX", "CREATE TRIGGER"))]
            self.db.executescript("\n".join(part for part in statements if part not in later))
            self._stamp(self.db)
            jobs = ((self.root, batch, first_id) for first_id, batch in _batches(files))
            self.db.execute("BEGIN")
            for done, packed in self._on_cores(_rows_of_batch, jobs, total >= PARALLEL_FROM):
                self._insert(_unpacked(packed))
                if progress:
                    progress(done, total)
            self.db.execute("COMMIT")
            self.db.executescript("\n".join([f"{CONTACTS};", *later]))
            self.db.backup(live)
        finally:
            self.db.close()
            self.db = live
            building.unlink(missing_ok=True)

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _units_of(self, paths) -> list[tuple[str, bool]]:
        """The folders to look at for the paths a watcher says changed: each one's folder, and
        the path itself (with what is under it) unless it is a file: a new folder, or a gone
        one whose files must be dropped."""
        units: dict[str, bool] = {}
        for path in paths:
            if path.split("/", 1)[0] not in BY_FOLDER or ".." in path.split("/"):
                continue
            if "/" in path:
                units.setdefault(path.rsplit("/", 1)[0], False)
            try:
                mode = os.lstat(self.root / path).st_mode
            except OSError:
                mode = None
            if mode is None or S_ISDIR(mode) or "/" not in path:
                units[path] = True
        return sorted(units.items())

    def _sums(self, units: list[tuple[str, bool]]) -> dict[str, tuple]:
        """The sums the index keeps of the folders of `units` (with those under a recursive one)."""
        known: dict[str, tuple] = {}
        for start in range(0, len(units), 200):
            chunk = units[start:start + 200]
            under = " OR ".join("path = ? OR substr(path, 1, ?) = ?" if recurse else "path = ?"
                                for _folder, recurse in chunk)
            bounds = [value for folder, recurse in chunk
                      for value in ((folder, len(folder) + 1, f"{folder}/") if recurse else (folder,))]
            known.update((path, tuple(sums)) for path, *sums in self.db.execute(
                f"SELECT path, count, mtime, size, ino, names FROM dirs WHERE {under}", bounds))
        return known

    def _changed_files(self, entries: dict[str, dict], gone_dirs: list[str]) -> tuple[list, list[str]]:
        """(path, Stat) of new or changed files in the changed folders, and paths that vanished.
        A known file whose stat data changed but whose bytes did not (a copy, a `git checkout`
        of the same content, a `touch`) is not parsed again: only its stat data are updated."""
        folders = list(entries) + gone_dirs
        known: dict[str, tuple[Stat, str | None]] = {}
        for start in range(0, len(folders), 500):
            chunk = folders[start:start + 500]
            known.update((path, (Stat(m, s, i), content)) for path, m, s, i, content in self.db.execute(
                f"SELECT path, mtime, size, ino, hash FROM files WHERE dir IN ({','.join('?' * len(chunk))})", chunk))
        found = {f"{folder}/{name}": Stat(*entry) for folder, files in entries.items() for name, entry in files.items()}
        changed, touched = [], []
        for path, stat in found.items():
            was = known.get(path)
            if was is not None and was[0] == stat:
                continue
            if was is not None and was[1] is not None and was[0].size == stat.size and \
                    self._same_content(path, was[1]):
                touched.append((stat.mtime, stat.size, stat.ino, path))
            else:
                changed.append((path, stat))
        if touched:
            with self.db:
                self.db.executemany("UPDATE files SET mtime = ?, size = ?, ino = ? WHERE path = ?", touched)
        return changed, [path for path in known if path not in found]

    def _same_content(self, path: str, content: str) -> bool:
        try:
            return digest(codec.read(self.root / path)) == content
        except (OSError, codec.RecordSyntaxError):
            return False

    def _apply(self, derived: list[Derived], removed: list[str], written: bool = False) -> None:
        """Store parsed files and forget removed ones in one transaction. Ids are looked up
        inside it, since another process may have refreshed the same files meanwhile. For
        files crm itself `written`, the sums of their folders are forgotten too: the folder
        changed, and a later change that brings it back to the old sums (`git checkout` of
        what crm wrote) must not pass for "nothing changed"."""
        touched = [item.row[0] for item in derived] + removed
        self.db.execute("BEGIN IMMEDIATE")
        try:
            next_id = (self.db.execute("SELECT max(file_id) FROM files").fetchone()[0] or 0) + 1
            if len(touched) > 500:
                current = dict(self.db.execute("SELECT path, file_id FROM files"))
            else:
                marks = ",".join("?" * len(touched))
                current = dict(self.db.execute(f"SELECT path, file_id FROM files WHERE path IN ({marks})", touched))
            self._drop_ids([current[path] for path in touched if path in current])
            self._store(derived, current, next_id)
            if written:
                self.db.executemany("DELETE FROM dirs WHERE path = ?", [(path.rsplit("/", 1)[0],) for path in touched])
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # SQLite may have rolled back already (a full disk)
                self.db.execute("ROLLBACK")
            raise

    def _drop_ids(self, file_ids: list[int]) -> None:
        rows = [(file_id,) for file_id in file_ids]
        for table, column in (("files", "file_id"), ("names", "file_id"), ("terms", "file_id"), ("fts", "rowid"),
                              ("order_facts", "file_id"), ("order_payments", "file_id"), ("order_lines", "file_id"),
                              ("agenda", "file_id"), ("party_keys", "file_id")):
            self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", rows)

    def _store(self, derived: list[Derived], reuse: dict[str, int], next_id: int) -> None:
        """Insert parsed files, keeping the file_id of paths already known (`reuse`)."""
        self._insert(table_rows(derived, reuse, next_id))

    def _insert(self, tables: tuple[list, ...]) -> None:
        """Insert the rows of each table (as `table_rows` gives them)."""
        for statement, rows in zip(INSERTS, tables, strict=True):
            self.db.executemany(statement, rows)

    def _parse_all(self, changed: list, progress):
        """Parsed files (`Derived`) in batches, on every core for a big change."""
        jobs = ((self.root, batch) for _first_id, batch in _batches(iter(changed)))
        for parsed in self._on_cores(_parse_batch, jobs, len(changed) >= PARALLEL_FROM):
            yield parsed
            if progress:
                progress(len(parsed), len(changed))

    def _on_cores(self, work, jobs, parallel: bool):
        """`work(job)` of each job, in order: here, or on every core when `parallel`. Memory
        stays flat however many jobs there are: only a few per worker are in flight, and each
        result is used (by the caller, the only writer) before more are handed out. The
        workers are forked at the first job, before the parent holds much."""
        if not parallel:
            yield from map(work, jobs)
            return
        # lazy: multiprocessing loads in 13 ms (python -X importtime); only a cold index build needs it
        import multiprocessing

        # lazy: concurrent.futures loads in 13 ms (python -X importtime); only a cold index build needs it
        from concurrent.futures import ProcessPoolExecutor

        for kind in BY_FOLDER.values():  # built once here, not in every worker
            accepts(kind.schema)
        workers = max(1, min(os.cpu_count() or 1, 8))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            in_flight: deque = deque()
            window = IN_FLIGHT * workers
            for job in itertools.chain(jobs, [None] * window):  # the Nones drain what is left
                if job is not None:
                    in_flight.append(pool.submit(work, job))
                if in_flight and (job is None or len(in_flight) >= window):
                    yield in_flight.popleft().result()

    def put(self, path: str, record: dict, content: str | None = None) -> None:
        """Record a file the store just wrote (`content`: the digest of its bytes), so the next
        refresh need not read it."""
        stat = Stat.of(os.lstat(self.root / path))
        self._written([derive(path, stat, record, content=content)], [])
        self.wrote[path] = stat

    def drop(self, path: str) -> None:
        self._written([], [path])
        self.wrote[path] = None

    def _written(self, derived: list[Derived], removed: list[str]) -> None:
        """The file is written whatever becomes of the index: if the index cannot take it, the
        index moves to memory and the next refresh reads the file."""
        try:
            self._apply(derived, removed, written=True)
        except sqlite3.OperationalError as error:
            if not self._to_memory(error):
                raise

    def count(self) -> int:
        """How many files the index holds."""
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def ids(self) -> list[str]:
        """Every record's id, of every kind: what a shortened id must stay unique among."""
        return [row[0] for row in self.db.execute("SELECT DISTINCT id FROM files WHERE id IS NOT NULL")]

    def broken(self) -> list[tuple[str, str, int | None]]:
        """(path, error, line) of the record files that could not be read."""
        return self.db.execute("SELECT path, error, line FROM files WHERE error IS NOT NULL ORDER BY path").fetchall()

    def names(self, kinds: tuple[str, ...], stems: list[str] | None = None) -> list[tuple]:
        """(path, role, name, folded, pinyin, initials) of the parties of the given kinds; with
        `stems`, only of those whose file, in any of their folders, is named `STEM.yaml` (looked
        up in the indexes of paths and ids: a few rows, where all parties' names are 50,000 rows
        at 100,000 records, and listing the parties' folders read every party's row: 0.7 s at
        1,000,000)."""
        marks = ",".join("?" * len(kinds))
        kind, named = "f.kind", ""
        if stems is not None:  # by the indexes of paths (in the kinds' folders) and of ids (below them),
            # not by the index of kinds, which is every party
            kind = "+f.kind"
            named = ("AND (f.path IN (SELECT k.value || '/' || s.value || '.yaml' FROM json_each(?) k, json_each(?) s) "
                     "OR f.id IN (SELECT value FROM json_each(?)) "
                     "AND substr(f.path, length(f.path) - length(f.id) - 5) = '/' || f.id || '.yaml') ")
            folders = [KINDS[name].folder for name in kinds]
            kinds = (*kinds, json.dumps(folders), json.dumps(stems), json.dumps(stems))
        return self.db.execute(
            f"SELECT f.path, n.role, n.name, n.folded, n.pinyin, n.initials FROM names n JOIN files f USING (file_id) "
            f"WHERE {kind} IN ({marks}) {named}ORDER BY f.path", kinds).fetchall()

    def party_names(self) -> dict[str, str]:
        """Reference → name of every party, for showing who a record is about: read again only
        once the index has changed (each table of `crm show` asked, 0.2 s each at 1,000,000
        records). Not to be changed by the caller."""
        if self._party_names is None or self._party_names[0] != self.db.total_changes:
            self._party_names = (self.db.total_changes, dict(self.db.execute(
                "SELECT substr(f.path, 1, length(f.path) - 5), n.name FROM names n "
                "JOIN files f USING (file_id) WHERE n.role = 'name'")))
        return self._party_names[1]

    def party_facts(self) -> dict[str, dict]:
        """Reference → {name, industry, owner, region} of every party, read in SQL (no JSON decoding)."""
        fields = ("name", "industry", "owner", "region")
        columns = ", ".join(f"json_extract(data, '$.{field}')" for field in fields)
        return {row[0][:-5]: {field: value for field, value in zip(fields, row[1:], strict=True) if value is not None}
                for row in self.db.execute(f"SELECT path, {columns} FROM files WHERE kind IN ('customer', 'supplier') "
                                           "AND data IS NOT NULL")}

    def sort_names(self) -> dict[str, str]:
        """Reference → sort key of every party: pinyin for Chinese names, else the folded name."""
        return {path[:-5]: pinyin or folded for path, pinyin, folded in self.db.execute(
            "SELECT f.path, n.pinyin, n.folded FROM names n JOIN files f USING (file_id) WHERE n.role = 'name'")}

    def last_contacts(self, until: date) -> dict[str, str]:
        """Party reference → moment of its latest interaction on or before `until` (today: a
        view as of a day knows nothing later)."""
        return dict(self.db.execute(
            "SELECT party, max(day) FROM files WHERE kind = 'interaction' AND party IS NOT NULL "
            "AND substr(day, 1, 10) <= ? GROUP BY party", (until.isoformat(),)))

    def rebuild(self, progress=None) -> list[Notice]:
        """Forget everything and read every file again. The index is emptied by copying an
        empty one over it in one step (SQLite's backup), which costs a few pages where deleting
        the rows of 100k files cost seconds of writing."""
        empty = sqlite3.connect(":memory:", isolation_level=None)
        try:
            empty.executescript(SCHEMA)
            self._stamp(empty)
            empty.backup(self.db)
        except sqlite3.OperationalError as error:
            if not self._to_memory(error):
                raise
        finally:
            empty.close()
        self.forget()
        return self.refresh(progress=progress)

