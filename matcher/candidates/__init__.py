"""The recruiter direction: a pool of candidates added by consent, and candidates for a job.

Offers :class:`CandidatePool` (add / remove / get / match_posting / reindex), the reverse hard filters
(:func:`apply_reverse_filters`, :func:`candidate_row`), :func:`resolve_posting` (one posting from inline JSON-LD,
refused with the ingestion error) and the typed values (:class:`ReverseOptions`, :class:`CandidatesResponse`, ...).
Contract: README, *Candidates for a job*.
"""
from .domain import (
    REVERSE_RULES,
    AddedCandidate,
    AddOptions,
    CandidateMatch,
    CandidatesResponse,
    CandidateSummary,
    JobRef,
    ReverseOptions,
    ReverseReport,
    ReverseRuleOutcome,
    StoredCandidate,
)
from .filters import apply_reverse_filters, candidate_row
from .inline import resolve_posting
from .pool import CandidatePool, rank_within
from .store import CandidateStore, candidate_id

__all__ = ["AddOptions", "AddedCandidate", "CandidateMatch", "CandidatePool", "CandidateStore", "CandidateSummary",
           "CandidatesResponse", "JobRef", "REVERSE_RULES", "ReverseOptions", "ReverseReport", "ReverseRuleOutcome",
           "StoredCandidate", "apply_reverse_filters", "candidate_id", "candidate_row", "rank_within",
           "resolve_posting"]
