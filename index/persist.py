"""On-disk layout of a :class:`~index.store.JobIndex` and crash-safe writing.

    <index dir>/
      manifest.json          the only mutable file; names the current generation
      gen-000007/            one whole generation (immutable once the manifest names it)
        vectors.npy          float32 (n, d), normalised
        keys_blob.npy        uint8 utf-8 bytes of every key, concatenated
        keys_off.npy         int64 (n+1) offsets into keys_blob
        alive.npy            bool (n) (False = tombstone)
        col_<name>.npy       filter columns (see ``index.columns.column_names``)
        ann.faiss            optional IVF index (faiss.write_index), ids = row numbers

No pickle anywhere: ``np.save``/``np.load(allow_pickle=False)``, JSON, faiss's own writer.

Crash safety: a generation is written into ``gen-XXXXXX.tmp-<pid>-<rand>/`` (every file fsynced), the
directory is renamed to ``gen-XXXXXX`` and the parent fsynced, and only then ``manifest.json`` is
replaced (temp file + fsync + ``os.replace`` + fsync of the directory). A crash at any point leaves
the previous manifest naming the previous, complete generation. Older generations and stray temp
directories are removed after the switch.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import IndexCorrupt

from .faults import point

FORMAT_VERSION = 2  # 2: employment type, salary and datePosted columns (a version-1 index loads them as unknown)
MANIFEST = "manifest.json"
_CRC_CHUNK = 1 << 24


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CRC_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def save_npy(dirpath: Path, name: str, arr: np.ndarray) -> dict[str, Any]:
    """Write ``arr`` to ``dirpath/name`` (temp name + fsync + rename); return its manifest entry."""
    final = dirpath / name
    tmp = dirpath / f".{name}.tmp"
    arr = np.ascontiguousarray(arr)
    with open(tmp, "wb") as f:
        np.save(f, arr, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    point("index.file")
    return {"bytes": final.stat().st_size, "crc32": file_crc32(final),
            "dtype": arr.dtype.str, "shape": list(arr.shape)}


def save_file(dirpath: Path, name: str, writer) -> dict[str, Any]:
    """Write via ``writer(tmp_path)`` then fsync + rename (used for the faiss file)."""
    final = dirpath / name
    tmp = dirpath / f".{name}.tmp"
    writer(str(tmp))
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    return {"bytes": final.stat().st_size, "crc32": file_crc32(final)}


def new_generation_dir(root: Path, generation: int) -> tuple[Path, Path]:
    """(temp dir to write into, final dir name) for ``generation``."""
    final = root / f"gen-{generation:06d}"
    tmp = root / f"{final.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    return tmp, final


def publish_generation(tmp: Path, final: Path) -> None:
    fsync_dir(tmp)
    if final.exists():  # left over from a crash after rename but before the manifest switch
        shutil.rmtree(final)
    os.replace(tmp, final)
    fsync_dir(final.parent)
    point("index.published")


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    tmp = root / f".{MANIFEST}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / MANIFEST)
    fsync_dir(root)


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        m = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IndexCorrupt(
            f"index manifest {path} is unreadable ({e}); restore the directory from a backup "
            "or rebuild it with `jobmatch reindex`") from e
    required = ("format_version", "model_id", "dim", "generation", "rows", "files")
    if not isinstance(m, dict) or any(k not in m for k in required):
        raise IndexCorrupt(f"index manifest {path} is incomplete (needs {', '.join(required)}); "
                           "rebuild it with `jobmatch reindex`")
    if m["format_version"] > FORMAT_VERSION:
        raise IndexCorrupt(f"index at {root} has format version {m['format_version']}, newer than this "
                           f"program understands ({FORMAT_VERSION}); upgrade jobmatch or run `jobmatch reindex`")
    return m


def load_npy(gen_dir: Path, name: str, entry: dict[str, Any], *, mmap: bool, verify: bool) -> np.ndarray:
    path = gen_dir / name
    hint = "rebuild it with `jobmatch reindex` (or restore the index directory from a backup)"
    try:
        size = path.stat().st_size
    except OSError as e:
        raise IndexCorrupt(f"index file {path} is missing ({e}); {hint}") from e
    if size != entry["bytes"]:
        raise IndexCorrupt(f"index file {path} is {size} bytes, the manifest says {entry['bytes']} "
                           f"(truncated or overwritten); {hint}")
    if verify and file_crc32(path) != entry["crc32"]:
        raise IndexCorrupt(f"index file {path} fails its checksum (corrupted on disk); {hint}")
    try:
        arr = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except Exception as e:  # ValueError for bad headers / object arrays, OSError for IO
        raise IndexCorrupt(f"index file {path} cannot be read ({e}); {hint}") from e
    if arr.dtype.str != entry["dtype"] or list(arr.shape) != entry["shape"]:
        raise IndexCorrupt(f"index file {path} holds {arr.dtype.str}{list(arr.shape)}, the manifest says "
                           f"{entry['dtype']}{entry['shape']}; {hint}")
    return arr


def remove_stale(root: Path, keep: str) -> None:
    """Delete generations and temp dirs other than ``keep`` (best effort)."""
    for p in root.iterdir():
        if p.is_dir() and p.name.startswith("gen-") and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.is_file() and p.name.startswith(f".{MANIFEST}.tmp-"):
            try:
                p.unlink()
            except OSError:
                pass
