"""The data directory as a whole: how far the index is behind the store, and writes that need no model.

Offers :func:`index_gap` -> :class:`IndexGap` (shown by ``jobmatch stats``) and :func:`remove_posting`
(``jobmatch jobs rm``). Both read the index without loading the embedding model.
"""
from __future__ import annotations

from pydantic import BaseModel, Field

from .errors import IndexNotFound, NotFound
from .jobstore import JobStore
from .lock import DataDirLock
from .settings import Settings


class IndexGap(BaseModel):
    stored: int = Field(description="postings in the job store")
    searchable: int = Field(description="postings the index serves (alive rows)")
    not_searchable: int = Field(description="stored postings the index lacks, or holds an older version of")
    removed_but_searchable: int = Field(description="postings deleted from the store still in the index")
    generation: int | None = Field(description="index generation on disk (None: no index yet)")

    @property
    def in_step(self) -> bool:
        return not (self.not_searchable or self.removed_but_searchable)


def _indexed_keys(settings: Settings) -> tuple[set[str], int | None]:
    from index import JobIndex

    try:
        idx = JobIndex.open(settings.index_path, mmap=True, verify=False)
    except IndexNotFound:
        return set(), None
    snap = idx.snapshot()
    import numpy as np

    return set(snap.key_of(np.flatnonzero(snap.alive))), idx.generation


def index_gap(settings: Settings, store: JobStore) -> IndexGap:
    """Compare the store with the index on disk (the next writer, or a starting server, closes the gap)."""
    indexed, gen = _indexed_keys(settings)
    stored = set(store.ids())
    pending = set(store.pending())
    lacking = (stored - indexed) | (pending & stored & indexed)
    return IndexGap(stored=len(stored), searchable=len(indexed), not_searchable=len(lacking),
                    removed_but_searchable=len(indexed - stored), generation=gen)


def remove_posting(settings: Settings, posting_id: str) -> None:
    """Delete a posting from the store and the index, under the writer lock. Loads the model only when the
    index exists (to keep it in step in one go)."""
    lock = DataDirLock.for_dir(settings.data_dir)
    with lock.hold(settings.writer_lock_timeout_s):
        if not (settings.index_path / "manifest.json").is_file():
            with JobStore(settings.store_path) as store:
                if not store.delete(posting_id):
                    raise NotFound(f"no posting with id {posting_id!r}; nothing removed")
            return
        from .service import MatchService

        with MatchService(settings) as svc:
            try:
                svc.delete_posting(posting_id)
            finally:
                svc.store.close()
