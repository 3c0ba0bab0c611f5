"""Hard file-system conditions for tests: a read-only data directory, a full disk.

As root, permissions do not stop writes, so a read-only bind mount (or a tiny tmpfs)
stands in; where mounting is not allowed either, the test is skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    return shutil.which("mount") is not None and subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(path: Path):
    """`path` cannot be written for the duration of the block."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")] if p.is_dir()}
        for folder in modes:
            folder.chmod(0o555)
        try:
            yield
        finally:
            for folder, mode in modes.items():
                folder.chmod(mode)
        return
    if not (_mount("--bind", str(path), str(path)) and _mount("-o", "remount,ro,bind", str(path))):
        subprocess.run(["umount", str(path)], capture_output=True)
        pytest.skip("cannot make a read-only mount here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)


@contextlib.contextmanager
def tmpfs(path: Path, size: str, inodes: int | None = None):
    """A tmpfs of `size` (and at most `inodes` files) mounted at `path` for the block: a small disk."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (f",nr_inodes={inodes}" if inodes else "")
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", options, "tmpfs", str(path)):
        pytest.skip("cannot mount a tmpfs here (needs root and mount permission)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def filled(path: Path, inodes: bool = False):
    """The file system holding `path` filled up (its space, or with `inodes` its files) for the block."""
    filler = path / ".filler"
    filler.mkdir()
    try:
        if inodes:
            count = 0
            while True:
                try:
                    (filler / str(count)).touch()
                except OSError:
                    break
                count += 1
        else:
            fd = os.open(filler / "space", os.O_WRONLY | os.O_CREAT)
            try:
                for size in (1 << 20, 4096, 1):  # big chunks, then the last blocks and bytes
                    while True:
                        try:
                            os.write(fd, b"\0" * size)
                        except OSError:
                            break
            finally:
                os.close(fd)
        yield
    finally:
        shutil.rmtree(filler)


@contextlib.contextmanager
def immutable(path: Path):
    """`path` (a file or folder) cannot be changed, not even by root, for the block (`chattr +i`)."""
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (no chattr, no root, or a file system without it)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], capture_output=True)
