"""jobmatch library: postings, resumes, candidate profiles, filters, ranking.

Knows nothing of HTTP. Public values live in :mod:`matcher.domain`; errors in :mod:`matcher.errors`;
settings in :mod:`matcher.settings`.
"""
