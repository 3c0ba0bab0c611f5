"""A progress bar on stderr for long work, shown only when stderr is a terminal."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def progress_bar(label: str):
    """Yields `advance(done, total)` for the work to call; a no-op when not on a terminal."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, advance=done, total=total)
