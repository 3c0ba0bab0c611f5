"""The query language shared by `crm search` and every list command.

    query    := or ;  or := and ("OR" and)* ;  and := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | "(" or ")" | term
    term     := WORD | "PHRASE" | FIELD OP VALUE
    OP       := ":" | "=" | "!=" | ">" | ">=" | "<" | "<="
    VALUE    := WORD | "PHRASE" | LOW ".." HIGH

Examples: `cable 深圳`, `"framework agreement"`, `tag:vip OR tag:key-account`,
`-tag:lost`, `contacts.title:cfo`, `created>=2026-01-01`, `due<today`,
`amount>10000`, `date:2026-01..2026-03`. Errors carry the position for a caret.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from crmcli.errors import CrmError, InvalidValue
from crmcli.i18n import _

FIELD_TERM = re.compile(r"([A-Za-z_][\w.]*)(>=|<=|!=|:|=|>|<)")
KEYWORDS = {"OR", "AND", "NOT"}
MAX_DEPTH = 20
"""Levels of parentheses and NOTs: each nests the SQL further, and SQLite's parser overflows past about 30."""
MAX_TERMS = 256
"""Terms in one query: each becomes a subquery, and SQLite bounds how many one statement may hold."""
MAX_LIMIT = 1_000_000_000
"""The largest `--limit`: SQLite takes no number beyond 2^63, and no data directory holds more records."""


class QueryError(CrmError):
    """A query that cannot be read; `position` is where in `query` the caret goes."""

    def __init__(self, message: str, query: str, position: int):
        super().__init__(message)
        self.query = query
        self.position = position

    def __str__(self) -> str:
        caret = f"\n  {self.query}\n  {' ' * self.position}^"
        return _("invalid query: {message}").format(message=self.message) + caret


class Text(NamedTuple):
    """A word or a quoted phrase. The tree's nodes are named tuples (immutable, compared as
    tuples): six frozen dataclasses cost every command about 2.5 ms to define, these a tenth."""

    value: str
    phrase: bool
    position: int


class Field(NamedTuple):
    name: str
    op: str
    value: str
    position: int
    value_position: int
    high: str | None = None
    """The upper bound of a range `LOW..HIGH` (value holds the lower)."""


class Not(NamedTuple):
    node: object


class And(NamedTuple):
    nodes: tuple


class Or(NamedTuple):
    nodes: tuple


class _Token(NamedTuple):
    kind: str  # "(", ")", "word", "phrase", "field", "or", "and", "not", "minus"
    text: str
    position: int
    field: Field | None = None


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """The text of a quoted string starting at `start` (a quote) and the index after it."""
    end = query.find('"', start + 1)
    if end < 0:
        raise QueryError(_("unbalanced quote"), query, start)
    return query[start + 1:end], end + 1


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char == '"':
            text, i_next = _read_quoted(query, i)
            tokens.append(_Token("phrase", text, i))
            i = i_next
        elif char == "-" and i + 1 < len(query) and not query[i + 1].isspace() and (i == 0 or query[i - 1] in " (\t"):
            tokens.append(_Token("minus", "-", i))
            i += 1
        else:
            tokens.append(_field_or_word(query, i))
            i = tokens[-1].position + len(tokens[-1].text)
    return tokens


def _field_or_word(query: str, start: int) -> _Token:
    match = FIELD_TERM.match(query, start)
    if match:
        name, op = match.group(1), match.group(2)
        value_at = match.end()
        if value_at < len(query) and query[value_at] == '"':
            value, end = _read_quoted(query, value_at)
        else:
            end = value_at
            while end < len(query) and not query[end].isspace() and query[end] not in "()":
                end += 1
            value = query[value_at:end]
            if value[:1] in ("<", ">", "=", "!", "~"):
                raise QueryError(_("unknown operator {operator!r} (use : = != > >= < <=)").format(
                    operator=op + value[:1]), query, match.start(2))
        if value == "":
            raise QueryError(_("{term} needs a value").format(term=name + op), query, value_at)
        low, high = value, None
        if ".." in value and op == ":":
            low, high = value.split("..", 1)
        field = Field(name.lower(), op, low, start, value_at, high)
        return _Token("field", query[start:end], start, field)
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in '()"':
        end += 1
    text = query[start:end]
    kind = text.lower() if text in KEYWORDS else "word"
    return _Token(kind, text, start)


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = _tokens(query)
        self.at = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self):
        if not self.tokens:
            return And(())
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise QueryError(_("unbalanced parenthesis") if token.kind == ")"
                             else _("unexpected {text!r}").format(text=token.text), self.query, token.position)
        return node

    def or_(self):
        nodes = [self.and_()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_(self):
        nodes = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self):
        token = self.peek()
        if token is None:
            raise QueryError(_("the query ends where a term was expected"), self.query, len(self.query))
        if token.kind in ("not", "minus", "("):
            return self.nested(token)
        if token.kind in ("or", "and", ")"):
            raise QueryError(_("unexpected {text!r}").format(text=token.text), self.query, token.position)
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(_("more than {most} terms").format(most=MAX_TERMS), self.query, token.position)
        self.take()
        if token.kind == "field":
            return token.field
        return Text(token.text, token.kind == "phrase", token.position)

    def nested(self, token: _Token):
        """A NOT or a parenthesised group, at most MAX_DEPTH deep."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(_("nested deeper than {most} levels").format(most=MAX_DEPTH), self.query, token.position)
        self.take()
        if token.kind in ("not", "minus"):
            node = Not(self.unary())
        else:
            node = self.or_()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError(_("unbalanced parenthesis"), self.query, token.position)
            self.take()
        self.depth -= 1
        return node


def bounded_limit(limit: int | None) -> int | None:
    """`--limit`, refused beyond MAX_LIMIT (or below 1)."""
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue(_("--limit {limit}: use a number from 1 to {most}").format(limit=limit, most=MAX_LIMIT))
    return limit


def parse(query: str):
    """The syntax tree of `query`; raises QueryError pointing at the problem."""
    return _Parser(query).parse()


def joined(arguments: list[str]) -> str:
    """The one query several command-line arguments make. One argument is the query as written.
    Of several, an argument the shell's quotes kept together is one unit: plain words are a
    phrase (`"framework agreement" vip`), a query of its own is a group
    (`'tag:vip OR tag:key-account' -tag:lost` is `(tag:vip OR tag:key-account) -tag:lost`)."""
    if len(arguments) == 1:
        return arguments[0]
    return " ".join(_unit(argument) for argument in arguments)


def _unit(argument: str) -> str:
    if not any(char.isspace() for char in argument.strip()):
        return argument
    try:
        tree = parse(argument)
    except QueryError:
        return argument  # the whole query reports the problem, with its caret
    if isinstance(tree, (Text, Field)):
        return argument
    words = tree.nodes if isinstance(tree, And) else (tree,)
    if all(isinstance(node, Text) and not node.phrase for node in words):
        return f'"{argument.strip()}"'
    return f"({argument})"
