"""Mappings from a file's columns to record fields: inline (`Company=name,Phone=phones[0]`)
or a YAML file that also sets constants, splits and joins columns, reads dates in a
given format and translates values.

A YAML mapping:

    source: northwind          # the other system: its keys go to external_ids.northwind
    key: customerID            # the column holding each row's key in that system
    empty: [NULL]              # cell texts that mean "no value" (an empty cell always does)
    columns:                   # COLUMN: FIELD, or COLUMN: {field, values, otherwise, split, format, template}
      companyName: name
      Status: {field: lifecycle, values: {活跃: customer, 潜在: prospect}}
      Country: {field: "addresses[0].country", values: {UK: GB}, otherwise: "{}"}   # {} is the cell
      Tags: {field: tags, split: ";"}
    join:                      # FIELD: {columns: [A, B], with: ", "}
      addresses[0].street: {columns: [address, address2], with: ", "}
    set:                       # FIELD: a constant
      entity: company
    lines:                     # orders only: the columns of each line, as under columns
      productID: sku
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crmcli.actions.fields import checked_path
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.numbers import Numbers
from crmcli.io.values import check_source
from crmcli.model.dates import Clock, moment_text, parse_day, parse_moment
from crmcli.model.fieldnames import Table, field_named
from crmcli.model.text import fold

FORMULA_GUARD = "'"
SPEC_KEYS = {"field", "values", "otherwise", "split", "format", "template"}
YAML_NULLS = {None: ("NULL", "null", "Null", "~")}
"""`empty: [NULL]` reads as YAML's null: it means the text NULL in any of its spellings."""


@dataclass(frozen=True)
class Target:
    """What a mapping writes to: a schema, and the path prefix its fields live under
    (contacts live in a party, order lines in an order)."""

    schema: str
    prefix: str = ""
    extra: tuple[str, ...] = ()
    """Fields that are not in the schema at that place but that the importer understands."""
    names: Table = field(default_factory=dict)
    """What people call the fields (model/fieldnames.py): `city`, `phone`, `公司名称`."""

    def path_of(self, name: str) -> str:
        """The field path `name` stands for: itself when the schema has it, else the field the
        names table gives it (`city` → `addresses[0].city`); an unknown name is left as it is,
        for `node` to refuse."""
        if name in self.extra:
            return name
        try:
            checked_path(self.schema, self.prefix + name)
            return name
        except InvalidValue:
            return field_named(self.names, name) or name

    def node(self, path: str) -> dict:
        if path in self.extra:
            return {}
        try:
            return checked_path(self.schema, self.prefix + path)[1]
        except InvalidValue:
            raise InvalidValue(_("unknown field {field!r}").format(field=path), where=_("mapping")) from None


@dataclass
class Rule:
    """How one field gets its value from a row: a constant, one column or several joined."""

    field: str
    node: dict
    columns: tuple[str, ...] = ()
    joiner: str = " "
    constant: object = None
    values: dict[str, str] | None = None
    otherwise: str | None = None
    split: str | None = None
    date_format: str | None = None
    template: str | None = None
    line: bool = False
    numbers: Numbers | None = None
    """How the file writes numbers, for a rule of a number field."""

    @property
    def numeric(self) -> bool:
        return self.node.get("type") in ("number", "integer") and bool(self.columns)

    def value(self, row: dict[str, str], clock: Clock):
        """The field's text (or list of texts), or None when the row leaves it empty."""
        if self.constant is not None:
            return self.constant
        text = self.joiner.join(row[c] for c in self.columns if row.get(c))
        if self.values is not None:
            text = self._translated(text, self.values)
        if not text:
            return None
        if self.template:
            text = self.template.replace("{}", text)
        if self.split:
            return [part.strip() for part in text.split(self.split) if part.strip()]
        if self.numbers is not None:
            return self.numbers.read(text, self.columns[0])
        return self._dated(text, clock)

    def _translated(self, text: str, values: dict[str, str]) -> str:
        if text in values:
            return values[text]
        folded = {fold(key): value for key, value in values.items()}
        if fold(text) in folded:
            return folded[fold(text)]
        if not text:
            return text
        if self.otherwise is not None:
            return self.otherwise.replace("{}", text)
        known = ", ".join(key for key in values if key)
        raise InvalidValue(_("{column} {value!r} is not one of {known} (add it under values:)").format(
            column=self.columns[0], value=text, known=known))

    def _dated(self, text: str, clock: Clock) -> str:
        kind = self.node.get("format")
        if kind not in ("date", "moment"):
            if self.date_format:
                return self._strptime(text, self.date_format).date().isoformat()
            return text
        if self.date_format:
            moment = self._strptime(text, self.date_format)
            if kind == "date":
                return moment.date().isoformat()
            return moment_text(moment if moment.tzinfo else moment.replace(tzinfo=clock.zone))
        return parse_day(text, clock).isoformat() if kind == "date" else moment_text(parse_moment(text, clock))

    def _strptime(self, text: str, date_format: str) -> datetime:
        try:
            return datetime.strptime(text, date_format)
        except ValueError:
            raise InvalidValue(_("{column} {value!r} does not match the date format {format!r}").format(
                column=self.columns[0], value=text, format=date_format)) from None


