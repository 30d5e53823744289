"""The degree ladder of the matching contract, read from free text.

``level_from_credential`` reads a posting's ``credentialCategory`` value (a short label).
Rule for values that are not degrees (documented in the README):
- "professional certificate", "certificate", "license", "none", "no requirements" -> 0 (no degree required);
- text that names no known degree -> ``None`` (unknown: the posting passes the degree rule and the
  result says the requirement could not be read).
"""
from __future__ import annotations

import re

_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (4, re.compile(r"post\s*-?\s*graduate|master|\bmba\b|\bm\.?\s?s\.?c?\b|\bm\.?\s?a\b\.?|\bm\.?\s?eng\b|doctor|\bph\.?\s?d\b|"
                   r"\bmd\b|\bj\.?d\b|\bm\.?\s?tech\b|\bmca\b|\bm\.?\s?com\b|\bmfa\b|graduate degree|advanced degree|"
                   r"professional degree", re.I)),
    (3, re.compile(r"bachelor|\bb\.?\s?s\.?c?\b|\bb\.?\s?a\b\.?|\bb\.?\s?eng\b|\bb\.?\s?e\b\.?|\bb\.?\s?tech\b|\bbca\b|"
                   r"\bb\.?\s?com\b|\bbba\b|\bllb\b|undergraduate degree|four[- ]year degree|4[- ]year degree|"
                   r"college degree|university degree", re.I)),
    (2, re.compile(r"associate|\ba\.?\s?a\.?s?\b\.?|two[- ]year degree|2[- ]year degree|diploma in engineering|polytechnic", re.I)),
    (1, re.compile(r"high\s*-?\s*school|secondary school|\bged\b|\bhsc\b|\bssc\b|12th|matricul|pre-?university", re.I)),
]
_NO_DEGREE = re.compile(r"^\s*(professional certificate|certificate|certification|licen[cs]e|none|no requirements?|"
                        r"not required|n/?a)\s*$", re.I)


def level_from_credential(text: str) -> int | None:
    """Level 0-4 for a credential label, or ``None`` when the text names no degree we know."""
    t = text.strip()
    if not t or _NO_DEGREE.match(t):
        return 0
    found = [level for level, pat in _PATTERNS if pat.search(t)]
    if not found:
        return None
    # a posting asking for "bachelor's or master's" requires the lower of the two
    return min(found)
