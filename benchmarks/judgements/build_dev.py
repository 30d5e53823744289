"""Build the dev judgement set (queries + TREC qrels) for ranking-quality evaluation.

Relevance is *graded by job-title family*: each posting title and each resume is mapped to
one family by ordered keyword rules (FAMILY_RULES below); a posting gets

    2  if its family equals the resume's family,
    1  if its family is adjacent to the resume's family (ADJACENT below),
    0  otherwise (not written: unjudged == 0).

The resume's family comes from its own headline title when one is clear (livecareer resumes
start with the candidate's current/most recent job title in capitals) and falls back to the
dataset category otherwise. Queries whose family has no relevant posting are dropped.

See benchmarks/judgements/README.md for the mapping, its limits, and how doc ids are made.

Usage:
    .venv/bin/python benchmarks/judgements/build_dev.py [--data ../shared/data] [--out benchmarks/judgements]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEFAULT_DATA = (ROOT.parent / "shared" / "data") if (ROOT.parent / "shared" / "data").exists() else Path("/work/shared/data")

# Ordered rules: the first family whose pattern matches the (lower-cased) title wins.
# Order matters: e.g. "Machine Learning Data Engineer" is ml_engineering, "Software Test
# Engineer" is qa_test, "Volunteer ... (Meet a Software Engineer)" is other.
FAMILY_RULES: list[tuple[str, str]] = [
    ("other", r"volunteer|speaker|recruit|\bsales\b|^(?!.*(?:scien|engineer|analy|developer)).*marketing|account (?:executive|manager)|customer service|coach|teacher|instructor|trainer|clerk|administrative assistant"),
    ("design", r"\bux\b|^(?!.*(?:engineer|developer|architect)).*\bui\b|user experience|interaction designer|product designer|visual designer|graphic design|web designer|digital designer|web designing"),
    ("qa_test", r"\bqa\b|quality assurance|\bsdet\b|\btest(?:ing|er)?\b|automation test|validation engineer"),
    ("security", r"^(?!.*scien).*(?:secur(?!ity clearance)|cyber|threat|identity|\biam\b|penetration|information assurance)"),
    ("ml_engineering", r"machine learning|\bml\b|ai/ml|\bai\b|artificial intelligence|deep learning|\bnlp\b|natural language|computer vision|perception|\bvision\b"),
    ("data_science", r"data scien|scientist|statistic|quantitative|\bmodeler\b|operations research"),
    ("data_engineering", r"data engineer|big data|data lake|\betl\b|hadoop|spark|data architect|data platform|data warehouse|data integration|data pipeline"),
    ("database", r"database|\bdba\b|sql developer|sql server"),
    ("data_analytics", r"data analy|business analy|^(?!.*engineer).*analytics|\bbi\b|business intelligence|reporting analyst|business systems analyst|\banalyst\b"),
    ("hardware", r"electrical|electronic|hardware|\brf\b|asic|circuit"),
    ("sre_devops", r"site reliability|\bsre\b|devops|dev ops|cloud|infrastructure|platform engineer|kubernetes|observability|\blinux\b|systems engineer|system engineer|production support|release engineer|build engineer"),
    ("network", r"network"),
    ("embedded", r"embedded|firmware|\bfpga\b|\brtos\b"),
    ("mobile", r"android|\bios\b|mobile"),
    ("frontend", r"front[ -]?end|frontend|\breact\b|angular|javascript|web developer|\bweb\b|drupal|\bui\b"),
    ("software", r"software|developer|programmer|\bsde\b|\bswe\b|back[ -]?end|full[ -]?stack|\bjava\b|python|\.net|dotnet|c\+\+|c#|golang|application engineer|\bsap\b|blockchain"),
    ("it_ops", r"information technology|\bit\b|help ?desk|technical support|support specialist|(?:computer|desktop|support).{0,20}technician|desktop|system administrator|systems administrator|sysadmin|\badministrator\b"),
    ("mechanical", r"mechanical|manufacturing|industrial engineer|\bcad\b|thermal|robotics"),
    ("management", r"manager|director|\bhead\b|\bvp\b|vice[ -]president|chief|\bcio\b|\bcto\b|\bpmo\b|program manag|project manag|product manag|supervisor|operations manager"),
    ("software", r"\bengineer\b"),  # generic "engineer" in a tech-postings corpus
]
_COMPILED = [(fam, re.compile(pat)) for fam, pat in FAMILY_RULES]

# Adjacent families earn grade 1. Kept symmetric by _adjacency().
ADJACENT_PAIRS: list[tuple[str, str]] = [
    ("data_science", "ml_engineering"),
    ("data_science", "data_analytics"),
    ("data_science", "data_engineering"),
    ("ml_engineering", "data_engineering"),
    ("ml_engineering", "software"),
    ("data_engineering", "database"),
    ("data_engineering", "software"),
    ("data_engineering", "data_analytics"),
    ("data_analytics", "database"),
    ("software", "frontend"),
    ("software", "mobile"),
    ("software", "embedded"),
    ("software", "qa_test"),
    ("software", "sre_devops"),
    ("frontend", "mobile"),
    ("frontend", "design"),
    ("embedded", "hardware"),
    ("hardware", "mechanical"),
    ("sre_devops", "it_ops"),
    ("sre_devops", "network"),
    ("sre_devops", "security"),
    ("it_ops", "network"),
    ("it_ops", "security"),
    ("network", "security"),
    ("management", "it_ops"),
]


def _adjacency() -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {}
    for a, b in ADJACENT_PAIRS:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    return adj


ADJ = _adjacency()

# Fallback when a resume's own title does not map to a family.
CATEGORY_FAMILY: dict[str, str | None] = {
    # updated_resume_dataset categories
    "Data Science": "data_science",
    "Python Developer": "software",
    "Java Developer": "software",
    "DotNet Developer": "software",
    "SAP Developer": "software",
    "Blockchain": "software",
    "Database": "database",
    "Testing": "qa_test",
    "Automation Testing": "qa_test",
    "DevOps Engineer": "sre_devops",
    "Hadoop": "data_engineering",
    "ETL Developer": "data_engineering",
    "Business Analyst": "data_analytics",
    "Network Security Engineer": "security",
    "Web Designing": "frontend",
    "Mechanical Engineer": "mechanical",
    "Electrical Engineering": "hardware",
    "PMO": "management",
    "Operations Manager": "management",
    # livecareer categories
    "INFORMATION-TECHNOLOGY": "it_ops",
    "ENGINEERING": None,
    "DESIGNER": None,
}

LIVECAREER_CATEGORIES = ("INFORMATION-TECHNOLOGY", "ENGINEERING", "DESIGNER")
# Families we do not score (not present in the tech corpus in any number, or not a job family).
SKIP_QUERY_FAMILIES = {"other"}


def title_family(title: str) -> str | None:
    t = html.unescape(title or "").lower()
    t = re.sub(r"\s+", " ", t)
    for fam, rx in _COMPILED:
        if rx.search(t):
            return fam
    return None


def grade(query_family: str, doc_family: str | None) -> int:
    if doc_family is None:
        return 0
    if doc_family == query_family:
        return 2
    if doc_family in ADJ.get(query_family, ()):
        return 1
    return 0


def load_postings(data: Path) -> list[dict]:
    with open(data / "jobs" / "linkedin_tech_2021.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def posting_doc_ids(data: Path, raw: list[dict]) -> tuple[list[str], str]:
    """Stable doc ids for the postings, in file order: the project's ``Posting.id``
    (matcher.postings.posting_from_jsonld -> ``jp_`` + 16 hex). Near-duplicate lines share an id.

    Falls back to ``line:<n>`` (0-based line number) only if matcher.postings cannot be imported.
    """
    try:
        from matcher.postings import posting_from_jsonld
    except ImportError:  # pragma: no cover
        return [f"line:{i}" for i in range(len(raw))], "line number (matcher.postings unavailable)"
    return [posting_from_jsonld(r, geocode_missing=False).id for r in raw], "matcher.postings Posting.id"


def resume_headline(text: str) -> str:
    for line in (text or "").splitlines():
        s = line.strip()
        if s:
            return s
    return ""


def load_queries(data: Path) -> list[dict]:
    out: list[dict] = []
    with open(data / "resumes" / "updated_resume_dataset" / "resumes.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            fam = CATEGORY_FAMILY.get(r["category"])
            if fam is None:
                continue
            out.append({"query_id": f"upd-{r['id']}", "source": "updated_resume_dataset", "resume_id": str(r["id"]),
                        "category": r["category"], "headline": "", "family": fam, "family_from": "category"})
    with open(data / "resumes" / "livecareer" / "resumes.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["category"] not in LIVECAREER_CATEGORIES:
                continue
            head = resume_headline(r["text"])
            fam = title_family(head) if head.isupper() or len(head.split()) <= 8 else None
            src = "headline"
            if fam is None:
                fam, src = CATEGORY_FAMILY.get(r["category"]), "category"
            if fam is None or fam in SKIP_QUERY_FAMILIES:
                continue
            out.append({"query_id": f"lc-{r['id']}", "source": "livecareer", "resume_id": str(r["id"]),
                        "category": r["category"], "headline": head[:80], "family": fam, "family_from": src})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()

    raw = load_postings(args.data)
    doc_ids, id_scheme = posting_doc_ids(args.data, raw)
    fams = [title_family(r.get("title", "")) for r in raw]
    by_family = Counter(f or "(none)" for f in dict(zip(doc_ids, fams, strict=False)).values())

    queries = load_queries(args.data)
    kept: list[dict] = []
    qrel_lines: list[str] = []
    docs: dict[str, str | None] = {}
    for did, f in zip(doc_ids, fams, strict=False):
        docs.setdefault(did, f)  # duplicates share an id; first occurrence kept (as the eval does)
    for q in queries:
        lines = []
        for did, f in docs.items():
            g = grade(q["family"], f)
            if g > 0:
                lines.append(f"{q['query_id']} 0 {did} {g}")
        if not any(line.endswith(" 2") for line in lines):
            continue  # nothing of the resume's own family in the corpus: not scoreable
        kept.append(q)
        qrel_lines.extend(lines)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dev.qrels").write_text("\n".join(qrel_lines) + "\n", encoding="utf-8")
    with open(args.out / "dev.queries.jsonl", "w", encoding="utf-8") as fh:
        for q in kept:
            fh.write(json.dumps(q) + "\n")
    meta = {"doc_id_scheme": id_scheme, "n_lines": len(raw), "n_docs": len(docs), "n_queries": len(kept),
            "posting_families": dict(by_family.most_common()),
            "query_families": dict(Counter(q["family"] for q in kept).most_common())}
    (args.out / "dev.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
