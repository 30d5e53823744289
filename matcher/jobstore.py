"""The job store: normalised postings and their original JSON-LD in one SQLite file (WAL mode).

Offers :class:`JobStore` (``upsert_many``, ``get``, ``delete``, ``iter_postings``, ``ids``, ``count``,
``expired``) and the values it returns (:class:`StoredPosting`, :class:`UpsertOutcome`).

One row per posting id; ``dedup_key`` is unique, so a near-duplicate with another id is reported as
``duplicate`` and merged into the posting already stored (the first one seen is kept). A posting with a stored
id replaces the stored version only when it is newer: a later ``datePosted``, or on equal dates a greater
content hash. That makes upserts order-independent and idempotent even when a feed holds several versions
of one posting (the shared data does): re-ingesting reports them ``unchanged``, never flip-flopping updates. Safe to share between
threads: each thread gets its own connection, and writers are serialised by a lock.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from index.faults import point
from matcher.domain import Posting
from matcher.errors import JobmatchError, NotFound
from matcher.options import as_utc
from matcher.postings import dedup_key

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
    id            TEXT PRIMARY KEY,
    dedup_key     TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    title         TEXT NOT NULL,
    company       TEXT,
    date_posted   TEXT,            -- UTC, same format
    valid_through TEXT,            -- UTC, 'YYYY-MM-DDTHH:MM:SSZ' so that text order is time order
    posting_json  TEXT NOT NULL,   -- Posting.model_dump_json()
    jsonld        TEXT NOT NULL,   -- the original JSON-LD record
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS postings_valid_through ON postings (valid_through);
-- ids written (added, updated, deleted) whose index update is not saved yet: filled in the same transaction
-- as the write, emptied by the writer after the index generation that holds them is saved (README: reconcile)
CREATE TABLE IF NOT EXISTS pending_index (id TEXT PRIMARY KEY);
"""

Outcome = Literal["added", "updated", "unchanged", "duplicate"]


class StoreError(JobmatchError):
    """The store file cannot be used as it is."""

    code = "store_error"
    status_code = 503


@dataclass(frozen=True)
class UpsertOutcome:
    id: str
    outcome: Outcome
    duplicate_of: str | None = None  # for "duplicate": the id the posting was merged into


class StoredPosting(BaseModel):
    posting: Posting
    jsonld: str
    created_at: datetime
    updated_at: datetime


