"""Typed domain values shared by every layer: postings, candidate profiles, filter reports, matches.

Degree levels follow ``shared/docs/matching.md``: 0 no requirement, 1 high school, 2 associate,
3 bachelor, 4 postgraduate.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DegreeName = Literal["high_school", "associate", "bachelor", "postgraduate"]
DEGREE_LEVEL: dict[str, int] = {"high_school": 1, "associate": 2, "bachelor": 3, "postgraduate": 4}
DEGREE_NAME: dict[int, str] = {v: k for k, v in DEGREE_LEVEL.items()}

RemotePreference = Literal["any", "only", "exclude"]
RuleName = Literal["validity", "degree", "experience", "location", "employment_type", "salary", "freshness",
                   "occupation"]
RULES: tuple[str, ...] = ("validity", "degree", "experience", "location", "employment_type", "salary", "freshness",
                          "occupation")
# O*NET-SOC codes or their prefixes, comma-separated: "15-1252", "15-1252.00", "15-12", "15"
OCCUPATIONS_PATTERN = r"^\s*\d{2}(-\d{1,4}(\.\d{2})?)?(\s*,\s*\d{2}(-\d{1,4}(\.\d{2})?)?)*\s*$"
# schema.org employmentType values (Google's list); the bit of each in the index column is its position
EmploymentType = Literal["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"]
EMPLOYMENT_TYPES: tuple[str, ...] = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER",
                                     "PER_DIEM", "OTHER")
SalaryUnit = Literal["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]
ANNUAL_FACTOR: dict[str, int] = {"HOUR": 2080, "DAY": 260, "WEEK": 52, "MONTH": 12, "YEAR": 1}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_Frozen):
    """A place: any field may be unknown. ``country`` is ISO 3166-1 alpha-2."""

    city: str | None = None
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def text(self) -> str:
        return ", ".join(p for p in (self.city, self.region, self.country) if p)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


class Salary(_Frozen):
    """A posting's pay as an annual range (``min``/``max`` are per year: HOUR x 2080, DAY x 260, WEEK x 52,
    MONTH x 12); ``amount_min``/``amount_max``/``unit`` are what the posting stated."""

    currency: str | None = None  # ISO 4217, upper case; None when the posting names none
    min: float | None = None
    max: float | None = None
    unit: SalaryUnit = "YEAR"
    amount_min: float | None = None
    amount_max: float | None = None
    source: Literal["baseSalary", "estimatedSalary"] = "baseSalary"

    def text(self) -> str:
        lo, hi = self.min, self.max
        rng = f"{lo:,.0f}" if lo == hi or hi is None else (f"{hi:,.0f}" if lo is None else f"{lo:,.0f}–{hi:,.0f}")
        return f"{rng} {self.currency or '(currency unknown)'} per year"


class Posting(_Frozen):
    """One normalised schema.org JobPosting."""

    id: str
    title: str
    company: str | None = None
    description: str = Field(description="clean text for embedding and display")
    description_html: str = Field(default="", description="sanitised HTML (safe to render)")
    url: str | None = None
    date_posted: datetime | None = None
    valid_through: datetime | None = None
    # requirements: 0 = none required; None = stated but unreadable (unknown)
    degree: int | None = 0
    degree_raw: str | None = None
    months: int | None = 0
    months_raw: str | None = None
    locations: tuple[Place, ...] = ()
    remote: bool = False
    applicant_countries: tuple[str, ...] = ()
    employment_type: str | None = None  # as stated (display)
    employment_types: tuple[EmploymentType, ...] = ()  # normalised; empty = none stated (unknown)
    salary: Salary | None = None
    industry: str | None = None
    occupational_category: str | None = None
    hybrid: bool = False  # remote (TELECOMMUTE) with an office location too
    warnings: tuple[str, ...] = ()

    def location_text(self) -> str:
        parts = [p.text() for p in self.locations if p.text()]
        if self.remote:
            where = ", ".join(self.applicant_countries) or "anywhere"
            parts.append(f"{'Hybrid' if self.hybrid else 'Remote'} ({where})")
        return "; ".join(parts)


class CandidateProfile(BaseModel):
    """What matching needs to know about a person. ``evidence`` holds, per field, the text it came from."""

    model_config = ConfigDict(extra="forbid")

    text: str = ""
    degree: DegreeName | None = None
    months: int | None = None
    location: Place | None = None
    skills: list[str] = Field(default_factory=list)
    evidence: dict[str, list[str]] = Field(default_factory=dict)
    confidence: dict[str, float] = Field(default_factory=dict,
                                         description="per extracted field (degree, months, location): 0..1")
    unknown: dict[str, str] = Field(default_factory=dict,
                                    description="per field left unknown: why (nothing found, or found but not sure)")
    overridden: list[str] = Field(default_factory=list, description="fields set explicitly by the user")

    @property
    def degree_level(self) -> int | None:
        return DEGREE_LEVEL[self.degree] if self.degree else None


class MatchOptions(BaseModel):
    """The one vocabulary of matching options (CLI flags, form fields and JSON keys)."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=10, ge=1, le=1000, description="how many results (default 10; at most MAX_TOP_K)")
    offset: int = Field(default=0, ge=0, le=10_000,
                        description="skip this many ranked results first (page 2 of 10 is offset 10, top_k 10)")
    cursor: str | None = Field(default=None, max_length=16_384,
                               description="`next_cursor` of the previous page (same query): the next top_k "
                                           "results not shown yet, however postings changed meanwhile (not with "
                                           "offset)")
    location: str | None = Field(default=None, max_length=300,
                                 description='candidate location, e.g. "Austin, TX" or "Germany" (not with lat/lon)')
    lat: float | None = Field(default=None, ge=-90, le=90, description="candidate latitude (with lon)")
    lon: float | None = Field(default=None, ge=-180, le=180, description="candidate longitude (with lat)")
    radius_km: float = Field(default=50.0, gt=0, le=20_000, description="on-site radius in km (default 50)")
    remote: RemotePreference = Field(default="any", description="remote postings: any, only, or exclude")
    degree: DegreeName | None = Field(default=None, description="the candidate's degree (overrides the resume)")
    months: int | None = Field(default=None, ge=0, le=1200,
                               description="months of experience (overrides the resume)")
    months_slack: int = Field(default=0, ge=0, le=600,
                              description="allow postings asking up to this many months more")
    as_of: datetime | None = Field(default=None, description="matching clock, ISO 8601 date (default now; the "
                                                             "2021 sample needs e.g. 2021-08-01)")
    strict: bool = Field(default=False, description="unknown candidate values fail their rule")
    filters: bool = Field(default=True, description="apply the hard filters (default); false (--no-filters): rank "
                                                     "by similarity alone")
    employment_types: list[EmploymentType] | None = Field(
        default=None, max_length=len(EMPLOYMENT_TYPES),
        description="keep postings of any of these types (a posting stating none passes as unknown)")
    min_salary: float | None = Field(default=None, ge=0, le=100_000_000,
                                     description="annual; needs salary_currency (no salary or another currency "
                                                 "passes as unknown)")
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. USD")
    posted_within_days: int | None = Field(default=None, ge=0, le=36_500,
                                           description="datePosted at most this many days before as_of "
                                                       "(no datePosted passes as unknown)")
    occupations: str | None = Field(default=None, max_length=300, pattern=OCCUPATIONS_PATTERN,
                                    description="keep postings whose O*NET-SOC occupation (read from the title) starts "
                                                "with one of these comma-separated codes, e.g. 15-1252,15-2051 or "
                                                "15-12 (a title naming no known occupation passes as unknown)")
    max_per_company: int = Field(default=2, ge=0, le=1000,
                                 description="diversity: at most this many results per company before the others "
                                             "(and near-identical postings from different companies placed after "
                                             "the rest); 0 turns it off")


