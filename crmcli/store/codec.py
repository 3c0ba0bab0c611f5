"""YAML in and out of record files.

Reading uses PyYAML's libyaml binding with a YAML 1.2-style resolver of our own:
it is about three times faster than ruamel's C safe loader (measured on record files),
which keeps a cold index of 100k files within budget. Timestamps stay ISO strings,
every non-integer number becomes a Decimal (money never passes through float), only
`true`/`false` are booleans, and anchors/aliases, custom tags and oversized files are
refused.

Hostile files are refused with a RecordSyntaxError, never a crash: a file over 2 MiB is
refused from its size before it is read; nesting is measured before libyaml builds the
document (its composer recurses in C, and 30,000 open brackets overflow the stack);
only the core tags construct (no `!!python/…`, `!!binary`, `!!set`, `!!omap`); numbers
beyond 30 digits are refused (`1e999999999` would be a gigabyte of digits as text);
a key written twice is an error; and aliases of text may not expand a document beyond the file's own size.

Writing uses ruamel.yaml's round-trip mode so a file the user edited by hand keeps its
comments, key order and formatting; only changed values are replaced. Strings that any
YAML reader (1.1 or 1.2) could take for another type are quoted, ISO dates excepted.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import stat
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from crmcli.model.jsonish import decimal_text

MAX_FILE_BYTES = 2 * 1024 * 1024
_TOO_LARGE = f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB"
READ_CHUNK = 64 * 1024
MAX_DEPTH = 64
MAX_DIGITS = 30
"""Numbers are refused beyond 30 digits before the point (60 in all): no amount, quantity
or rate comes near, and an exponent is how a few bytes would become a gigabyte of digits."""
SAFE_NESTING = 1000
"""A file with fewer collection markers than this cannot nest deep enough to trouble the
C composer; one with more has its depth measured from libyaml's events first."""
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
ISO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


class _Unusual(Exception):
    """A document `construct_plainly` leaves to PyYAML's own constructor."""


