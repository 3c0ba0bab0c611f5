"""Who changed what: commits crm makes are signed when the user has a signing key (git's own
`user.signingkey`, SSH or GPG, from the user's git configuration, never from the repository),
and commits are checked against `allowed_signers`, the list of the team's SSH keys kept at the
top of the data directory (git's allowed-signers format: `email key-type key`).

The list arrives through git like everything else: anyone who may push can add a key to it, so
a change to it deserves the review a change of crm.yaml's roles does (SECURITY.md §7).
"""

from __future__ import annotations

import os
import stat

from crmcli.errors import GitError
from crmcli.i18n import N_, _
from crmcli.store.validation import Problem

ALLOWED_SIGNERS = "allowed_signers"
MOST_COMMITS = 10000
"""Commits one check looks at; `--since` narrows a longer history."""
VERDICTS = {
    "N": N_("not signed"),
    "B": N_("its signature does not match its content (tampered?)"),
    "R": N_("signed by a revoked key"),
    "X": N_("signed with an expired signature"),
    "Y": N_("signed by an expired key"),
}
UNKNOWN = N_("signed by a key that is not in allowed_signers")


def allowed_signers(root) -> str | None:
    """The path of the data directory's allowed-signers list: a regular file, never a link."""
    path = os.path.join(root, ALLOWED_SIGNERS)
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except OSError:
        return None


def problems(tree, root, revisions: str) -> list[Problem]:
    """A problem for each commit of `revisions` (`A..B`, or a revision and its history) that is
    not signed by a key of the allowed-signers list."""
    listed = allowed_signers(root)
    options = ["-c", f"gpg.ssh.allowedSignersFile={listed or os.devnull}"]
    result = tree.run(*options, "log", f"--max-count={MOST_COMMITS}", "--format=%H%x1f%G?%x1f%s", revisions,
                      "--", check=False)
    if result.returncode != 0:
        raise GitError(_("git {command} failed: {failure}").format(
            command="log", failure=result.stderr.decode("utf-8", "replace").strip()[:200]))
    found = []
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        sha, verdict, subject = (line.split("\x1f") + ["", ""])[:3]
        if verdict != "G":
            found.append(Problem(f"{sha[:12]} {subject[:60]}", _(VERDICTS.get(verdict, UNKNOWN))))
    return found