def _utc_text(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return as_utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


class JobStore:
    """SQLite store of postings at ``path`` (created with its directory when missing)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        # every connection opened, with the thread it belongs to: close() closes them all, and a connection
        # whose thread has exited is closed when the next one opens (a server's thread pool retires idle
        # threads and starts new ones: without this each new thread would leave 2 fds open for good)
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._all_lock = threading.Lock()
        self._migrate(self._conn())

    # ---- connections ----------------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                # check_same_thread=False only so that close() may close every thread's connection
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as e:
                raise StoreError(f"cannot open the job store {self.path}: {e}. Check the path, or move the "
                                 "file away and ingest again.") from e
            self._local.conn = conn
            with self._all_lock:
                live = []
                for thread, other in self._all:
                    if thread.is_alive():
                        live.append((thread, other))
                    else:
                        other.close()
                live.append((threading.current_thread(), conn))
                self._all = live
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{self.path} is not a usable job store ({e}). Move it away and ingest again.") from e
        version = int(row[0]) if row else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(f"the job store {self.path} has schema version {version}, newer than this jobmatch "
                             f"understands ({SCHEMA_VERSION}). Upgrade jobmatch, or use another --data-dir.")

    def close(self) -> None:
        """Close every connection this store opened (from any thread)."""
        with self._all_lock:
            for _, conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writes ---------------------------------------------------------------------------------------
    def upsert_many(self, postings: Sequence[Posting], jsonld_texts: Sequence[str]) -> list[UpsertOutcome]:
        """Add or update postings in one transaction; one outcome per posting, in order."""
        if len(postings) != len(jsonld_texts):
            raise ValueError("upsert_many needs one JSON-LD text per posting")
        now = _utc_text(datetime.now(UTC))
        conn = self._conn()
        outcomes: list[UpsertOutcome] = []
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for p, jsonld in zip(postings, jsonld_texts, strict=True):
                    outcomes.append(self._upsert_one(conn, p, jsonld, now))
                conn.executemany("INSERT OR IGNORE INTO pending_index (id) VALUES (?)",
                                 [(o.id,) for o in outcomes if o.outcome in ("added", "updated")])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        point("store.committed")
        return outcomes

    @staticmethod
    def _upsert_one(conn: sqlite3.Connection, p: Posting, jsonld: str, now: str | None) -> UpsertOutcome:
        doc = p.model_dump_json()
        key, chash = dedup_key(p), hashlib.sha256(doc.encode()).hexdigest()[:32]  # == content_hash(p)
        holder = conn.execute("SELECT id FROM postings WHERE dedup_key=?", (key,)).fetchone()
        if holder is not None and holder[0] != p.id:
            return UpsertOutcome(p.id, "duplicate", duplicate_of=holder[0])
        row = conn.execute("SELECT content_hash, date_posted FROM postings WHERE id=?", (p.id,)).fetchone()
        posted = _utc_text(p.date_posted)
        values = (key, chash, p.title, p.company, posted, _utc_text(p.valid_through), doc, jsonld)
        if row is None:
            conn.execute("INSERT INTO postings (dedup_key, content_hash, title, company, date_posted, valid_through,"
                         " posting_json, jsonld, id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (*values, p.id, now, now))
            return UpsertOutcome(p.id, "added")
        if row[0] == chash or (posted or "", chash) < (row[1] or "", row[0]):
            return UpsertOutcome(p.id, "unchanged")  # same, or an older version than the one stored
        conn.execute("UPDATE postings SET dedup_key=?, content_hash=?, title=?, company=?, date_posted=?, "
                     "valid_through=?, posting_json=?, jsonld=?, updated_at=? WHERE id=?", (*values, now, p.id))
        return UpsertOutcome(p.id, "updated")

    def delete(self, posting_id: str) -> bool:
        """Remove a posting; False when there was none with that id."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute("DELETE FROM postings WHERE id=?", (posting_id,))
                if cur.rowcount > 0:
                    conn.execute("INSERT OR IGNORE INTO pending_index (id) VALUES (?)", (posting_id,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        point("store.committed")
        return cur.rowcount > 0

    # ---- the index's to-do list -------------------------------------------------------------------------------
    def pending(self) -> list[str]:
        """Ids written (added, updated or deleted) whose index update has not been saved yet."""
        return [r[0] for r in self._conn().execute("SELECT id FROM pending_index ORDER BY id")]

    def clear_pending(self, ids: Sequence[str]) -> None:
        """Forget ``ids`` once an index generation holding their current state is saved."""
        if not ids:
            return
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("DELETE FROM pending_index WHERE id=?", [(i,) for i in ids])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # ---- reads ----------------------------------------------------------------------------------------
    def get(self, posting_id: str) -> StoredPosting:
        row = self._conn().execute(
            "SELECT posting_json, jsonld, created_at, updated_at FROM postings WHERE id=?", (posting_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no posting with id {posting_id!r} in {self.path}; ids are listed by "
                           "`jobmatch ingest --json` (changed_ids); check the id and the --data-dir")
        return StoredPosting(posting=Posting.model_validate_json(row[0]), jsonld=row[1],
                             created_at=datetime.fromisoformat(row[2]), updated_at=datetime.fromisoformat(row[3]))

    def postings(self, ids: Sequence[str]) -> dict[str, Posting]:
        """The stored postings of ``ids`` by id (ids not stored are left out): indexed lookups 500 ids per
        statement instead of one statement per id (a match reads its ~50 candidates this way)."""
        conn = self._conn()
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Posting] = {}
        for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
            part = wanted[start:start + 500]
            marks = ",".join("?" * len(part))
            for pid, text in conn.execute(f"SELECT id, posting_json FROM postings WHERE id IN ({marks})", part):
                out[pid] = Posting.model_validate_json(text)
        return out

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, in id order."""
        for (text,) in self._conn().execute("SELECT posting_json FROM postings ORDER BY id"):
            yield Posting.model_validate_json(text)

    def postings_after(self, after_id: str | None, *, chunk: int = 500) -> Iterator[Posting]:
        """Postings with an id greater than ``after_id`` (all when None), in id order, read ``chunk`` at a time
        (read-only; for keyset paging: inserts meanwhile never repeat or skip a posting)."""
        last = after_id
        while True:
            rows = self._conn().execute(
                "SELECT id, posting_json FROM postings WHERE ? IS NULL OR id > ? ORDER BY id LIMIT ?",
                (last, last, chunk)).fetchall()
            for _, text in rows:
                yield Posting.model_validate_json(text)
            if len(rows) < chunk:
                return
            last = rows[-1][0]

    def ids(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT id FROM postings ORDER BY id")]

    def present(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored: indexed lookups 500 ids per statement, never a scan of the store."""
        conn = self._conn()
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
            part = wanted[start:start + 500]
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in conn.execute(f"SELECT id FROM postings WHERE id IN ({marks})", part))
        return found

    def count(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM postings").fetchone()[0])

    def expired(self, as_of: datetime) -> list[str]:
        """Ids of postings whose ``valid_through`` is before ``as_of`` (postings without one never expire)."""
        return [r[0] for r in self._conn().execute(
            "SELECT id FROM postings WHERE valid_through IS NOT NULL AND valid_through < ? ORDER BY id",
            (_utc_text(as_of),))]
