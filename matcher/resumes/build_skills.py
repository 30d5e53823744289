"""Build ``matcher/data/skills.tsv`` from the O*NET 29.2 Technology Skills file plus a short curated list.

Run: ``.venv/bin/python -m matcher.resumes.build_skills [--onet ../shared/data/taxonomy/onet]``

Kept: technology names used by at least two occupations or flagged "Hot Technology"/"In Demand";
generic category names ("Word processing software") are dropped. Vendor prefixes give aliases
("Microsoft Excel" -> "Excel"), a trailing acronym gives the short name ("Structured query language SQL"
-> "SQL"). Columns: ``name<TAB>aliases (|-separated)<TAB>source``.
"""
from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "skills.tsv"
VENDORS = ["Microsoft", "Oracle", "Adobe", "IBM", "SAP", "Autodesk", "Google", "Amazon", "Apple", "Intuit",
           "The MathWorks", "ESRI", "Atlassian", "Apache", "Salesforce", "Cisco", "Red Hat", "VMware",
           "Amazon Web Services", "Facebook", "Bentley", "Dassault Systemes", "Siemens", "Sage", "Epic Systems",
           "Trimble", "Corel", "Hewlett Packard", "Microstrategy", "Tableau", "Qlik", "Unify", "Sun Microsystems",
           "SAS Institute", "Mozilla", "Citrix", "Novell", "Wolfram Research", "Minitab", "Meta"]
GENERIC_WORDS = {"software", "systems", "system", "tools", "program", "programs", "applications", "application"}
# hard skills that are not software names (curated; lower-case matching)
EXTRA = [
    "Machine learning", "Deep learning", "Data analysis", "Data science", "Statistics", "Natural language processing",
    "Computer vision", "Project management", "Agile", "Scrum", "Kanban", "DevOps", "Continuous integration",
    "Accounting", "Bookkeeping", "Auditing", "Payroll", "Budgeting", "Financial analysis", "Financial reporting",
    "Accounts payable", "Accounts receivable", "General ledger", "Tax preparation", "Forecasting",
    "Customer service", "Sales", "Marketing", "Digital marketing", "Search engine optimization SEO",
    "Social media marketing", "Recruiting", "Onboarding", "Inventory management", "Supply chain management",
    "Logistics", "Procurement", "Quality assurance", "Quality control", "Six Sigma", "Lean manufacturing",
    "Patient care", "Phlebotomy", "CPR", "First aid", "Medical billing", "Medical coding", "Nursing",
    "Welding", "Carpentry", "Plumbing", "Electrical wiring", "Forklift", "HVAC", "Troubleshooting",
    "Network administration", "System administration", "Cloud computing", "Cybersecurity", "Penetration testing",
    "Unit testing", "Test automation", "Manual testing", "Regression testing", "Web development",
    "REST", "Microservices", "Object-oriented programming", "Data structures", "Algorithms", "ETL",
    "Data warehousing", "Data visualization", "Business intelligence", "Big data", "Teaching", "Curriculum development",
    "Event planning", "Public speaking", "Negotiation", "Contract management", "Risk management", "Compliance",
    "Underwriting", "Graphic design", "UX design", "UI design", "Copywriting", "Editing", "Translation",
    "Food safety", "Food preparation", "Cash handling", "Merchandising", "Budget management",
]

MANUAL_ALIASES = {"Oracle Java": {"Java"}, "JavaScript": {"JS"}, "Microsoft SQL Server": {"MS SQL Server", "MSSQL"},
                  "Microsoft Office": {"MS Office"}, "Microsoft Excel": {"MS Excel"}, "Microsoft Word": {"MS Word"},
                  "Amazon Web Services AWS": {"AWS"}, "Node.js": {"NodeJS", "Node"}, "React": {"ReactJS", "React.js"},
                  "Intuit QuickBooks": {"Quickbooks"}}


