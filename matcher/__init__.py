"""jobmatch library: postings, resumes, candidate profiles, filters, ranking.

Knows nothing of HTTP. Public values live in :mod:`matcher.domain`; errors in :mod:`matcher.errors`;
settings in :mod:`matcher.settings`. Several processes share a data directory through the writer lock of
:mod:`matcher.lock` (one writer, readers never wait) and :mod:`matcher.datadir` (how far the index is behind).
"""
