"""Skill vocabulary (``matcher/data/skills.tsv``) and :func:`extract_skills` for resumes and postings.

Matching works on word tokens (so "C++", "C#", ".NET", "Node.js" are single tokens) and n-grams of
up to 6 tokens. Multi-word names match case-insensitively; one-word names that are also ordinary
English words ("Word", "Access", "Go") or are 1-3 characters long ("R", "C", "SAS") must match the
vocabulary's own capitalisation (or ALL CAPS for longer ones).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SKILLS_TSV = Path(__file__).resolve().parent.parent / "data" / "skills.tsv"
_TOKEN = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:[.\-'][A-Za-z0-9+#]+)*[+#]*")
_MAX_N = 6
# one-word names that are ordinary words: only the exact capitalisation counts
_COMMON = {
    "access", "word", "project", "outlook", "excel", "office", "teams", "windows", "go", "chef", "puppet", "salt",
    "swift", "ruby", "rust", "dart", "julia", "elm", "pig", "hive", "spark", "flash", "shell", "visio", "box",
    "slack", "zoom", "notes", "maps", "sheets", "docs", "forms", "drive", "gmail", "edge", "safari", "opera",
    "bridge", "illustrator", "premiere", "animate", "dreamweaver", "acrobat", "reader", "express", "basic",
    "pascal", "logo", "scheme", "prolog", "ada", "d", "r", "c", "j", "s", "groovy", "kotlin", "perl", "node",
    "react", "angular", "vue", "ember", "backbone", "meteor", "next", "nuxt", "gatsby", "jest", "mocha", "chai",
    "jasmine", "karma", "cypress", "selenium", "docker", "kubernetes", "git", "jenkins", "maven", "gradle", "ant",
    "make", "bash", "oracle", "sage", "epic", "quicken", "tally", "kronos", "meditech", "cerner", "workday",
    "square", "stripe", "shopify", "wordpress", "drupal", "joomla", "magento", "canvas", "blackboard", "moodle",
    "python", "java", "sass", "less", "stylus", "unity", "unreal", "blender", "maya", "houdini", "nuke", "revit",
    "solidworks", "catia", "creo", "inventor", "fusion", "civil", "map", "plant", "vault", "navigator", "compass",
    "atlas", "mercury", "jira", "confluence", "trello", "asana", "monday", "basecamp", "citrix", "vmware",
    "splunk", "nagios", "zabbix", "tableau", "looker", "domo", "alteryx", "knime", "weka", "minitab", "stata",
    "sales", "marketing", "editing", "translation", "teaching", "nursing", "welding", "plumbing", "carpentry",
    "payroll", "auditing", "accounting", "bookkeeping", "logistics", "procurement", "compliance", "budgeting",
    "forecasting", "statistics", "recruiting", "onboarding", "forklift", "troubleshooting", "scrum", "agile",
    "kanban", "underwriting", "copywriting", "merchandising", "algorithms",
}
# case-insensitive one-word names that read as normal words in prose: lower case accepted
_PROSE_OK = {"python", "java", "docker", "kubernetes", "git", "jenkins", "maven", "gradle", "bash", "jira",
             "confluence", "tableau", "selenium", "wordpress", "drupal", "magento", "shopify", "solidworks",
             "minitab", "stata", "splunk", "alteryx", "payroll", "auditing", "accounting", "bookkeeping",
             "logistics", "procurement", "forecasting", "statistics", "recruiting", "onboarding", "troubleshooting",
             "underwriting", "copywriting", "merchandising", "welding", "plumbing", "carpentry", "budgeting",
             "scrum", "agile", "kanban", "forklift", "kotlin", "perl", "groovy", "angular", "react"}


def _norm(tok: str) -> str:
    return tok.lower()


class SkillVocabulary:
    """Maps token n-grams to canonical skill names."""

    def __init__(self, rows: list[tuple[str, list[str]]]) -> None:
        self.ci: dict[tuple[str, ...], str] = {}   # lower-cased token tuples
        self.cs: dict[str, str] = {}               # exact one-token forms
        self.names = []
        for name, aliases in rows:
            self.names.append(name)
            for form in [name, *aliases]:
                toks = tuple(t.rstrip(".") if not t.startswith(".") else t for t in _TOKEN.findall(form))
                if not toks:
                    continue
                if len(toks) == 1:
                    t = toks[0]
                    low = t.lower()
                    if len(t) <= 3 or low in _COMMON:
                        self.cs[t] = name
                        if len(t) >= 4 and low in _PROSE_OK:
                            self.ci.setdefault((low,), name)
                        elif len(t) >= 4:
                            self.cs[t.upper()] = name
                        continue
                self.ci.setdefault(tuple(_norm(x) for x in toks), name)
        self.max_n = min(_MAX_N, max((len(k) for k in self.ci), default=1))

    def extract(self, text: str) -> list[str]:
        toks = [m.group(0) for m in _TOKEN.finditer(text or "")]
        low = [t.lower() for t in toks]
        found: dict[str, None] = {}
        i = 0
        n_tok = len(toks)
        while i < n_tok:
            hit = None
            for n in range(min(self.max_n, n_tok - i), 0, -1):
                name = self.ci.get(tuple(low[i:i + n]))
                if name:
                    hit = (name, n)
                    break
            if hit is None:
                name = self.cs.get(toks[i])
                if name:
                    hit = (name, 1)
            if hit:
                found.setdefault(hit[0], None)
                i += hit[1]
            else:
                i += 1
        return list(found)


@lru_cache(maxsize=2)
def load_vocabulary(path: str | None = None) -> SkillVocabulary:
    rows: list[tuple[str, list[str]]] = []
    with open(path or SKILLS_TSV, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            rows.append((parts[0], [a for a in (parts[1].split("|") if len(parts) > 1 else []) if a]))
    return SkillVocabulary(rows)


def extract_skills(text: str) -> list[str]:
    """Canonical skill names found in ``text``, in order of first appearance (no duplicates)."""
    return load_vocabulary().extract(text)
