"""Occupation normalisation: job titles -> O*NET-SOC occupations.

The table (``matcher/data/occupations.tsv.gz``) is built from the O*NET 29.2 database (CC BY 4.0, USDOL/ETA;
``matcher/data/ATTRIBUTION.md``) by ``python -m matcher.occupations --onet DIR``: every occupation title, its
Alternate Titles (and their short titles) and the Sample of Reported Titles, as normalised title keys; a key
named under several occupations keeps them all, weighted (occupation title 3, reported title 2, alternate 1).

* :func:`classify_title` maps a posting title ("Sr. Site Reliability Engineer - Recommendation
  Infrastructure") to an :class:`Occupation` (a distribution over SOC codes, best first): the whole title,
  then each part between separators, then the longest run of words that is a known title;
* :func:`resume_occupation` reads the candidate's recent job titles from the experience section of a
  resume (dated entries, the most recent first; the headline above the sections is not used) and combines
  the first three;
* :func:`agreement` is the overlap of two distributions at the detailed occupation (1.0) or, failing that,
  the minor group (``15-12``: 0.5).

The table is read on first use, never at import.
"""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Occupation", "classify_title", "resume_titles", "resume_occupation", "agreement", "occupation_title",
           "TABLE_PATH", "build_table"]

TABLE_PATH = Path(__file__).with_name("data") / "occupations.tsv.gz"

# words that say seniority, contract or place, not the occupation
_NOISE = frozenset("""senior sr snr junior jr lead principal staff mid level entry experienced associate
    i ii iii iv v vi 1 2 3 4 5 6 remote hybrid onsite contract contractor temporary temp fulltime parttime
    permanent perm w2 c2c urgent hiring immediate opening needed req new grad the a an of for with""".split())
_PHRASES = re.compile(r"\b(?:full|part)[\s-]?time\b|\bnew[\s-]grad(?:uate)?\b|\bentry[\s-]level\b", re.I)
_SPLIT = re.compile(r"\s+[-–—|:]\s+|\s*[|,;/(\[\]]\s*|\s+(?:at|in)\s+|\)")
_WORD = re.compile(r"[a-z0-9+#]+")


def title_key(text: str) -> str:
    """Lower-cased title words, '&' as 'and', seniority / contract / place words dropped."""
    text = _PHRASES.sub(" ", text.lower().replace("&", " and "))
    words = [w for w in _WORD.findall(text) if w not in _NOISE]
    return " ".join(words)


@dataclass(frozen=True)
class Occupation:
    """A title's occupation: ``codes`` is a distribution over O*NET-SOC codes, best first."""

    codes: tuple[tuple[str, float], ...]
    matched: str  # the words that were recognised

    @property
    def code(self) -> str:
        return self.codes[0][0]

    @property
    def title(self) -> str:
        return occupation_title(self.code)

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "matched": self.matched}


# ---- the table ---------------------------------------------------------------------------------------------


def build_table(onet_dir: Path, out: Path = TABLE_PATH) -> int:
    """Write the compact table from the O*NET text files; returns the number of title keys."""
    import csv
    import os

    weights: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}

    def add(key_text: str, soc: str, w: float) -> None:
        key = title_key(key_text)
        if not key or key.isdigit():
            return
        d = weights.setdefault(key, {})
        d[soc] = d.get(soc, 0.0) + w

    def rows(name: str):
        with open(onet_dir / name, encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh, delimiter="\t")

    for r in rows("Occupation Data.txt"):
        names[r["O*NET-SOC Code"]] = r["Title"]
        add(r["Title"], r["O*NET-SOC Code"], 3.0)
        if r["Title"].endswith("s"):  # "Software Developers" -> "software developer"
            add(re.sub(r"(?<=[a-z])s\b", "", r["Title"]), r["O*NET-SOC Code"], 3.0)
    for r in rows("Sample of Reported Titles.txt"):
        add(r["Reported Job Title"], r["O*NET-SOC Code"], 2.0)
    for r in rows("Alternate Titles.txt"):
        add(r["Alternate Title"], r["O*NET-SOC Code"], 1.0)
        if r.get("Short Title") and r["Short Title"] != "n/a":
            add(r["Short Title"], r["O*NET-SOC Code"], 1.0)
    tmp = out.with_name(out.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# O*NET-SOC occupations by title; built by `python -m matcher.occupations` from the O*NET 29.2 "
                 "Database (USDOL/ETA), CC BY 4.0; see ATTRIBUTION.md\n")
        for soc in sorted(names):
            fh.write(f"@{soc}\t{names[soc]}\n")
        for key in sorted(weights):
            d = weights[key]
            fh.write(key + "\t" + ",".join(f"{s}:{w:g}" for s, w in sorted(d.items(), key=lambda t: (-t[1], t[0])))
                     + "\n")
    os.replace(tmp, out)
    return len(weights)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, tuple[tuple[str, float], ...]], dict[str, str]]:
    titles: dict[str, tuple[tuple[str, float], ...]] = {}
    names: dict[str, str] = {}
    with gzip.open(TABLE_PATH, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            key, _, rest = line.rstrip("\n").partition("\t")
            if key.startswith("@"):
                names[key[1:]] = rest
                continue
            codes = []
            for part in rest.split(","):
                soc, _, w = part.rpartition(":")
                codes.append((soc, float(w)))
            titles[key] = tuple(codes)
    return titles, names


def occupation_title(code: str) -> str:
    return _table()[1].get(code, code)


def _occupation(key: str) -> Occupation | None:
    codes = _table()[0].get(key)
    if not codes:
        return None
    total = sum(w for _, w in codes)
    return Occupation(tuple((s, w / total) for s, w in codes), key)


@lru_cache(maxsize=65536)
def classify_title(title: str | None, *, backoff: bool = True) -> Occupation | None:
    """The occupation of a job title, or None when no part of it is a known title (memoised)."""
    if not title or not title.strip():
        return None
    whole = title_key(title)
    occ = _occupation(whole)
    if occ is not None:
        return occ
    parts = [title_key(p) for p in _SPLIT.split(title) if p and p.strip()]
    for p in parts:
        occ = _occupation(p)
        if occ is not None:
            return occ
    if not backoff:
        return None
    best: tuple[int, int, Occupation] | None = None
    for pi, p in enumerate(parts or [whole]):
        words = p.split()
        for n in range(min(len(words), 6), 0, -1):
            if best is not None and n < best[0]:
                break
            for i in range(len(words) - n, -1, -1):  # rightmost first: the head noun ends an English title
                occ = _occupation(" ".join(words[i:i + n]))
                if occ is not None and (n > 1 or words[i] in _HEADS or len(words) == 1 and len(words[0]) > 3
                                        or words[i] in _ACRONYMS):
                    if best is None or n > best[0]:
                        best = (n, pi, occ)
                    break
            if best is not None and best[0] == n:
                break
    return best[2] if best else None


_ACRONYMS = frozenset("ceo cto cfo coo cio ciso dba sre qa rn lpn cna".split())
# one-word titles trusted inside a longer title ("Kubernetes Engineer" -> engineer)
_HEADS = frozenset("""engineer developer programmer architect analyst scientist administrator manager director
    consultant designer technician specialist accountant nurse teacher tester statistician economist
    researcher""".split())


# ---- resumes -----------------------------------------------------------------------------------------------

_DATEISH = re.compile(r"\b(?:(?:19|20)\d{2}|present|current|now|today)\b", re.I)
_DATE_BITS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*|"
                        r"\b\d{1,2}\s*/\s*(?=(?:19|20)\d{2})|\b(?:19|20)\d{2}\b|\b(?:to|till|until|present|current|"
                        r"now|today)\b|[-–—]+", re.I)
