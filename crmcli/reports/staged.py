"""The pre-commit check: `crm check` on what a commit would hold, as it is staged; and the
same check on what `crm sync` is about to push.

The versions of the changed files (and of the parties they refer to, and `crm.yaml`) are
copied out of git's index, or out of a commit, into a scratch folder, opened there as a
data directory, and checked with `crm check`'s own functions; only problems in the changed
files count. A party the commit removes must not be referred to by what stays.

Sync needs its own check because git skips the pre-commit hook while it continues a
rebase: a file `git add`ed with its conflict markers would otherwise be pushed, and every
other clone would fail to read it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from crmcli.i18n import _
from crmcli.model.kinds import kind_of_ref
from crmcli.reports.check import (
    check_conflict_markers,
    check_ids,
    check_orders,
    check_party_rules,
    check_references,
    run_checks,
)
from crmcli.store import codec
from crmcli.store.config import CONFIG_FILE
from crmcli.store.questions import Match
from crmcli.store.repo import open_repo
from crmcli.store.validation import Problem

STAGED_CHECKS = (check_ids, check_references, check_party_rules, check_orders, check_conflict_markers)
"""Those of `crm check` that need no more than the staged files and their parties."""
UNCHECKED = ("attachments/", ".crm/")


def _name_status(tree, *compared: str) -> list[tuple[str, str]]:
    """(status letter, path) of each file `git diff COMPARED` finds changed in the data directory."""
    tokens = [t for t in tree.run("diff", *compared, "--name-status", "-z", "--no-renames", "--relative")
              .stdout.decode("utf-8").split("\0") if t]
    return list(zip(tokens[::2], tokens[1::2], strict=False))


CopyOut = Callable[[list[str], Path], None]
"""Writes one version of some paths (relative to the data directory) into a scratch copy of
the work tree; paths that version does not have are skipped."""


def _staged_versions(tree) -> CopyOut:
    def copy(paths: list[str], scratch: Path) -> None:
        tree.run("checkout-index", "-q", "-z", "--stdin", f"--prefix={scratch}/",
                 input="".join(f"{path}\0" for path in paths).encode("utf-8"), check=False)
    return copy


def _committed_versions(tree, commit: str) -> CopyOut:
    def copy(paths: list[str], scratch: Path) -> None:
        for path, blob in zip(paths, tree.blobs([f"{commit}:./{path}" for path in paths]), strict=True):
            if blob is not None:
                target = scratch / tree.prefix / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob)
    return copy


def _in_index(tree, paths: list[str]) -> set[str]:
    if not paths:
        return set()
    listed = tree.run("--literal-pathspecs", "ls-files", "-z", "--", *paths).stdout.decode("utf-8")
    return set(listed.split("\0")) - {""}


def _names_a_party(ref: str) -> bool:
    kind = kind_of_ref(ref)
    return kind is not None and kind.is_party


def _parties_of(root: Path, paths: list[str]) -> set[str]:
    refs = set()
    for path in paths:
        try:
            party = codec.decode((root / path).read_bytes()).get("party")
        except (OSError, codec.RecordSyntaxError):
            continue
        if isinstance(party, str) and "/" in party and _names_a_party(party):
            refs.add(f"{party}.yaml")
    return refs


def _check_changed(repo, tree, changed: list[str], copy_out: CopyOut) -> list[Problem]:
    with tempfile.TemporaryDirectory(prefix="crm-staged-") as folder:
        scratch = Path(folder) / "files"
        root = scratch / tree.prefix
        copy_out(changed + [CONFIG_FILE], scratch)
        if not (root / CONFIG_FILE).exists():
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo.root / CONFIG_FILE, root / CONFIG_FILE)
        copy_out(sorted(_parties_of(root, changed) - set(changed)), scratch)
        if any(path.startswith("orders/") for path in changed):  # the catalog their lines are checked against,
            # whole: a product changed alongside would otherwise be the only one there (`crm access` re-seals orders)
            copy_out(sorted({product.path for product in repo.records("product")} - set(changed)), scratch)
        checked = set(changed)
        copy = open_repo(root, throwaway_state=Path(folder) / "state")
        return [problem for problem in run_checks(copy, STAGED_CHECKS) if problem.path in checked]


def _still_referred_to(repo, tree, removed: list[str]) -> list[Problem]:
    problems = []
    for path in removed:
        referrers = [record.path for record in repo.records(None, Match(party=path[:-5]))]
        staying = sorted(_in_index(tree, referrers))
        if staying:
            problems.append(Problem(path, _("removed, but {count} record(s) still refer to it: {path}").format(
                count=len(staying), path=staying[0])))
    return problems


def staged_problems(repo) -> list[Problem]:
    """Problems the staged changes of the data directory would commit."""
    tree = repo.work_tree()
    entries = [(status, path) for status, path in _name_status(tree, "--cached") if not path.startswith(UNCHECKED)]
    changed = [path for status, path in entries if status != "D"]
    removed = [path for status, path in entries
               if status == "D" and path.endswith(".yaml") and _names_a_party(path)]
    return (_check_changed(repo, tree, changed, _staged_versions(tree)) if changed else []) + \
        _still_referred_to(repo, tree, removed)


def unpublished_problems(repo, tree, upstream: str) -> list[Problem]:
    """Problems in the records that the commits after `upstream` change, as HEAD has them:
    what the pre-commit hook would have refused, had git run it."""
    changed = [path for status, path in _name_status(tree, upstream, "HEAD")
               if status != "D" and not path.startswith(UNCHECKED)]
    return _check_changed(repo, tree, changed, _committed_versions(tree, "HEAD")) if changed else []
