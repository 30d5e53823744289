"""On-disk layout of a :class:`~index.job_index.JobIndex` and crash-safe writing.

    <index dir>/
      manifest.json          the only mutable file; names the current generation
      gen-000007/            one whole generation (immutable once the manifest names it)
        vectors.npy          float32 (n0, d), normalised        } segment 0 (prefix ""): rows [0, n0)
        keys_blob.npy        uint8 utf-8 bytes of every key     }
        keys_off.npy         int64 (n0+1) offsets into keys_blob }
        col_<name>.npy       filter columns (``index.columns.column_names``; CSR offsets local to the segment)
        s000005.vectors.npy  segment 1 (prefix "s000005."): rows [n0, n0+n1), the same files
        ...
        alive.npy            bool (n) (False = tombstone), all rows
        ann.faiss            optional IVF index (faiss.write_index), ids = row numbers, holding the first
                             ``manifest["ann"]["rows"]`` rows (later rows are added to it on open)

No pickle anywhere: ``np.save``/``np.load(allow_pickle=False)``, JSON, faiss's own writer.

Incremental saves (format 3): rows are append-only between compactions, so a save writes only a new segment
for the rows added since the last one, a new ``alive.npy`` (1 byte per row) and the IVF file only when it was
(re)built. Every unchanged file of the previous generation enters the new generation directory as a hard link
(:func:`link_or_copy`; a copy where the file system has no hard links): no bytes are rewritten, and each
generation directory is still complete on its own. Segments are merged size-tiered (``merge_count``: the newest
run is rewritten as one segment once it reaches half the size of the one before it), and all into one by
``compact``. A format-2 directory is a single segment with prefix "".

Crash safety: a generation is written into ``gen-XXXXXX.tmp-<pid>-<rand>/`` (every file fsynced), the
directory is renamed to ``gen-XXXXXX`` and the parent fsynced, and only then ``manifest.json`` is
replaced (temp file + fsync + ``os.replace`` + fsync of the directory). A crash at any point leaves
the previous manifest naming the previous, complete generation (files are never modified in place, so a
hard link shared with the new one is unchanged). Older generations and stray temp directories are removed
after the switch.
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

from .atomic import fsync_dir
from .errors import IndexCorrupt
from .faults import point

FORMAT_VERSION = 3  # 2: employment type, salary and datePosted columns (a version-1 index loads them as unknown);
#                    3: segments (manifest["segments"]) and an IVF file holding a prefix of the rows
MANIFEST = "manifest.json"
_CRC_CHUNK = 1 << 24


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


def link_or_copy(src: Path, dst: Path) -> None:
    """Put an unchanged file of the previous generation into the new one: a hard link (no bytes written), or
    a copy (fsynced) where the file system refuses hard links."""
    try:
        os.link(src, dst)
    except OSError:
        tmp = dst.with_name(f".{dst.name}.tmp")
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    point("index.file")


def merge_count(sizes: list[int], new: int) -> int:
    """How many of the newest persisted segments (``sizes``, oldest first) to rewrite together with ``new``
    appended rows as one segment: the run grows while it is at least half the size of the segment before it
    (size-tiered, so a row is rewritten O(log n) times and a small append never rewrites the big base)."""
    k, total = 0, new
    while k < len(sizes) and 2 * total >= sizes[len(sizes) - 1 - k]:
        total += sizes[len(sizes) - 1 - k]
        k += 1
    return k


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
