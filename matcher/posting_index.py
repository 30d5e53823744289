"""Turn a :class:`~matcher.domain.Posting` into what the index holds: its filter columns (one ``ColumnRow``),
the texts its vectors are embedded from and its vectors, and the text of its lexical (BM25) side."""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from index.columns import ColumnRow

from .domain import EMPLOYMENT_TYPES, Posting


def employment_bits(types) -> int:
    """Bitmask of employment types (bit i = ``EMPLOYMENT_TYPES[i]``); 0 for none."""
    out = 0
    for t in types:
        if t in EMPLOYMENT_TYPES:
            out |= 1 << EMPLOYMENT_TYPES.index(t)
    return out


def posting_row(p: Posting) -> ColumnRow:
    points: list[tuple[float, float]] = []
    countries: list[str] = []
    country_only: list[str] = []
    for place in p.locations:
        if place.country:
            countries.append(place.country)
        if place.has_point:
            points.append((float(place.lat), float(place.lon)))  # type: ignore[arg-type]
        elif place.country and not place.city:
            country_only.append(place.country)
    return ColumnRow(
        degree=-1 if p.degree is None else int(p.degree),
        months=-1 if p.months is None else int(p.months),
        valid_through=p.valid_through.timestamp() if p.valid_through else None,
        remote=bool(p.remote),
        points=tuple(points),
        countries=tuple(dict.fromkeys(countries)),
        country_only=tuple(dict.fromkeys(country_only)),
        applicant_countries=tuple(dict.fromkeys(p.applicant_countries)),
        hybrid=bool(p.hybrid),
        employment=employment_bits(p.employment_types),
        salary_max=_salary_top(p),
        salary_currency=p.salary.currency if p.salary else None,
        date_posted=p.date_posted.timestamp() if p.date_posted else None,
    )


def _salary_top(p: Posting) -> float | None:
    """Top of the annual range; a range stating only a minimum ("from 50,000") is open-ended (inf)."""
    if p.salary is None:
        return None
    return p.salary.max if p.salary.max is not None else float("inf")


# Embedding budget the eval measured for the shipped default: each posting is embedded as two
# short single-window texts (see embed_postings).
DOC_WINDOWS = 1

# --------------------------------------------------------------------------------------------
# Texts and vectors of a posting (shared by indexer, matcher and eval)
# --------------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\r\f\v\xa0]+")
_NL = re.compile(r"\s*\n\s*")


def normalize_text(text: str | None) -> str:
    """Runs of blanks to one space, blank runs around line breaks to one line break, stripped."""
    text = _WS.sub(" ", text or "")
    return _NL.sub("\n", text).strip()


DOC_EMBED_WORDS = 96  # title + the first ~96 words of the description: about 130-150 word pieces


def _head_words(text: str, n: int) -> str:
    """The first ``n`` whitespace-separated words of ``text``, line breaks kept."""
    if n <= 0:
        return ""
    out, count = [], 0
    for line in text.split("\n"):
        words = line.split(" ")
        if count + len(words) >= n:
            out.append(" ".join(words[: n - count]))
            break
        out.append(line)
        count += len(words)
    return "\n".join(out)


def posting_head_text(title: str | None, company: str | None, description: str | None,
                      max_words: int | None = DOC_EMBED_WORDS) -> str:
    """The title on its own line, then the first ``max_words`` words of the description."""
    title, description = normalize_text(title), normalize_text(description)
    if max_words is not None:
        description = _head_words(description, max_words)
    return f"{title}\n{description}" if title else description


def posting_texts_for_embedding(title: str | None, company: str | None, description: str | None) -> tuple[str, str]:
    """The two texts whose unit embeddings, summed and re-normalised, are a posting's vector:
    the title alone, and the title + head of the description (:func:`embed_postings`)."""
    head = posting_head_text(title, company, description)
    return (normalize_text(title) or head, head)


def posting_text_for_embedding(title: str | None, company: str | None, description: str | None,
                               max_words: int | None = None) -> str:
    """Single-text fallback for indexers that embed one text per posting: the title.

    Measured (benchmarks/judgements/README.md): embedding the title alone ranks better than
    the description or title + description as one text; the description still counts through
    the lexical side of :class:`HybridRanker`. Prefer :func:`embed_postings`, which adds the
    head of the description as a second vector and measured best. ``max_words`` given: the
    title + the first ``max_words`` words of the description instead (for experiments).
    """
    if max_words is not None:
        return posting_head_text(title, company, description, max_words)
    return normalize_text(title) or posting_head_text(title, company, description)


def combine_posting_vectors(title_vecs: np.ndarray, head_vecs: np.ndarray) -> np.ndarray:
    """Sum of the unit title and head vectors, re-normalised (float32, unit rows)."""
    v = np.asarray(title_vecs, dtype=np.float32) + np.asarray(head_vecs, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.maximum(n, 1e-12)).astype(np.float32)


def embed_postings(embedder, titles: Sequence[str | None], companies: Sequence[str | None],
                   descriptions: Sequence[str | None], *, batch_size: int = 64,
                   progress: bool = False) -> np.ndarray:
    """Posting vectors as the shipped default ranks them: ``(n, dim)`` unit rows.

    ``embedder`` is a :class:`matcher.embed.Embedder` (anything with ``embed_documents``).
    Costs one short window per posting (title + ~96 words, ~130-150 word pieces) plus one
    title-sized window.
    """
    pairs = [posting_texts_for_embedding(t, c, d) for t, c, d in zip(titles, companies, descriptions, strict=False)]
    if not pairs:
        return np.zeros((0, getattr(embedder, "dim", 0)), dtype=np.float32)
    tv = embedder.embed_documents([p[0] for p in pairs], max_windows=DOC_WINDOWS, batch_size=batch_size,
                                  progress=progress)
    hv = embedder.embed_documents([p[1] for p in pairs], max_windows=DOC_WINDOWS, batch_size=batch_size,
                                  progress=progress)
    return combine_posting_vectors(tv, hv)


def posting_text_for_lexical(title: str | None, company: str | None, description: str | None) -> str:
    """Text indexed by the lexical (BM25) side: title twice (a light field boost) + description."""
    title, description = normalize_text(title), normalize_text(description)
    return f"{title}\n{title}\n{description}" if title else description