class RecordSyntaxError(Exception):
    """A file that is not a readable record; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


DIRECTIVE = re.compile(r"^%", re.MULTILINE)
INTEGER = re.compile(r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")


@functools.cache
def _yaml():
    """PyYAML, the loader records are read with and its resolver, built on first use: PyYAML's
    reader compiles a character class over all of Unicode when imported, and a command answered
    from the index (with `crm.yaml` remembered, see store/config.py) reads no YAML at all."""
    # lazy: PyYAML loads in about 10 ms (python -X importtime); commands answered from the index do without it
    import yaml

    class _Resolver(yaml.resolver.BaseResolver):
        """YAML 1.2 core schema: no yes/no booleans, no sexagesimals, no implicit timestamps.
        It has no path resolvers, and the composer calls it around every node (libyaml's from
        C, three calls per value of every record file), so its methods do only what is left
        to do without them, with what they need at hand (a cold build spent 5% of its parsing
        in BaseResolver's lookups)."""

        def resolve(self, kind, value, implicit):
            """BaseResolver.resolve without path resolvers or wildcard ones: a plain scalar
            is what the first resolver of its first character that matches says, else text;
            anything else is its kind's default."""
            if kind is scalar_node and implicit[0]:
                for tag, pattern in implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
                return TEXT
            return defaults[kind]

        def descend_resolver(self, current_node, current_index):
            pass  # what BaseResolver does without path resolvers

        def ascend_resolver(self):
            pass

    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+.0123456789"))
    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

    implicit_resolvers = _Resolver.yaml_implicit_resolvers
    TEXT = _Resolver.DEFAULT_SCALAR_TAG
    defaults = {yaml.ScalarNode: TEXT, yaml.SequenceNode: _Resolver.DEFAULT_SEQUENCE_TAG,
                yaml.MappingNode: _Resolver.DEFAULT_MAPPING_TAG}

    def _refuse(node, problem: str) -> NoReturn:
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)

    class _Constructor(yaml.constructor.SafeConstructor):
        """Safe constructor whose numbers are exact and bounded and whose timestamps stay text;
        an explicit tag on a value it does not fit (`!!int abc`) is an error, not a crash."""

        def construct_yaml_int(self, node):
            text = self.construct_scalar(node).replace("_", "")
            if not INTEGER.match(text):
                _refuse(node, f"{text[:40]!r} is not an integer")
            digits = text.lstrip("+-")
            if len(digits) > MAX_DIGITS:
                _refuse(node, f"a number of more than {MAX_DIGITS} digits")
            sign = -1 if text.startswith("-") else 1
            if digits.startswith("0o"):
                return sign * int(digits[2:], 8)
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            return int(text)

        def construct_yaml_float(self, node):
            try:
                value = Decimal(self.construct_scalar(node).replace("_", ""))
            except InvalidOperation:
                value = Decimal("NaN")
            _, digits, exponent = value.as_tuple()
            if not isinstance(exponent, int):  # 'n', 'N' or 'F': NaN or infinity
                _refuse(node, "infinite or NaN numbers are not allowed")
            if exponent < -2 * MAX_DIGITS or value.adjusted() > MAX_DIGITS or len(digits) > 2 * MAX_DIGITS:
                _refuse(node, f"a number out of range (over {MAX_DIGITS} digits before the point or "
                              f"{2 * MAX_DIGITS} in all)")
            return value

        def construct_yaml_bool(self, node):
            text = self.construct_scalar(node)
            if text.lower() not in ("true", "false"):
                _refuse(node, f"{text[:40]!r} is not true or false")
            return text.lower() == "true"

        def construct_mapping(self, node, deep=False):
            """A key written twice is an error at its second line: a YAML reader would keep one of
            the two values silently, and the round-trip writer refuses such a file when editing."""
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for key, _value in node.value:
                    if isinstance(key, yaml.ScalarNode):
                        if key.value in seen:
                            _refuse(key, f"duplicate key {key.value[:40]!r}")
                        seen.add(key.value)
            return super().construct_mapping(node, deep=deep)

        def construct_not_allowed(self, node):
            _refuse(node, f"the tag {node.tag} is not allowed in record files")

        def construct_plainly(self, node):
            """The value of a composed document as `construct_document` makes it, in one
            recursive pass for the shapes record files have: scalars of the core tags, lists,
            and mappings with text keys written once. PyYAML's constructor spends about as
            long again as libyaml's parsing on its bookkeeping (deferred generators, a state
            per node). Anything else (another tag, a key that is no scalar or is written twice,
            a value its constructor refuses) raises `_Unusual`: the caller then asks
            `construct_document`, which builds it or says what is wrong as it always did."""
            built: dict = {}  # a collection reached again through an alias is the same object, as PyYAML makes it

            def value_of(node):
                kind = type(node)
                if kind is scalar_node:
                    plain = scalars.get(node.tag)
                    if plain is None:
                        raise _Unusual
                    return node.value if plain is True else None if plain is False else plain(self, node)
                if node in built:
                    return built[node]
                if kind is mapping_node and node.tag == MAP:
                    mapping: dict = {}
                    built[node] = mapping
                    keys = [key.value for key, _value in node.value if type(key) is scalar_node]
                    if len(keys) != len(node.value) or len(set(keys)) != len(keys):
                        raise _Unusual
                    for key, item in node.value:
                        mapping[value_of(key)] = value_of(item)
                    return mapping
                if kind is sequence_node and node.tag == SEQ:
                    sequence: list = []
                    built[node] = sequence
                    sequence.extend(value_of(item) for item in node.value)
                    return sequence
                raise _Unusual

            try:
                return value_of(node)
            except yaml.YAMLError:
                raise _Unusual from None

    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    MAP, SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
    scalars: dict[str, Any] = {
        "tag:yaml.org,2002:str": True, "tag:yaml.org,2002:timestamp": True, "tag:yaml.org,2002:null": False,
        "tag:yaml.org,2002:int": _Constructor.construct_yaml_int,
        "tag:yaml.org,2002:float": _Constructor.construct_yaml_float,
        "tag:yaml.org,2002:bool": _Constructor.construct_yaml_bool}
    """How `construct_plainly` makes each scalar: its text (True), None (False), or by our constructor."""

    # types-PyYAML types add_constructor for its own loader classes only; PyYAML defines it
    # on BaseConstructor, for any constructor class (this one is mixed into the loader below).
    _Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)  # type: ignore[type-var]
    _Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)  # type: ignore[type-var]
    _Constructor.add_constructor("tag:yaml.org,2002:bool", _Constructor.construct_yaml_bool)  # type: ignore[type-var]
    _Constructor.add_constructor("tag:yaml.org,2002:timestamp",  # type: ignore[type-var]
                                 yaml.constructor.SafeConstructor.construct_yaml_str)
    for _tag in ("binary", "set", "omap", "pairs", "merge", "value", "yaml"):
        _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}",  # type: ignore[type-var]
                                     _Constructor.construct_not_allowed)

    class _PureLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                      yaml.composer.Composer, _Constructor, _Resolver):
        """The loader when PyYAML is built without libyaml (slower, same results)."""

        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)

    loader: type = _PureLoader
    try:
        # lazy: libyaml's binding, with PyYAML above
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        pass
    else:
        class _CLoader(CParser, _Constructor, _Resolver):
            def __init__(self, stream):
                CParser.__init__(self, stream)
                _Constructor.__init__(self)
                _Resolver.__init__(self)

        loader = _CLoader

    return yaml, loader, _Resolver


