"""Crash-safe file writes, once for the whole project (``index`` is the lowest layer that needs them).

A file is written under a temporary name in its own directory, flushed and fsynced, renamed over the
target with ``os.replace`` (atomic on POSIX), and the directory is fsynced so the rename itself survives a
crash: a reader sees the old file or the new one, never a torn one.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def fsync_dir(path: Path | str) -> None:
    """Make a rename or creation in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path | str, write: Callable[[Path], Any]) -> None:
    """Create or replace ``path`` atomically: ``write(tmp)`` writes a temporary file beside it, which is then
    fsynced, renamed over ``path`` and the directory fsynced. The temporary file is removed on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_json_atomic(path: Path | str, obj: Any, *, indent: int | None = 2) -> None:
    """``obj`` as UTF-8 JSON (non-JSON values as ``str``) with a final newline, written atomically."""
    text = json.dumps(obj, indent=indent, ensure_ascii=False, default=str) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def fsync_tree(root: Path) -> None:
    """fsync every file under ``root``, then every directory (deepest first), ``root`` last."""
    dirs = []
    for here, _, files in os.walk(root):
        dirs.append(Path(here))
        for name in files:
            fd = os.open(os.path.join(here, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for d in reversed(dirs):
        fsync_dir(d)


def replace_dir(new: Path, directory: Path) -> None:
    """Put the directory ``new`` in the place of ``directory``: the old one is moved aside to ``<name>.old``
    first and removed after, so the place is empty only between two renames."""
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(new, directory)
    fsync_dir(directory.parent)  # the rename itself is durable before anything relies on it
    shutil.rmtree(old, ignore_errors=True)
