"""Reading JSON-LD as job boards publish it: lenient parsing, ``@id`` references, postings nested anywhere.

Offers:
- :func:`loads_lenient` - ``json.loads`` first; when that fails, the repairs browsers and search engines
  tolerate, each one named in a warning: a byte-order mark, an HTML comment or CDATA wrapper around the
  block, raw control characters (newlines, tabs) inside strings, trailing commas, ``//`` and ``/* */``
  comments outside strings, ``\\'`` escapes and a trailing ``;``. Nothing else: no unquoted keys, no single
  quotes, no guessing where a missing bracket belongs. What still does not parse raises
  :class:`json.JSONDecodeError`.
- :func:`id_map` - every node with an ``@id`` in a document (all blocks of an HTML page together).
- :func:`resolve_refs` - a copy of a node where ``{"@id": ...}`` references are replaced by the node they name.
- :func:`find_postings` - every JobPosting inside a value (``@graph``, nested ``@graph``, ``ItemList``
  ``itemListElement[].item``, ``mainEntity``, any property), with a readable path.

Why not the ``json5`` package: it refuses raw newlines inside strings (the commonest real-world fault) and
accepts things no JSON-LD consumer does (unquoted keys, single quotes, hex numbers), which would be guessing.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_MAX_DEPTH = 12  # nesting followed when resolving references or looking for postings

_WRAPPERS = [
    (re.compile(r"^\s*<!--"), re.compile(r"(//\s*)?-->\s*$"), "an HTML comment around the block"),
    (re.compile(r"^\s*(/\*\s*)?<!\[CDATA\[(\s*\*/)?"), re.compile(r"(/\*\s*)?\]\]>(\s*\*/)?\s*$"), "a CDATA wrapper"),
]


def _scan_repairs(text: str) -> tuple[str, list[str]]:
    """One pass outside/inside strings: drop trailing commas and comments outside strings, escape raw
    control characters and ``\\'`` inside strings. Returns (text, names of the repairs made)."""
    out: list[str] = []
    made: set[str] = set()
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\" and i + 1 < n:
                nxt = text[i + 1]
                if nxt == "'":
                    out.append("'")
                    made.add("\\' escapes")
                else:
                    out.append(text[i:i + 2])
                i += 2
                continue
            if c == '"':
                in_str = False
            elif c < " ":
                out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, f"\\u{ord(c):04x}"))
                made.add("raw line breaks or tabs inside strings")
                i += 1
                continue
            out.append(c)
            i += 1
            continue
        if c == '"':
            in_str = True
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "]}":
                made.add("trailing commas")
                i += 1
                continue
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            i = n if j < 0 else j
            made.add("comments")
            continue
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            made.add("comments")
            continue
        out.append(c)
        i += 1
    return "".join(out), sorted(made)


def loads_lenient(text: str) -> tuple[Any, list[str]]:
    """(value, warnings). Strict JSON gives no warnings; see the module docstring for what is repaired."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as e:
        first_error = e
    repairs: list[str] = []
    body = text
    if "\ufeff" in body:
        body = body.replace("\ufeff", "")
        repairs.append("a byte-order mark")
    for head, tail, what in _WRAPPERS:
        if head.search(body) and tail.search(body):
            body = tail.sub("", head.sub("", body, count=1), count=1)
            repairs.append(what)
    body = body.strip()
    if body.endswith(";"):
        body = body[:-1]
        repairs.append("a trailing semicolon")
    fixed, made = _scan_repairs(body)
    repairs += made
    try:
        value = json.loads(fixed)
    except json.JSONDecodeError:
        raise first_error from None
    return value, [f"JSON-LD is not strict JSON; read leniently ({', '.join(repairs) or 'no change'})"]


# ---- references ------------------------------------------------------------------------------------------
def _walk(value: Any, depth: int = 0) -> Iterator[dict]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        yield value
        for v in value.values():
            if isinstance(v, dict | list):
                yield from _walk(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict | list):
                yield from _walk(v, depth + 1)


def _is_ref(v: dict) -> bool:
    return "@id" in v and all(k in ("@id", "@type") for k in v)


def id_map(*values: Any) -> dict[str, dict]:
    """``@id`` -> the fullest node carrying it (a node with more than a bare reference wins)."""
    out: dict[str, dict] = {}
    for value in values:
        for node in _walk(value):
            ident = node.get("@id")
            if isinstance(ident, str) and ident and not _is_ref(node):
                out.setdefault(ident, node)
    return out


def resolve_refs(value: Any, ids: dict[str, dict], _depth: int = 0, _seen: frozenset[str] = frozenset()) -> Any:
    """A copy of ``value`` with ``{"@id": x}`` (optionally with ``@type``) replaced by the node ``x`` names.
    Unknown references stay as they are; cycles and depth are bounded."""
    if not ids or _depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        if _is_ref(value):
            ident = value.get("@id")
            if isinstance(ident, str) and ident in ids and ident not in _seen:
                return resolve_refs(ids[ident], ids, _depth + 1, _seen | {ident})
            return value
        return {k: resolve_refs(v, ids, _depth + 1, _seen) if isinstance(v, dict | list) else v
                for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, ids, _depth + 1, _seen) if isinstance(v, dict | list) else v for v in value]
    return value


# ---- finding postings ------------------------------------------------------------------------------------
def type_names(obj: dict) -> set[str]:
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return {x.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for x in types if isinstance(x, str)}


def is_job_posting(obj: dict) -> bool:
    return "JobPosting" in type_names(obj)


def find_postings(value: Any, path: str = "", _depth: int = 0) -> Iterator[tuple[str, dict]]:
    """(path, JobPosting object) for every posting inside ``value``, in document order. A JobPosting's own
    properties are not searched (a posting inside a posting is not a second job)."""
    if _depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from find_postings(item, f"{path} item {i}".strip(), _depth + 1)
        return
    if not isinstance(value, dict):
        return
    if is_job_posting(value):
        yield path, value
        return
    for key, v in value.items():
        if isinstance(v, dict | list) and key != "@context":
            label = "" if key in ("item",) and not path else key
            yield from find_postings(v, f"{path} {label}".strip() if label else path, _depth + 1)
