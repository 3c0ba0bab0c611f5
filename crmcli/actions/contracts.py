"""Contracts: rendered from a Markdown template, moved through their life, scans attached.

Templates are Jinja2 in its immutable sandbox with strict undefined: a template
can only read the values it is given (`party`, `contract`, `business`, `today`) and
cannot change them, cannot reach files outside `templates/`, and a placeholder with no
value is an error that names it. It renders in a child process with bounded time and
memory (see `bounded`), and its output is bounded too.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from crmcli.actions.bounded import run_bounded
from crmcli.actions.parties import assign_owner
from crmcli.errors import InvalidValue, NotFound
from crmcli.i18n import _
from crmcli.model.contracts import current_term, next_term
from crmcli.model.dates import happened_day, moment_text, parse_day
from crmcli.model.kinds import KINDS
from crmcli.model.money import currency as currency_code
from crmcli.model.money import parse_amount
from crmcli.model.record import Record
from crmcli.model.workflow import CONTRACT
from crmcli.store import fs

TEMPLATES = "templates"
MOVES = {"review": "review", "revise": "draft", "sign": "signed", "activate": "active",
         "expire": "expired", "terminate": "terminated", "archive": "archived"}
MAX_ATTACHMENT = 100 * 1024 * 1024


MAX_TEMPLATE = 1024 * 1024
MAX_TEXT = 10 * 1024 * 1024
"""The longest text a template may build or write (`'x' * 10**10` would take all memory)."""
MAX_STEPS = 1_000_000
"""The steps all the `range`s of one rendering may hold together. The sandbox bounds one range
to 100,000 but not two nested ones (10^10 steps, hours); this stops them at once, with a
reason, where the child's time limit would stop them only after seconds."""
MAX_LIPSUM = 100
"""The most paragraphs, and words in one, that `lipsum` may write (`lipsum(10**6)` runs for minutes)."""