@dataclass
class Mapping:
    rules: list[Rule]
    lines: list[Rule] = field(default_factory=list)
    source: str | None = None
    key: str | None = None
    empty: frozenset[str] = frozenset({""})
    origin: str = "mapping"

    @staticmethod
    def columns(needs: list) -> set[str]:
        """The columns that rules (or plain column names) read."""
        return {c for need in needs for c in (need.columns if isinstance(need, Rule) else (need,))}

    def numeric_columns(self, rules: list[Rule]) -> set[str]:
        """The columns that number fields are read from."""
        return {rule.columns[0] for rule in rules if rule.numeric}

    def read_numbers(self, numbers: Numbers) -> None:
        """Read the number fields' cells as `numbers` says (a locale, or what the columns show)."""
        for rule in self.rules + self.lines:
            if rule.numeric:
                rule.numbers = numbers

    def check(self, sheet, needs: list) -> None:
        """Refuse a mapping that names a column the file does not have; `needs` are rules
        or column names."""
        missing = sorted(column for column in self.columns(needs) if column not in sheet.columns)
        if missing:
            raise InvalidValue(_("{mapping} names column {column!r}, which {file} does not have (it has: {columns})")
                               .format(mapping=self.origin, column=missing[0], file=sheet.name,
                                       columns=", ".join(sheet.columns)))

    def cells(self, row: dict[str, str]) -> dict[str, str]:
        """The row's cells with "no value" texts emptied and the formula guard of our own CSV
        exports (a leading `'` before = + - @) taken off."""
        clean = {}
        for column, text in row.items():
            text = (text or "").strip(" \t")
            if text in self.empty:
                text = ""
            elif text[:1] == FORMULA_GUARD and text[1:2] in ("=", "+", "-", "@"):
                text = text[1:]
            clean[column] = text
        return clean

    def apply(self, row: dict[str, str], clock: Clock, rules: list[Rule] | None = None) -> dict[str, object]:
        """Field path → value for one row (already cleaned by `cells`); None for a field the
        row leaves empty (an update then removes it)."""
        values: dict[str, object] = {}
        for rule in self.rules if rules is None else rules:
            try:
                value = rule.value(row, clock)
            except InvalidValue as error:
                raise InvalidValue(error.message, where=rule.field) from None
            value = None if value in ("", []) else value
            if values.get(rule.field) is not None and value is not None and rule.node.get("type") == "array":
                value = list(dict.fromkeys(_items(values[rule.field]) + _items(value)))
            elif value is None and rule.field in values:
                continue
            values[rule.field] = value
        return values


def _items(value) -> list[str]:
    """A list field's value as a list: text holds items separated by commas (as for `--set`)."""
    if isinstance(value, list):
        return value
    return [item.strip() for item in str(value).split(",") if item.strip()]


def _rule(field_path: str, spec, target: Target, column: str | None = None, lines: Target | None = None) -> Rule:
    """One rule; a field `lines.X` is X of each order line (when `lines` is given)."""
    field_path = target.path_of(field_path)
    if lines is not None and field_path.startswith("lines."):
        rule = _rule(field_path[len("lines."):], spec, lines, column)
        rule.line = True
        return rule
    if isinstance(spec, str):
        return Rule(field_path, target.node(field_path), columns=(spec,) if column is None else (column,))
    unknown = set(spec) - SPEC_KEYS - {"columns", "with"}
    if unknown:
        raise InvalidValue(_("{field}: unknown option {option!r} (use {options})").format(
            field=field_path, option=sorted(unknown)[0], options=", ".join(sorted(SPEC_KEYS))), where=_("mapping"))
    columns = tuple(str(c) for c in spec.get("columns", [column] if column else []))
    values = spec.get("values")
    if values is not None and not isinstance(values, dict):
        raise InvalidValue(_("{field}: values must be a mapping of text to text").format(field=field_path),
                           where=_("mapping"))
    return Rule(field_path, target.node(field_path), columns=columns, joiner=str(spec.get("with", " ")),
                values={("" if k is None else str(k)): str(v) for k, v in values.items()} if values else None,
                otherwise=None if spec.get("otherwise") is None else str(spec["otherwise"]),
                split=spec.get("split"), date_format=spec.get("format"), template=spec.get("template"))


