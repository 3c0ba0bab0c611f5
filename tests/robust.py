"""Helpers of the robustness tests (issue 10): what every read command must survive, and
snapshots of a data directory to prove that nothing was written or lost."""

from __future__ import annotations

import contextlib
import shutil
import socket
from pathlib import Path

READ_COMMANDS = [
    ["customer", "list"], ["search", "华强"], ["show", "huaqiang"], ["today"], ["ledger", "--by", "owner,month"],
    ["check"],
]
"""The read commands of issue 10, each with what the demo's other records must still answer."""
STILL_ANSWERS = {"customer": "深圳市华强电子有限公司", "search": "华强", "show": "深圳市华强电子有限公司",
                 "ledger": "total", "today": "huaqiang"}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        files[relative] = path.read_bytes()
    return files


def assert_reads_survive(data, named: str | None = None, commands=READ_COMMANDS) -> dict[str, object]:
    """Every read command answers about the other records, with no traceback; `crm check`
    exits 0 or 1. When `named`, some command names that file in a warning or problem line.
    Returns the results by command name."""
    results = {}
    for args in commands:
        result = data(*args)
        everything = result.out + result.err
        assert "Traceback" not in everything and "internal error" not in everything, (args, everything[-3000:])
        assert result.code in ((0, 1) if args[0] == "check" else (0,)), (args, result.code, result.err[-3000:])
        if args[0] in STILL_ANSWERS:
            assert STILL_ANSWERS[args[0]] in result.out, (args, result.out[-2000:], result.err[-2000:])
        results[args[0]] = result
    if named:
        assert any(named in r.out + r.err for r in results.values()), [r.err for r in results.values()]
    return results


@contextlib.contextmanager
def placed(root: Path, files: dict[str, bytes]):
    """`files` (relative path → content) written into `root` for the block, then removed."""
    written = []
    try:
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(path)
        yield [root / relative for relative in files]
    finally:
        for path in written:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


class Listener:
    """A port that takes note of any connection and never answers: the attacker's server.
    A connection attempt waits in the backlog, so `reached()` sees it after the fact."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def reached(self) -> bool:
        try:
            self.socket.accept()[0].close()
            return True
        except BlockingIOError:
            return False