def _check_shape(value, budget: list[int], depth: int = 0, seen: set | None = None):
    """Refuse aliases of containers (one reached twice), aliases of text that expand the
    document beyond `budget` characters (the file's own length), and runaway nesting.
    Text in a collection is checked in its loop, not by a call of its own (one per value
    of every record file made this a tenth of a cold build's parsing)."""
    if depth > MAX_DEPTH:
        raise RecordSyntaxError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        _spend(value, budget)
    if isinstance(value, (dict, list)):
        seen = set() if seen is None else seen
        if id(value) in seen:
            raise RecordSyntaxError("anchors and aliases are not allowed in record files")
        seen.add(id(value))
        children = value.values() if isinstance(value, dict) else value
        at_limit = depth + 1 > MAX_DEPTH  # then every child is refused, by the call
        for child in children:
            if at_limit or isinstance(child, (dict, list)):
                _check_shape(child, budget, depth + 1, seen)
            elif isinstance(child, str):
                _spend(child, budget)
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    raise RecordSyntaxError(f"key {key!r} is not text")
                if at_limit:
                    _check_shape(key, budget, depth + 1, seen)
                _spend(key, budget)


def _spend(text: str, budget: list[int]) -> None:
    """Count `text` against the document's budget (see `_check_shape`); no NUL in it."""
    if "\x00" in text:
        raise RecordSyntaxError("text holds a NUL character")
    budget[0] -= len(text)
    if budget[0] < 0:
        raise RecordSyntaxError("aliases expand the document beyond the size of its file")


def _check_events(text: str) -> None:
    """Refuse what libyaml would read but crm must not, from libyaml's events (produced without
    recursion), and only for a text that could hold it:
    - a document nested deeper than MAX_DEPTH: libyaml's composer recurses in C and a few tens
      of thousands of levels crash the process. Every collection needs one of `[{-:?`, so a
      file with few of them is safe;
    - a `%YAML` or `%TAG` directive: records are YAML 1.2 as crm reads them, but `%YAML 1.1`
      makes the round-trip writer read `no` as false (an edit would rewrite it), and the
      writer, shared by the process, then puts the directive atop every later file. A
      directive starts a line with `%`."""
    # most record files are shorter than SAFE_NESTING characters, and hold no `%` at all
    deep = len(text) >= SAFE_NESTING and sum(text.count(marker) for marker in "[{-:?") >= SAFE_NESTING
    directive = DIRECTIVE.search(text) if "%" in text else None
    if not deep and not directive:
        return
    depth = 0
    yaml, loader, _resolver = _yaml()
    parser = loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent) and (event.version or event.tags):
                raise RecordSyntaxError("a YAML directive (%YAML, %TAG) is not allowed: records are plain YAML 1.2",
                                        text[:directive.start()].count("\n") + 1 if directive else None)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise RecordSyntaxError(f"nested deeper than {MAX_DEPTH} levels", line)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        parser.dispose()