def _environment(repo):
    """Jinja2's sandbox, loading only regular files that really lie in `templates/` (no link
    leads out of it, whatever `include`, `import` or `extends` names), with `**` and `*`
    bounded so that a template cannot take all memory."""
    # lazy: Jinja2 loads in 70 ms (python -X importtime); only contract templates need it
    from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
    from jinja2.loaders import split_template_path
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    folder = repo.root / TEMPLATES
    try:
        real = folder.resolve()
        outside = not real.is_relative_to(repo.root.resolve())
    except (OSError, RuntimeError):
        outside = True
    if outside:
        raise InvalidValue(_("{folder}/ leads outside the data directory (a link?); templates are read only "
                             "from inside it").format(folder=TEMPLATES))

    class Loader(BaseLoader):
        def get_source(self, environment, template):
            path = folder.joinpath(*split_template_path(template))
            try:
                found = path.resolve(strict=True)
                size = found.stat().st_size
            except (OSError, RuntimeError):
                raise TemplateNotFound(template) from None
            if not found.is_relative_to(real):
                raise SecurityError(_("{template} leads outside {folder}/ (a link?)").format(template=template,
                                                                                           folder=TEMPLATES))
            if not found.is_file() or size > MAX_TEMPLATE:
                raise SecurityError(_("{template} is not a regular file of at most {size} KiB").format(
                    template=template, size=MAX_TEMPLATE // 1024))
            mtime = found.stat().st_mtime
            return found.read_text(encoding="utf-8"), str(path), lambda: found.stat().st_mtime == mtime

    class Environment(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["**", "*"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError(_("an exponent over 64"))
            if operator == "*":
                for text, times in ((left, right), (right, left)):
                    if isinstance(text, (str, list, tuple)) and isinstance(times, int) \
                            and len(text) * times > MAX_TEXT:
                        raise SecurityError(_("a text or list of more than {size} MiB").format(
                            size=MAX_TEXT // 1024 // 1024))
            return super().call_binop(context, operator, left, right)

    environment = Environment(loader=Loader(), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    environment.globals.update(range=_budgeted_range(), lipsum=_short_lipsum())
    return environment


def _budgeted_range():
    """The sandbox's `range`, each one charged its length against MAX_STEPS for the rendering."""
    # lazy: Jinja2, as in `_environment`
    from jinja2.sandbox import SecurityError, safe_range

    left = MAX_STEPS

    def budgeted_range(*args: int) -> range:
        nonlocal left
        steps = safe_range(*args)
        left -= len(steps)
        if left < 0:
            raise SecurityError(_("loops of more than {steps:,} steps in all").format(steps=MAX_STEPS))
        return steps

    return budgeted_range


def _short_lipsum():
    """Jinja2's `lipsum` with its paragraphs and words bounded by MAX_LIPSUM."""
    # lazy: Jinja2, as in `_environment`
    from jinja2.sandbox import SecurityError
    from jinja2.utils import generate_lorem_ipsum

    def short_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = MAX_LIPSUM) -> str:
        if n > MAX_LIPSUM or max > MAX_LIPSUM:
            raise SecurityError(_("lipsum of more than {count} paragraphs or words").format(count=MAX_LIPSUM))
        return generate_lorem_ipsum(n, html, min, max)

    return short_lipsum


def render_template(repo, name: str, context: dict) -> str:
    """The template `templates/NAME.md` (or NAME) filled from `context`, rendered in a child
    process: whatever it does there, the records of this one stay as they were."""
    file_name = name if name.endswith((".md", ".txt")) else f"{name}.md"
    where = f"{TEMPLATES}/{file_name}"
    environment = _environment(repo)
    return run_bounded(lambda: _render(repo.root / TEMPLATES, environment, name, file_name, context), where)


def _render(folder: Path, environment, name: str, file_name: str, context: dict) -> str:
    # lazy: Jinja2 loads in 70 ms (python -X importtime); only contract templates need it
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    where = f"{TEMPLATES}/{file_name}"
    try:
        template = environment.get_template(file_name)
        parts, size = [], 0
        for part in template.generate(**context):
            size += len(part)
            if size > MAX_TEXT:
                raise InvalidValue(_("the contract would be longer than {size} MiB").format(
                    size=MAX_TEXT // 1024 // 1024), where=where)
            parts.append(part)
        return "".join(parts)
    except TemplateNotFound as error:
        known = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
        missing = name if error.name == file_name else error.name
        raise NotFound(_("no template {name!r} in {folder}/ (have: {known})").format(
            name=missing, folder=TEMPLATES, known=", ".join(known) or _("none"))) from error
    except TemplateSyntaxError as error:
        raise InvalidValue(_("template syntax error: {error}").format(error=error.message),
                           where=f"{where}:{error.lineno}") from error
    except UndefinedError as error:
        raise InvalidValue(_("a placeholder has no value: {error}").format(error=error.message), where=where) from error
    except SecurityError as error:
        raise InvalidValue(_("the template tried something not allowed: {error}").format(error=error),
                           where=where) from error
    except (ArithmeticError, LookupError, TypeError, ValueError, MemoryError, RecursionError) as error:
        # the template's own Python failing (`1 + 'a'`, `1 / 0`): said as such, where the child's
        # silent end read "ran out of time or memory"
        raise InvalidValue(_("the template cannot be rendered: {error}").format(
            error=f"{type(error).__name__}: {error}"), where=where) from error


def new_contract(repo, party: Record, template: str, *, title: str | None = None, value: str | None = None,
                 currency: str | None = None, start: str | None = None, end: str | None = None,
                 auto_renew: bool = False, notice_days: int | None = None, owner: str | None = None,
                 renews: Record | None = None) -> Record:
    """A draft contract rendered from `template`; one that `renews` an earlier contract links
    to it, and that one moves to renewed, linked back, in the same write."""
    clock = repo.clock
    record: dict = {"party": party.ref, "title": title or f"{template} — {party.title}", "template": template}
    assign_owner(repo, record, party, owner)
    if value is not None:
        code = currency_code(currency or repo.config.currency)
        record["value"] = parse_amount(value, code)
        record["currency"] = code
    for key, text in (("start", start), ("end", end)):
        if text:
            record[key] = parse_day(text, clock).isoformat()
    record["auto_renew"] = auto_renew
    if notice_days is not None:
        record["renewal_notice_days"] = notice_days
    if renews is not None:
        record["renews"] = renews.ref
    CONTRACT.start(record, moment_text(clock.now()), owner or repo.config.me)
    kind = KINDS["contract"]
    with repo.writing(f"contract: new {record['title']} with {party.title}") as tx:
        record["document"] = f"{tx.assign_id(kind, record)}.md"
        if renews is not None:
            old = tx.fresh(renews).data
            CONTRACT.move(old, "renewed", moment_text(clock.now()), owner or repo.config.me,
                          f"renewed by {record['document'][:-3]}")
            old["renewed_by"] = record["document"][:-3]
            tx.update(renews)
        context = {"party": party.data, "contract": record, "business": repo.config.raw.get("business", {}),
                   "today": clock.today().isoformat()}
        text = render_template(repo, template, context)
        ref = tx.put(kind, record, new=True)
        tx.put_file(record["document"], text.encode("utf-8"))
    return Record(ref, kind, record)


def renew_contract(repo, contract: Record, *, start: str | None = None, end: str | None = None,
                   value: str | None = None, by: str | None = None) -> Record:
    """The next term as a new draft contract (same party, template, value and terms; by
    default it starts the day after the current term ends and runs as long), linked to the
    old one, which is then renewed. An auto-renewing contract renews from the term it has
    rolled into."""
    data = contract.data
    if data.get("status") not in ("signed", "active", "expired"):
        raise InvalidValue(_("{id} is {status}: only a signed, active or expired contract can be renewed").format(
            id=contract.id, status=_(data.get("status"))))
    if not data.get("template"):
        raise InvalidValue(_("{id} has no template to draft the renewal from").format(id=contract.id))
    old_start, old_end, _renewals = current_term(data, repo.clock.today())
    if old_end is None and not (start and end):
        raise InvalidValue(_("{id} has no end: give the new term with --start and --end").format(id=contract.id))
    term = next_term(old_start, old_end) if old_end else (None, None)
    party = repo.load(data["party"])
    return new_contract(repo, party, data["template"], title=data.get("title"),
                        value=value if value is not None else (str(data["value"]) if "value" in data else None),
                        currency=data.get("currency"), start=start or str(term[0]), end=end or str(term[1]),
                        auto_renew=bool(data.get("auto_renew")), notice_days=data.get("renewal_notice_days"),
                        owner=by or data.get("owner"), renews=contract)


def move_contract(repo, contract: Record, action: str, *, by: str | None = None, note: str | None = None,
                  day: str | None = None) -> Record:
    """Review, sign (`day` it was signed), activate, expire, terminate or archive. Archiving
    keeps the record and makes its attachments (the signed scan) read-only on disk; an
    archived contract takes no move and no attachment."""
    target = MOVES[action]
    clock = repo.clock
    with repo.writing(f"contract: {contract.id} {target}") as tx:
        CONTRACT.move(tx.fresh(contract).data, target, moment_text(clock.now()), by or repo.config.me, note)
        if target == "signed":
            contract.data["signed"] = happened_day(day, clock, "--date").isoformat()
        tx.update(contract)
    if target == "archived":
        for attachment in contract.data.get("attachments") or []:
            _read_only(fs.confined(repo.root, attachment["path"]))
    return contract


def _read_only(path: Path) -> None:
    """Take the write permission off an archived attachment (git keeps no such bit: this
    guards this copy against an editor's accidental save; `crm check` guards its sha256)."""
    try:
        if path.is_file() and not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        pass  # a file system without permissions: the record still says archived


def attach(repo, contract: Record, source: Path) -> dict:
    """Copy a file (a signed scan) into attachments/<id>/ and record its sha256."""
    if not source.is_file():
        raise NotFound(_("{path}: no such file").format(path=source))
    if source.stat().st_size > MAX_ATTACHMENT:
        raise InvalidValue(_("{path}: larger than {size} MiB").format(path=source, size=MAX_ATTACHMENT // 1024 // 1024))
    name = source.name if not source.name.startswith(".") else "_" + source.name
    relative = f"attachments/{contract.id}/{name}"
    try:
        data = source.read_bytes()
    except OSError as error:
        raise InvalidValue(_("{path}: cannot read: {error}").format(path=source, error=error.strerror)) from error
    entry = {"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "added": moment_text(repo.clock.now())}
    with repo.writing(f"contract: attach {name} to {contract.id}") as tx:
        if tx.fresh(contract).data.get("status") == "archived":
            raise InvalidValue(_("{id} is archived: its record and attachments are read-only").format(id=contract.id))
        attachments = [a for a in tx.fresh(contract).data.get("attachments") or [] if a.get("path") != relative]
        contract.data["attachments"] = attachments + [entry]
        tx.put_file(relative, data)
        tx.update(contract)
    return entry
