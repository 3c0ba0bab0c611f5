"""`crm history`: a record's versions from git, each with what changed field by field, and
the recent changes across the data directory.

The diff compares the decoded records, not the YAML lines: a moved key or a reflowed
list is no change, and a change reads `stage: proposal → negotiation`, `phones[1] added: …`.
`updated` is left out: every version changes it, and the commit has the date.
"""

from __future__ import annotations

import difflib
from datetime import datetime, time
from decimal import Decimal

from crmcli.errors import GitError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model import jsonish
from crmcli.model.dates import parse_day, parse_interval
from crmcli.model.views import Column, Table
from crmcli.store import codec
from crmcli.store.document import same
from crmcli.store.git import Commit

MISSING = object()
UNSHOWN = {"updated"}
WIDTH = 60
LISTED = 12
STATUS = {"A": N_("added"), "M": N_("changed"), "D": N_("removed"), "R": N_("moved"), "C": N_("copied"),
          "T": N_("changed")}
COLUMNS = [Column("date", "date", style="date"), Column("commit", "commit", style="muted"),
           Column("author", "author"), Column("message", "message"), Column("changes", "changes")]


def shown(value) -> str:
    """A value on one short line."""
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{key}: {shown(item)}" for key, item in value.items()) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(shown(item) for item in value) + "]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= WIDTH else text[:WIDTH - 1] + "…"


def field_changes(old: dict | None, new: dict | None) -> list[str]:
    """What changed from `old` to `new` (None: the record did not exist), one line per field."""
    if old is None:
        return [_("created")] if new is not None else []
    if new is None:
        return [_("removed")]
    found: list[str] = []
    _diff({k: v for k, v in old.items() if k not in UNSHOWN}, {k: v for k, v in new.items() if k not in UNSHOWN},
          "", found)
    return found


def _diff(old, new, path: str, found: list[str]) -> None:
    if same(old, new):
        return
    if old is MISSING:
        found.append(_("{field} added: {value}").format(field=path, value=shown(new)))
    elif new is MISSING:
        found.append(_("{field} removed (was {value})").format(field=path, value=shown(old)))
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [key for key in old if key not in new]:
            _diff(old.get(key, MISSING), new.get(key, MISSING), f"{path}.{key}" if path else key, found)
    elif isinstance(old, list) and isinstance(new, list):
        _diff_lists(old, new, path, found)
    else:
        found.append(_("{field}: {old} → {new}").format(field=path, old=shown(old), new=shown(new)))


def _diff_lists(old: list, new: list, path: str, found: list[str]) -> None:
    """Items matched as difflib matches lines, so an insertion reads as one `added`;
    an item changed in place is compared field by field."""
    matcher = difflib.SequenceMatcher(None, [jsonish.dumps(v) for v in old], [jsonish.dumps(v) for v in new],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                _diff(old[i1 + offset], new[j1 + offset], f"{path}[{j1 + offset}]", found)
        elif op != "equal":
            found.extend(_("{field} removed (was {value})").format(field=f"{path}[{i}]", value=shown(old[i]))
                         for i in range(i1, i2))
            found.extend(_("{field} added: {value}").format(field=f"{path}[{j}]", value=shown(new[j]))
                         for j in range(j1, j2))


def _decoded(data: bytes | None) -> dict | None:
    if data is None:
        return None
    try:
        return codec.decode(data)
    except codec.RecordSyntaxError as error:
        raise GitError(_("a past version does not parse ({error}); see it with git log -p")
                       .format(error=error.message)) from error


def _when(commit: Commit, repo) -> str:
    return datetime.fromisoformat(commit.date).astimezone(repo.clock.zone).strftime("%Y-%m-%d %H:%M")


def _row(repo, commit: Commit, changes: list[str]) -> dict:
    return {"date": _when(commit, repo), "commit": commit.sha, "author": commit.author,
            "message": commit.subject, "changes": changes}


def _table(rows: list[dict], title: str, empty: str) -> Table:
    """Changes one per line (the first few when there are many); json gets them all."""
    def listed(changes: list[str]) -> str:
        if len(changes) > LISTED:
            changes = changes[:LISTED - 1] + [_("… and {count} more").format(count=len(changes) - LISTED + 1)]
        return "\n".join(changes)

    return Table(COLUMNS, [{**row, "commit": row["commit"][:12], "changes": listed(row["changes"])} for row in rows],
                 title=title,
                 records=rows, empty=empty)


def _start(repo, tree) -> str:
    """Where the log starts: HEAD, once the files of commands not yet committed are (so that
    they show), or the revision `--at` names."""
    repo.warn_uncommitted(repo.commit_pending())
    if repo.revision:
        return repo.revision
    if tree.head() is None:
        raise GitError(_("the repository has no commits yet"))
    return "HEAD"


def record_history(repo, ref: str) -> Table:
    """Every version of the record at `ref` (following renames), newest first."""
    tree = repo.work_tree()
    versions = [(commit, *(commit.files[0] if commit.files else ("M", f"{ref}.yaml", None)))
                for commit in tree.log("--follow", _start(repo, tree), "--", f"{ref}.yaml")]
    wanted = []
    for commit, status, path, old_path in versions:
        wanted.append(None if status == "D" else f"{commit.sha}:./{path}")
        wanted.append(None if status == "A" else f"{commit.sha}^:./{old_path or path}")
    blobs = iter(tree.blobs([name for name in wanted if name]))
    contents = [_decoded(next(blobs)) if name else None for name in wanted]
    rows = []
    for position, (commit, _status, _path, old_path) in enumerate(versions):
        changes = field_changes(contents[2 * position + 1], contents[2 * position])
        moved = [_("moved from {path}").format(path=old_path)] if old_path else []
        rows.append(_row(repo, commit, moved + (changes or [_("no field changed")])))
    return _table(rows, _("history of {ref}").format(ref=ref),
                  _("{path} has no history in git").format(path=f"{ref}.yaml"))


def since_day(text: str, clock):
    """`1w`, `30d` (that long before today) or any day `--due` takes."""
    try:
        return clock.today() - parse_interval(text)
    except InvalidValue:
        return parse_day(text, clock)


def recent_changes(repo, since: str) -> Table:
    """Every commit since a day that touched the data directory, with the files it changed."""
    tree = repo.work_tree()
    day = since_day(since, repo.clock)
    start = datetime.combine(day, time(0), repo.clock.zone).isoformat()
    rows = []
    for commit in tree.log(f"--since={start}", _start(repo, tree), "--", "."):
        changes = [f"{_(STATUS.get(status, status))} {path}" for status, path, _old in commit.files]
        rows.append(_row(repo, commit, changes))
    return _table(rows, _("changes since {day}").format(day=day), _("no changes since {day}").format(day=day))