def _columns(section, target: Target, lines: Target | None) -> list[Rule]:
    if not isinstance(section, dict):
        raise InvalidValue(_("columns must be COLUMN: FIELD pairs"), where=_("mapping"))
    rules = []
    for column, spec in section.items():
        for one in spec if isinstance(spec, list) else [spec]:
            if isinstance(one, dict) and "field" not in one:
                raise InvalidValue(_("column {column!r} needs a field").format(column=column), where=_("mapping"))
            rules.append(_rule(one if isinstance(one, str) else str(one["field"]), one, target, str(column), lines))
    return rules


def _split(rules: list[Rule], lines: Target | None, **options) -> Mapping:
    header = [rule for rule in rules if not rule.line]
    line_rules = [rule for rule in rules if rule.line]
    if lines is not None and not line_rules:
        raise InvalidValue(_("orders need lines: map line columns under lines: (or to lines.FIELD)"),
                           where=_("mapping"))
    return Mapping(header, line_rules, **options)


def _constant(field_path: str, value, target: Target, lines: Target | None) -> Rule:
    """A field every row (or, for `lines.X`, every order line) gets the same value of."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, list):
        value = [str(item) for item in value]
    else:
        value = str(value)
    field_path = target.path_of(field_path)
    if lines is not None and field_path.startswith("lines."):
        return Rule(field_path[len("lines."):], lines.node(field_path[len("lines."):]), constant=value, line=True)
    return Rule(field_path, target.node(field_path), constant=value)


def parse_mapping(text: str, target: Target, lines: Target | None = None) -> Mapping:
    """A mapping from `--map`: a YAML file's path, or inline `COLUMN=FIELD,…`."""
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _from_file(path, target, lines)
    rules = []
    for pair in text.split(","):
        column, equals, field_path = pair.partition("=")
        if not equals or not column.strip() or not field_path.strip():
            raise InvalidValue(_("--map {pair!r}: write COLUMN=FIELD pairs separated by commas, or name a .yaml file")
                               .format(pair=pair))
        rules.append(_rule(field_path.strip(), column.strip(), target, lines=lines))
    return _split(rules, lines, origin="--map")


def _from_file(path: Path, target: Target, lines: Target | None) -> Mapping:
    from crmcli.store import codec

    try:
        raw = codec.decode(path.read_bytes())
    except OSError as error:
        raise InvalidValue(_("cannot read the mapping: {reason}").format(reason=error.strerror),
                           where=str(path)) from error
    except codec.RecordSyntaxError as error:
        raise InvalidValue(error.message, where=f"{path}:{error.line}" if error.line else str(path)) from error
    known = {"source", "key", "empty", "columns", "join", "set", "lines"}
    if set(raw) - known:
        raise InvalidValue(_("unknown key {key!r} (use {keys})").format(key=sorted(set(raw) - known)[0],
                                                                        keys=", ".join(sorted(known))), where=str(path))
    empty = frozenset({""} | {text for item in raw.get("empty") or [] for text in YAML_NULLS.get(item, (str(item),))})
    try:
        rules = _columns(raw.get("columns") or {}, target, lines)
        rules += [_rule(str(name), {"with": " ", **spec}, target, lines=lines)
                  for name, spec in (raw.get("join") or {}).items()]
        rules += [_constant(str(name), value, target, lines) for name, value in (raw.get("set") or {}).items()]
        if raw.get("lines"):
            if lines is None:
                raise InvalidValue(_("lines: only orders have lines"))
            for rule in _columns(raw["lines"], lines, None):
                rule.line = True
                rules.append(rule)
        return _split(rules, lines, source=check_source(raw.get("source")), key=raw.get("key"), empty=empty,
                      origin=str(path))
    except InvalidValue as error:
        raise InvalidValue(error.message, where=str(path)) from None


def identity(columns: list[str], target: Target, what: str, lines: Target | None = None) -> Mapping:
    """The mapping of a file whose headers name fields: as `crm export csv` writes them, or
    as people call them (model/fieldnames.py: `公司名称`, `E-mail`, `手机`); other columns are
    left out. With `lines` (orders), a header may name a field of the order's line."""
    rules = []
    for column in columns:
        if column == "updated":
            continue
        try:
            rule = _rule(target.path_of(column), column, target, lines=lines)
        except InvalidValue:
            continue
        owner = lines if rule.line and lines is not None else target
        if rule.node.get("type") == "array" and owner.node(f"{rule.field}[0]").get("type") != "object":
            rule.split = ";"
        rules.append(rule)
    if not rules:
        raise InvalidValue(_("no column of {file} names a field (give a mapping with --map)").format(file=what))
    if lines is not None and not any(rule.line for rule in rules):
        raise InvalidValue(_("no column of {file} names a field of an order line (sku, quantity, unit_price, 产品编号, "
                             "数量, 单价…): give a mapping with --map").format(file=what))
    return _split(rules, lines, origin=_("the header"))