def _load(loader, text: str):
    """What `yaml.load(text, Loader=loader)` gives, built by `construct_plainly` when it can."""
    parser = loader(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        try:
            return parser.construct_plainly(node)
        except _Unusual:
            return parser.construct_document(node)
    finally:
        parser.dispose()


def read(path, *, links: bool = False) -> bytes:
    """The bytes of a record file. One over the size limit is refused from its size, before
    any of it is read; anything but a regular file (a FIFO, a device, a link unless `links`)
    is refused without waiting on it. OSError (missing, unreadable) is left to the caller."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if links else os.O_NOFOLLOW))
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise RecordSyntaxError("not a regular file but a link (record files may not be links)") from error
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RecordSyntaxError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise RecordSyntaxError(_TOO_LARGE)
        # Asked for what its size says and a byte more (the end is seen at once), then in
        # chunks if it grew: asking for the limit made every read allocate 2 MiB, which cost
        # a cold build more than twice its reading.
        chunks, left, want = [], MAX_FILE_BYTES + 1, info.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(want, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = READ_CHUNK
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(data: bytes, *, mapping: bool = True):
    """The record in `data`, a YAML mapping (any YAML value when not `mapping`);
    raises RecordSyntaxError with a line number."""
    if len(data) > MAX_FILE_BYTES:
        raise RecordSyntaxError(_TOO_LARGE)
    if b"\x00" in data:
        raise RecordSyntaxError("file holds NUL bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RecordSyntaxError("not valid UTF-8", line) from error
    if "\n<<<<<<< " in "\n" + text:
        line = ("\n" + text).split("\n<<<<<<< ")[0].count("\n") + 1
        raise RecordSyntaxError("unresolved git merge conflict markers", line)
    yaml, loader, _resolver = _yaml()
    try:
        _check_events(text)
        value = _load(loader, text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "YAML syntax error"
        raise RecordSyntaxError(f"YAML error: {problem}", mark.line + 1 if mark else None) from error
    except yaml.YAMLError as error:
        raise RecordSyntaxError(f"YAML error: {error}") from error
    except RecursionError:
        raise RecordSyntaxError(f"nested deeper than {MAX_DEPTH} levels") from None
    if mapping and not isinstance(value, dict):
        raise RecordSyntaxError("a record file must hold a mapping of fields", 1)
    try:
        _check_shape(value, [len(text)])
    except RecursionError:
        raise RecordSyntaxError(f"nested deeper than {MAX_DEPTH} levels") from None
    return value


def field_line(text: str, field: list, plain) -> int | None:
    """The 1-based line of the key (or list item) at the end of `field` in `text`, found in
    libyaml's nodes; None when not sure to say what ruamel's round-trip nodes would say
    (store/validation.line_of): `plain(field)` false, anchors, aliases, tags or directives
    anywhere, or any part of the way not found."""
    if not plain(field) or any(marker in text for marker in ("&", "*", "!", "%", "? ")):
        return None
    yaml, loader, _resolver = _yaml()
    try:
        _check_events(text)  # libyaml's composer recurses in C
        node = yaml.compose(text, Loader=loader)
    except (RecordSyntaxError, yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in field:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        elif isinstance(part, str) and isinstance(node, yaml.MappingNode):
            found = [(key, value) for key, value in node.value
                     if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:str" and key.value == part]
            if len(found) != 1:
                return None
            line, node = found[0][0].start_mark.line + 1, found[0][1]
        else:
            return None
    return line


@functools.cache
def writer():
    """The shared round-trip writer, built on first use (ruamel is slow to import)."""
    # lazy: ruamel.yaml loads in 65 ms (python -X importtime); only writes need the round-trip codec
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        def ignore_aliases(self, data) -> bool:
            """Never write anchors: a value used twice (one catalog price on two lines) is
            written twice, as a person would, and our reader refuses aliases anyway."""
            return True

    Representer.add_representer(Decimal,
                                lambda r, value: r.represent_scalar("tag:yaml.org,2002:float", decimal_text(value)))
    Representer.add_representer(str, _represent_text)
    class Constructor(RoundTripConstructor):
        """Timestamps stay text when editing, as when reading (and an impossible date
        like 2026-02-30 written by hand does not stop the file from being edited)."""

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_str)
    writer = YAML()
    writer.Representer = Representer
    writer.Constructor = Constructor
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = 4096
    writer.allow_unicode = True
    writer.preserve_quotes = True
    return writer


def _would_coerce(text: str) -> bool:
    """Whether a YAML 1.1 or 1.2 reader would take this plain scalar for something else."""
    yaml, _loader, resolver = _yaml()
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return (tag != "tag:yaml.org,2002:str"
            or resolver().resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str")


def _valid_stamp(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def fits_block(text: str) -> bool:
    """Whether a literal block (`|`) holds `text` exactly: no spaces at either end of it or of a
    line, and no carriage return (a reader takes it for a line break)."""
    return "\r" not in text and text == text.strip(" ") and not any(line != line.rstrip() for line in text.split("\n"))


def _represent_text(representer, text: str):
    if UNPRINTABLE.search(text):
        return representer.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    if ISO_STAMP.match(text) and _valid_stamp(text):
        return representer.represent_scalar("tag:yaml.org,2002:timestamp", text)
    if "\n" in text.rstrip("\n") and fits_block(text):
        return representer.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if _would_coerce(text):
        return representer.represent_scalar("tag:yaml.org,2002:str", text, style="'")
    return representer.represent_str(text)


def load_roundtrip(text: str):
    """The document as ruamel's commented map, for editing in place."""
    return writer().load(text)


def dump(document) -> str:
    stream = io.StringIO()
    writer().dump(document, stream)
    return stream.getvalue()