_PLACEHOLDER = re.compile(r"\bcompany name\b|\bcity\s*,\s*state\b|\bname\b", re.I)


def resume_titles(text: str, limit: int = 3) -> list[tuple[str, Occupation]]:
    """The job titles of the resume's dated experience entries (the most recent first, as resumes list them),
    each with its occupation; at most ``limit``. The headline above the first section is not read."""
    from .resumes.sections import split_lines

    out: list[tuple[str, Occupation]] = []
    lines = split_lines(text or "")
    for idx, ln in enumerate(lines):
        if ln.section != "experience" or not _DATEISH.search(ln.text) or len(ln.text) > 160:
            continue
        cands = [ln.text]
        # "Company Name City, State" / a date alone: the title sits on the next or previous line
        if idx + 1 < len(lines) and lines[idx + 1].section == "experience":
            cands.append(lines[idx + 1].text)
        if idx > 0 and lines[idx - 1].section == "experience":
            cands.append(lines[idx - 1].text)
        for cand in cands:
            if len(cand) > 160:
                continue
            s = _PLACEHOLDER.sub(" ", _DATE_BITS.sub(" ", cand))
            occ = None
            for seg in _SPLIT.split(s):
                if seg and 0 < len(seg.split()) <= 7:
                    occ = classify_title(seg)
                    if occ is not None:
                        break
            if occ is not None:
                if all(o.code != occ.code or t != occ.matched for t, o in out):
                    out.append((occ.matched, occ))
                break
        if len(out) >= limit:
            break
    return out


def resume_occupation(text: str) -> Occupation | None:
    """The candidate's occupation: the recent titles' distributions combined (weights 1, 0.5, 0.25)."""
    titles = resume_titles(text)
    if not titles:
        return None
    mix: dict[str, float] = {}
    for w, (_, occ) in zip((1.0, 0.5, 0.25), titles, strict=False):
        for soc, p in occ.codes:
            mix[soc] = mix.get(soc, 0.0) + w * p
    total = sum(mix.values())
    codes = tuple(sorted(((s, p / total) for s, p in mix.items()), key=lambda t: (-t[1], t[0])))
    return Occupation(codes, "; ".join(t for t, _ in titles))


def agreement(a: Occupation | None, b: Occupation | None) -> float | None:
    """Overlap of two occupation distributions, 0..1; None when either is unknown. Detailed occupations
    (``15-1252``, the O*NET ``.NN`` suffix ignored) count fully; failing any, the minor group (``15-12``) half."""
    if a is None or b is None:
        return None

    def fold(o: Occupation, n: int) -> dict[str, float]:
        d: dict[str, float] = {}
        for s, p in o.codes:
            d[s[:n]] = d.get(s[:n], 0.0) + p
        return d

    da, db = fold(a, 7), fold(b, 7)
    exact = sum(min(p, db.get(s, 0.0)) for s, p in da.items())
    if exact > 0:
        return round(min(1.0, exact), 4)
    ga, gb = fold(a, 5), fold(b, 5)
    return round(0.5 * min(1.0, sum(min(p, gb.get(s, 0.0)) for s, p in ga.items())), 4)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Build matcher/data/occupations.tsv.gz from the O*NET text files")
    ap.add_argument("--onet", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" /
                    "taxonomy" / "onet")
    ap.add_argument("--out", type=Path, default=TABLE_PATH)
    args = ap.parse_args(argv)
    n = build_table(args.onet, args.out)
    print(f"{n} title keys -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