class RuleOutcome(BaseModel):
    rule: RuleName
    status: Literal["applied", "skipped"]
    reason: str | None = None
    removed: int = 0
    unknown: int = Field(default=0, description="postings that passed because their own value is unknown")
    candidate_value: Any = None


class FilterReport(BaseModel):
    as_of: datetime
    total: int
    eligible: int
    rules: list[RuleOutcome]


class Requirement(BaseModel):
    required: Any = None
    candidate: Any = None
    met: bool | None = None  # None when either side is unknown


class Match(BaseModel):
    id: str
    title: str
    company: str | None
    location: str
    remote: bool
    score: float = Field(description="raw first-stage score (reciprocal-rank fusion of semantic and BM25 ranks), "
                                     "for debugging: the order comes from the second stage and the diversity pass, "
                                     "`match` is the readable score")
    similarity: float | None = Field(default=None, description="cosine similarity of resume and posting vectors")
    distance_km: float | None = None
    url: str | None = None
    valid_through: datetime | None = None
    date_posted: datetime | None = None
    employment_types: list[str] = Field(default_factory=list)
    salary: Salary | None = None
    hybrid: bool = False
    requirements: dict[str, Requirement] = Field(default_factory=dict)
    skills_in_common: list[str] = Field(default_factory=list)
    skills_missing: list[str] = Field(default_factory=list,
                                      description="skills the posting asks for that the resume does not show")
    match: int | None = Field(default=None, ge=0, le=100,
                              description="match strength 0-100: the sum of match_signals, never above the result "
                                          "ranked before it")
    match_signals: dict[str, float] = Field(
        default_factory=dict, description="points per signal behind `match`: semantic (resume vs posting vectors, "
                                          "up to 40), requirements (share of the posting's requirement lines the "
                                          "resume shows, 30), text (whole-text word overlap, 20), occupation "
                                          "(same O*NET occupation, 10)")
    occupation: dict[str, Any] = Field(
        default_factory=dict, description="O*NET-SOC occupations: `posting` (from its title), `candidate` (from the "
                                          "resume's recent job titles), `agreement` 0-1 (null: either unknown)")
    ranking: dict[str, Any] = Field(default_factory=dict,
                                    description="how it was ranked: semantic_rank / keyword_rank / title_rank (the "
                                                "candidate's recent job titles) in the first stage (null: not in "
                                                "that list's top 100), requirement lines met, "
                                                "diversity (why it was placed lower), raw stage-2 score")


class MatchResponse(BaseModel):
    candidate: CandidateProfile
    filters: FilterReport
    results: list[Match]
    next_cursor: str | None = Field(default=None, description="pass as `cursor` (with the same query) for the next "
                                    "page; null when no more results")