def _clean(name: str) -> tuple[str, set[str]] | None:
    name = re.sub(r"\s+", " ", name).strip()
    if not name or len(name) > 40:
        return None
    aliases: set[str] = set()
    words = name.split()
    low = [w.lower() for w in words]
    if low[-1] == "software" and len(words) >= 2:
        words = words[:-1]
        low = low[:-1]
        if all(w == w.lower() for w in words[1:]) and words[0][0].isupper() and words[0][1:] == words[0][1:].lower() \
                and not any(ch.isupper() for ch in "".join(words)[1:]) and len(words) > 1:
            return None  # "Email software", "Web browser software": a category, not a product
        name = " ".join(words)
        if len(words) == 1 and name[1:] == name[1:].lower() and re.search(r"(ing|al|ory|ment|ion|flow|ics)$", name):
            return None  # "Medical software", "Billing software": a category
    if len(words) >= 2 and all(w == w.lower() for w in words[1:]) and words[0][1:] == words[0][1:].lower() \
            and low[-1] in GENERIC_WORDS:
        return None
    # trailing acronym: "Structured query language SQL" -> "SQL" (+ long form alias)
    if len(words) >= 3 and re.fullmatch(r"[A-Z][A-Z0-9+#/.-]{1,9}", words[-1]) and words[0][1:] == words[0][1:].lower():
        long_form = " ".join(words[:-1])
        if long_form.lower() not in GENERIC_WORDS:
            aliases.add(long_form)
        name = words[-1]
        return name, aliases
    for v in sorted(VENDORS, key=len, reverse=True):
        if name.startswith(v + " ") and len(name) > len(v) + 2:
            rest = name[len(v) + 1:]
            if len(rest) >= 3 and (rest[0].isupper() or rest[0].isdigit()) and rest.lower() not in GENERIC_WORDS:
                aliases.add(rest)
            break
    return name, aliases


def build(onet_dir: Path) -> list[tuple[str, list[str], str]]:
    occs: dict[str, set[str]] = defaultdict(set)
    hot: set[str] = set()
    with open(onet_dir / "Technology Skills.txt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            ex = row["Example"]
            occs[ex].add(row["O*NET-SOC Code"])
            if row.get("Hot Technology") == "Y" or row.get("In Demand") == "Y":
                hot.add(ex)
    entries: dict[str, tuple[set[str], str]] = {}
    for ex, codes in occs.items():
        if len(codes) < 2 and ex not in hot:
            continue
        got = _clean(ex)
        if not got:
            continue
        name, aliases = got
        prev = entries.get(name.lower())
        if prev:
            prev[0].update(aliases)
        else:
            entries[name.lower()] = (aliases, name)
    for name in EXTRA:
        got = _clean(name) or (name, set())
        n, al = got
        if n.lower() not in entries:
            entries[n.lower()] = (al, n)
    for name, extra in MANUAL_ALIASES.items():
        if name.lower() in entries:
            entries[name.lower()][0].update(extra)
    # an alias must not be another entry's name, nor shared by two entries
    alias_owner: dict[str, list[str]] = defaultdict(list)
    for key, (aliases, _) in entries.items():
        for a in aliases:
            alias_owner[a.lower()].append(key)
    # an alias shared by several vendor names ("Oracle Java", "Sun Microsystems Java") becomes the name
    for alias, owners in list(alias_owner.items()):
        if len(owners) > 1 and alias not in entries:
            merged: set[str] = set()
            display = alias
            for key in owners:
                if key in entries:
                    al, nm = entries.pop(key)
                    merged |= {a for a in al if a.lower() != alias}
                    merged.add(nm)
                    display = next((a for a in al if a.lower() == alias), display)
            entries[alias] = (merged, display)
            for a in merged:
                alias_owner[a.lower()] = [alias]
            alias_owner[alias] = [alias]
    out = []
    for _key, (aliases, name) in sorted(entries.items()):
        keep = sorted(a for a in aliases if a.lower() not in entries and len(alias_owner[a.lower()]) == 1)
        out.append((name, keep, "onet" if name not in EXTRA else "curated"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--onet", type=Path, default=Path(__file__).resolve().parents[3] / "shared/data/taxonomy/onet")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = build(args.onet)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("# name\taliases\tsource  (O*NET 29.2 Database, USDOL/ETA, CC BY 4.0; see ATTRIBUTION.md)\n")
        for name, aliases, src in rows:
            fh.write(f"{name}\t{'|'.join(aliases)}\t{src}\n")
    print(f"wrote {len(rows)} skills to {args.out}")


if __name__ == "__main__":
    main()
