"""The candidate store: candidates added to the pool by explicit request, in their own SQLite file.

``<data_dir>/candidates/candidates.sqlite3`` holds one row per candidate: the extracted profile as JSON (resume
text, evidence, confidence, unknown reasons), a label and the kind of input. Nothing else in the project writes
candidates anywhere; matching an uploaded resume never touches this file.

Erasure: the file runs with ``secure_delete=ON`` (SQLite overwrites deleted content with zeros) and a rollback
journal (no WAL that could keep an old page), so after :meth:`CandidateStore.delete` no byte of the candidate is
left in the file; ``VACUUM`` is not needed. Ids are ``cd_`` + 16 hex of the SHA-256 of the resume text, so adding
the same resume twice updates one entry. ``pending_index`` (same transaction as the write) lists ids whose index
update is not saved yet, like the job store's.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from matcher.domain import CandidateProfile
from matcher.errors import JobmatchError, NotFound

from .domain import StoredCandidate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS candidates (
    id           TEXT PRIMARY KEY,
    label        TEXT,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,      -- the resume text (also inside profile_json): read alone to rebuild BM25
    profile_json TEXT NOT NULL,      -- CandidateProfile.model_dump_json()
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_index (id TEXT PRIMARY KEY);
"""


class CandidateStoreError(JobmatchError):
    code = "candidate_store_error"
    status_code = 503


def candidate_id(text: str) -> str:
    """Stable id from the resume text (whitespace-normalised): the same resume added twice is one candidate."""
    norm = " ".join(text.split())
    return "cd_" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class CandidateStore:
    """SQLite store of candidates at ``path`` (created with its directory). Thread-safe (one connection, a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.execute("PRAGMA secure_delete=ON")
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        self._conn.execute(stmt)
                self._conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            raise CandidateStoreError(f"cannot open the candidate store {self.path}: {e}. Check the path, or move "
                                      "the file away (the pool is then empty)") from e

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CandidateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writes -------------------------------------------------------------------------------------------------
    def upsert(self, profile: CandidateProfile, *, kind: str, label: str | None = None) -> tuple[str, str]:
        """Store ``profile``; returns ``(id, "added" | "updated")``. The id is marked pending for the index."""
        cid = candidate_id(profile.text)
        now = _now()
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                had = c.execute("SELECT created_at FROM candidates WHERE id = ?", (cid,)).fetchone()
                c.execute("INSERT OR REPLACE INTO candidates (id, label, kind, text, profile_json, created_at, "
                          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (cid, label, kind, profile.text, profile.model_dump_json(), had[0] if had else now, now))
                c.execute("INSERT OR IGNORE INTO pending_index (id) VALUES (?)", (cid,))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return cid, "updated" if had else "added"

    def delete(self, cid: str) -> bool:
        """Remove the candidate's row (overwritten with zeros on disk); True when it was there."""
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                n = c.execute("DELETE FROM candidates WHERE id = ?", (cid,)).rowcount
                if n:
                    c.execute("INSERT OR IGNORE INTO pending_index (id) VALUES (?)", (cid,))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return bool(n)

    def pending(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM pending_index ORDER BY id")]

    def clear_pending(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._lock:
            self._conn.executemany("DELETE FROM pending_index WHERE id = ?", [(i,) for i in ids])

    # ---- reads --------------------------------------------------------------------------------------------------
    def get(self, cid: str) -> StoredCandidate:
        with self._lock:
            row = self._conn.execute("SELECT id, label, kind, profile_json, created_at, updated_at FROM candidates "
                                     "WHERE id = ?", (cid,)).fetchone()
        if row is None:
            raise NotFound(f"no candidate with id {cid[:200]!r}; list them with `jobmatch candidates ls` "
                           "or GET /v1/candidates")
        return _stored(row)

    def get_many(self, ids: Sequence[str]) -> dict[str, StoredCandidate]:
        out: dict[str, StoredCandidate] = {}
        with self._lock:
            for a in range(0, len(ids), 500):
                chunk = list(ids[a:a + 500])
                q = ",".join("?" * len(chunk))
                for row in self._conn.execute("SELECT id, label, kind, profile_json, created_at, updated_at FROM "
                                              f"candidates WHERE id IN ({q})", chunk):
                    out[row[0]] = _stored(row)
        return out

    def iter_all(self) -> Iterator[StoredCandidate]:
        with self._lock:
            rows = self._conn.execute("SELECT id, label, kind, profile_json, created_at, updated_at FROM candidates "
                                      "ORDER BY id").fetchall()
        for row in rows:
            yield _stored(row)

    def texts(self) -> dict[str, str]:
        """id -> resume text of every candidate (what the BM25 side indexes)."""
        with self._lock:
            return dict(self._conn.execute("SELECT id, text FROM candidates"))

    def ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM candidates ORDER BY id")]

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0])


def _stored(row) -> StoredCandidate:
    cid, label, kind, pj, created, updated = row
    return StoredCandidate(id=cid, label=label, kind=kind, profile=CandidateProfile.model_validate_json(pj),
                           created_at=_when(created), updated_at=_when(updated))
