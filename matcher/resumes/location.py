"""The candidate's own location, from an explicit Address/Location/Residence line or the contact header.

A word is taken as a place only with support: a location label (or a house icon) in front of it, or a
header segment that is wholly a place name; and the gazetteer city must agree with the other evidence
(a country named beside it, the phone number's country prefix, a US state code). A name that only some
town elsewhere carries ("Date", "Mob"), a name shared by comparable cities in several countries with nothing
to choose between them, or several different places on one line, lower the confidence; the caller turns a
low confidence into *unknown, with the reason*. Masked livecareer places ("City , State") give unknown.

Coordinates come from the offline gazetteer (:func:`matcher.geo.find_city`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.domain import Place
from matcher.geo import find_city, name_key, normalize_country, us_states
from matcher.resumes.sections import Line

_LABEL_WORDS = (r"(?:(?:permanent|present|current|home|mailing|residential|correspondence|postal)\s+)?"
                r"(?:address|location|(?:city|place)\s+of\s+residence|residence|resident\s+(?:of|in)|resident|"
                r"lives?\s+in|based\s+in|current\s+city|city|region|home(?=\s*:)|"
                # round 6: "Living in: Haifa", "Place of living: Netanya", "Town: Holon", "Residence area: Sharon"
                r"(?:currently\s+)?living\s+in|place\s+of\s+living|town(?=\s*:)|settlement(?=\s*:))"
                r"(?:\s+(?:area|city|town)(?=\s*:))?")
# a label with a colon or dash may stand anywhere on a line ("... | Residence: Kiryat Ono, Montefiore, 13")
# (a label and its value in neighbouring table cells: "Address: | Petah-Tikva", "Location | TelAviv")
_LABEL_COLON = re.compile(rf"(?:^|(?<=[\s|•·,;(]))(?<![\w-]){_LABEL_WORDS}\s*(?:[:\-–—]+(?:\s*\|(?=\s*\S))?|\|(?=\s*[A-Z]))"
                          rf"\s*(?P<v>.*)", re.I)
# without one only at the start of a line ("Present Resident in Nairobi, Kenya", "Location TelAviv"): inside a
# sentence "City Council", "Artist in Residence Exhibition", "North Region Leadership" are not labels
_LABEL_START = re.compile(rf"^[\W_]*(?!city\b|region\b|town\b){_LABEL_WORDS}\s+(?=[A-Z])(?P<v>.*)", re.I)
# where the person would like to work is not where they live
_NOT_HOME = re.compile(r"\b(?:prefer\w*|desired|target|willing|relocat\w*|work|job|office|company|branch|"
                       r"posting|project|client|site|exam|interview)\W*$", re.I)


class _Label:
    """One matcher over both label forms (``search`` returns a match with the value as group ``v``)."""

    @staticmethod
    def search(text: str):  # type: ignore[no-untyped-def]
        for m in list(_LABEL_COLON.finditer(text)) + [_LABEL_START.match(text)]:
            if m and not _NOT_HOME.search(text[max(0, m.start() - 30): m.start()]):
                return m
        return None


_LABEL = _Label()
# a label that names the candidate's home wherever it stands (a sidebar a layout put inside "Education")
_HOME_LABEL = re.compile(r"(?:^|(?<=[\s|•·,;(]))(?:address|residence|region|place\s+of\s+residence)\s*:\s*(?P<v>.*)", re.I)
# a label that is a phrase of a sentence ("Currently living in Brickell and originally from NYC."): its place ends
# where the sentence goes on
_PROSE_LABEL = re.compile(r"\b(?:living|lives?|based|resident)\s+(?:in|of)\b", re.I)
_PROSE_END = re.compile(r"\s+(?:and|but|from|originally|with|since|for|where|who|while|to|near|working|looking|"
                        r"seeking|open)\b|(?<!\bSt)\.(?:\s|$)|[;!?]", re.I)
_PERMANENT = re.compile(r"\b(?:permanent|native|home\s*town)\b", re.I)
_ICON = re.compile(r"[⌂\U0001F3E0\U0001F3E1\U0001F4CD]\s*[:\-]?\s*(?P<v>.*)")
# where a label's value stops: the next label, a separator, contact details
_VALUE_END = re.compile(
    r"\b(?:phone|mobile|mob|tel(?![\s-]*a?viv)|telephone|cell|e-?mail|date\s+of\s+birth|d\.?o\.?b|birth|born|age|languages?|"
    r"linked-?in|github|citizenship|nationality|marital|status|gender|skype|website|web|portfolio|position|"
    r"zip|pin|postal|family|military|driving|licen[cs]e|available|availability|visa)\b"
    r"|\||\t| {2,}|[@•·]|https?:|www\.|\+?\(?\d[\d\s().-]{6,}", re.I)
_BIRTH = re.compile(r"\b(?:(?:place|date|country|city|town)\s+of\s+birth|birth\s*place|born(?:\s+in)?|"
                    r"d\.?o\.?b\.?)\b(?:[^|•·;.]|\.(?!\s))*", re.I)  # up to a separator or a sentence's end
# a label whose value is no residence, with its value ("Citizenship: | Russia", "Nationality: Indian")
_NOT_HOME_VALUE = re.compile(r"\b(?:citizenship|nationality|native\s+language|mother\s+tongue|languages?|"
                             r"(?:full\s+|first\s+|last\s+|family\s+)?name)\s*[:\-–]+\s*"
                             r"(?:\|\s*)?[^|•·;\t]*", re.I)
_CITIZENSHIP = re.compile(r"\b(?:citizenship|nationality)\s*[:\-–]+\s*(?:\|\s*)?[^|•·;\t]*", re.I)
_MASKED = re.compile(r"\bCity\s*,\s*State\b", re.I)
_US = re.compile(r"(?P<city>[A-Z][A-Za-z.'\- ]{1,30}?)\s*,\s*(?P<st>[A-Z]{2})(?:\s+\d{5}(?:-\d{4})?)?(?![A-Za-z])")
# national mobile formats without a country prefix: Israel "054-1234567" / "054 123 4567", India "9876543210"
_LOCAL_PHONES = ((re.compile(r"(?<![\d+])05\d(?:-?\d{7}|[- ]\d{3}[- ]\d{4})(?!\d)"), "IL"),
                 (re.compile(r"(?<![\d+\-])[6-9]\d{9}(?![\d-])"), "IN"))
# e-mail and web addresses: their words are no place ("linkedin.com/in/dana": "in" is no state code)
_WEB = re.compile(r"[\w.+-]+@[\w.-]+|(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|io|me|co|il|in|de|nl|uk|info|dev)"
                  r"\b(?:/\S*)?", re.I)
_PHONE_CC = re.compile(r"(?<![\w+])\+\s?\(?(\d{1,3})\)?[\s-]?\d")
# a language spoken mostly in one country supports a city there ("Languages: Hebrew, English")
_LANGUAGE_COUNTRY = {"hebrew": "IL", "hindi": "IN", "marathi": "IN", "tamil": "IN", "telugu": "IN",
                     "kannada": "IN", "malayalam": "IN", "gujarati": "IN", "bengali": "IN", "punjabi": "IN",
                     "ukrainian": "UA", "polish": "PL", "czech": "CZ", "hungarian": "HU", "romanian": "RO",
                     "greek": "GR", "turkish": "TR", "japanese": "JP", "korean": "KR", "thai": "TH",
                     "vietnamese": "VN", "dutch": "NL", "swedish": "SE", "norwegian": "NO", "danish": "DK",
                     "finnish": "FI", "bulgarian": "BG", "georgian": "GE", "armenian": "AM"}
_ORG = re.compile(r"\b(?:universit\w*|college|institute|academy|school|technion|ltd|inc|corp\w*|bank|hospital|"
                  r"faculty|campus|center|centre|municipality|council|b\.?\s?sc|m\.?\s?sc|b\.?a|m\.?a|"
                  r"bachelor\w*|master\w*|degree|graduate[ds]?)\b", re.I)
_COUNTRY_WORDS = re.compile(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}")
_SEGMENTS = re.compile(r"\s*(?:[|•·,;\t/]| {2,}|\s[-–—]\s)\s*")
# "Haifa (Israel)": a country in parentheses after a place, alone in its segment, is written as "Haifa, Israel"
_PAREN_COUNTRY = re.compile(r"(?:^|(?<=[|•·;\t]))\s*(?P<a>[A-Z][^()|•·,;\t\d]{1,40}?)\s*\((?P<b>[A-Za-z .]{2,30})\)\s*(?=$|[|•·;\t])")
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w'’.\-]*")
HEADER_LINES = 12
_NAME_FIRST = re.compile(r"^(?P<name>[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){1,3})\s*[|•·;,]\s*(?P<rest>.+)$")
_NAME_LINE = re.compile(r"^[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){0,3}$")
# a date range ("2015-2020", "2015 - present", "Jan 2015") marks a job or study entry; a birth year alone does not
_DATED_ENTRY = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*(?:[-–—]|to\b|till\b|until\b)|"
                          r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2}\b", re.I)
_CONTACT = re.compile(r"@|\bcom\b|\.com\b|\b(?:phone|mobile|tel|age|e-?mail|linked-?in|github|d\.?o\.?b|date of birth|"
                      r"marital status|citizenship|nationality)\b|\+\d|"
                      r"(?<!\d)0\d{1,2}-?\d{3}-?\d{4}(?!\d)|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)", re.I)


@dataclass
class LocationGuess:
    place: Place | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    reason: str | None = None  # why it is unknown or uncertain


def country_hints(lines: list[Line]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(strong, weak) country hints. Strong: phone country prefixes and country names standing alone in the
    contact header. Weak: countries named anywhere in the resume (employers, schools): they only help to pick
    between same-named cities and to support a header city, never name a place on their own."""
    import phonenumbers

    strong: list[str] = []
    weak: list[str] = []
    for i, ln in enumerate(lines):
        contact = _is_contact(i, ln)
        if contact:
            for pat, cc in _LOCAL_PHONES:  # a national number format: support only, like a country named
                if pat.search(ln.text):
                    weak.append(cc)
            for m in _PHONE_CC.finditer(ln.text):
                digits = m.group(1)
                for n in range(1, len(digits) + 1):
                    region = phonenumbers.region_code_for_country_code(int(digits[:n]))
                    if region and region != "ZZ":
                        strong.append(region)
                        break
        citizen = _CITIZENSHIP.search(ln.text)
        for seg in _SEGMENTS.split(ln.text):
            seg = seg.strip(" .:()")
            whole = normalize_country(seg) if contact and seg[:1].isupper() and len(seg) > 3 else None
            if whole and citizen and seg in citizen.group(0):
                weak.append(whole)  # "Citizenship: | Russia": a passport, not where one lives; support only
                continue
            if whole:
                strong.append(whole)
                continue
            for word in _COUNTRY_WORDS.findall(seg):
                c = (normalize_country(word) if len(word) > 3 else None) or _LANGUAGE_COUNTRY.get(word.lower())
                if c:
                    weak.append(c)
    strong_t = tuple(dict.fromkeys(strong))
    return strong_t, tuple(c for c in dict.fromkeys(weak) if c not in strong_t)


def _cut(value: str) -> str:
    m = _VALUE_END.search(value)
    return (value[: m.start()] if m else value).strip(" .:,;-–")


# small words inside a place name ("Umm el Fahem", "Rishon le Zion", "Bergen op Zoom", "Frankfurt am Main")
_PARTICLES = {"el", "al", "a", "le", "la", "de", "di", "du", "da", "do", "dos", "der", "den", "van", "von", "op", "am",
              "an", "upon", "on", "sur", "ha"}


def _ngrams(part: str):
    """(run of up to four capitalised words, whether it is the whole part), longest first: a place name is
    written with capitals ("and", "com" are not places) and a lone word needs four letters."""
    words = _WORD.findall(part)
    for size in (4, 3, 2, 1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            gram = " ".join(run)
            if gram.lower() in _NOT_PLACES or not all((w[:1].isupper() and len(w) > 1) or (0 < j < size - 1 and w in _PARTICLES)
                                                      for j, w in enumerate(run)) \
                    or (size == 1 and len(gram) < 4):
                continue
            yield gram, i == 0 and size == len(words)


# an Indian PIN ("Pune - 411028", "560 034") or a bare postcode after the city is not part of the place's name
_PIN = re.compile(r"(?<![\d-])[1-9]\d{2}\s?\d{3}(?![\d-])")  # an Indian PIN code: support for a city in India
_POSTCODE = re.compile(r"\s*[-–]?\s*(?<![\d-])\d{3}\s?\d{3}(?![\d-])")
_PERSON = re.compile(r"(?:^|(?<=[,;|:]))\s*(?:(?:mr|mrs|ms|miss|dr|shri|smt)\.?\s|[csdw]\s?/\s?o\b|care of\b)[^,;|]*",
                     re.I)


def _is_org(part: str) -> bool:
    """A school, employer or degree named in a part ("Technion", "Intel Ltd", "B.Sc."), not a district."""
    return bool(_ORG.search(part)) and name_key(part.strip(" .")) not in _REGIONS


# a street address and its town in one part ("Spring Street 5 Netanya", "80802 München", "3511 NR Utrecht",
# "00-950 Warszawa"): the words after the house number or postcode are the town, not the street's first word
_TOWN_AFTER_NUMBER = re.compile(
    r"^(?P<street>[^\d]*?)\s*(?:(?P<pc>\d{4,7}(?:\s?[A-Z]{2}\b)?|\d{2}-\d{3}|[A-Z]{1,2}-\d{4,5})|\d{1,3}[A-Za-z]?(?:/\d+)?)"
    r",?\s+(?P<town>[A-Z\u00C0-\u024F][^\d,]{2,40})$")
_STREET_WORD = re.compile(r"\b(?:street|st|road|rd|avenue|ave|blvd|boulevard|lane|drive|square|rehov|rechov|rh|"
                          r"sderot|derech|ha\w+|strasse|stra(?:ß|ss)e|str|weg|gracht|laan|plein|ul|ulica|via|rue)\b|"
                          r"(?:stra(?:ß|ss)e|weg|gracht|laan|plein)\b", re.I)
_TRAILING_POSTCODE = re.compile(r"(?<=[A-Za-z\u00C0-\u024F.])\s+\d{5,7}$")  # "Netanya 4250001", "Berlin 10115"


def _town_of_address(part: str, labelled: bool) -> str:
    """The town of a part that is a street address or a postcode and town; the part itself otherwise. Without a
    location label only after a postcode or a street word (a number before a capitalised word is not always a
    house number)."""
    part = _TRAILING_POSTCODE.sub("", part)
    m = _TOWN_AFTER_NUMBER.match(part)
    if not m:
        return part
    town = m.group("town").strip(" .")
    if len(town.split()) > 4 or not (labelled or m.group("pc") or _STREET_WORD.search(m.group("street"))):
        return part
    return town


_STREET_LABELLED = re.compile(r"\d")  # after a location label any number marks the street part
_STREET_UNLABELLED = re.compile(r"^\d+\b|\b\d+\w?$")  # elsewhere a number that starts or ends the part


def _read_value(value: str, hints: tuple[str, ...], *, labelled: bool, weak: tuple[str, ...] = (),
                contact_line: bool = False, local: tuple[str, ...] = ()) -> LocationGuess | None:
    """Places named in one value (a label's value or a header segment group)."""
    states = us_states()
    m = _US.search(value)
    if m and m.group("st").lower() in states:
        code = states[m.group("st").lower()]
        city = re.split(r"\s{2,}|\b\d+\b", m.group("city").strip())[-1].strip()
        hit = find_city(city, region=code, country="US")
        if hit:
            return LocationGuess(Place(city=city, region=code, country="US", lat=hit.lat, lon=hit.lon), 0.9,
                                 [m.group(0)])
        abroad = find_city(city, country=m.group("st"))  # "Kfar Saba, IL": Israel, not Illinois
        if abroad:
            return LocationGuess(Place(city=city, country=abroad.country, lat=abroad.lat, lon=abroad.lon),
                                 0.9 if labelled else 0.8, [m.group(0)])
        return LocationGuess(Place(city=city, region=code, country="US"), 0.7 if labelled else 0.6, [m.group(0)],
                             f"{city!r} is not in the gazetteer; only the state {code} is certain")
    # "C/O: Raj Ahmad", "Mr. Yogesh Tikhat": people, not places; a PIN or postcode is not part of a name
    value = _PAREN_COUNTRY.sub(lambda m: f"{m.group('a')}, {m.group('b')}" if normalize_country(m.group("b")) else m.group(0),
                               value)
    pieces = re.split(f"({_SEGMENTS.pattern})", _POSTCODE.sub("", _PERSON.sub(",", value)))
    parts, near_org = [], set()  # near_org: a part joined by a comma to a school's or employer's name
    for k in range(0, len(pieces), 2):
        p = pieces[k].strip(" .")
        if not p:
            continue
        p = _town_of_address(p, labelled)
        if not labelled:
            for j, sep in ((k - 2, pieces[k - 1] if k else ""), (k + 2, pieces[k + 1] if k + 1 < len(pieces) else "")):
                if 0 <= j < len(pieces) and _is_org(pieces[j]) and re.fullmatch(r"\s*[,/]\s*", sep):
                    near_org.add(p)
            if _is_org(p):
                near_org.add(p)
        parts.append(p)
    # "Petah-Tikva, Hadera 1", "Montefiore, 13": a part with a number is the street (unlabelled: a number that
    # starts or ends the part, not a year inside a sentence run into the place)
    street = _STREET_LABELLED if labelled else _STREET_UNLABELLED
    if len(parts) > (0 if labelled else 1) and any(not street.search(p) for p in parts):
        parts = [p for p in parts if not street.search(p)]
    country = None
    by_code = False  # the country was only written as a short code ("SR" after a job title is "senior")
    for p in parts:
        c = normalize_country(p) if p[:1].isupper() and (len(p) > 3 or p.isupper()) else None
        if c:
            country, by_code = c, len(p) <= 2
    region = None
    for p in parts:
        if p.lower() in states and country in (None, "US") and (p.isupper() if len(p) == 2 else p[:1].isupper()):
            region, country = states[p.lower()], "US"
        elif (area := _region(p, labelled)) and country in (None, area):
            country = area
    found: dict[str, tuple] = {}  # city name -> (hit, written, whole part)
    # the countries other evidence supports (phone, a country named, an Indian PIN after a label)
    support = (*hints, *weak, *local, *(("IN",) if labelled and _PIN.search(value) else ()))
    backing = (*hints, *weak, country)  # a small place needs one of these (or a label)
    for p in parts:
        if normalize_country(p) or (p.lower() in states and p[:1].isupper()) or _region(p, labelled):
            continue
        if p in near_org:
            # "Tel Aviv University", "B.Sc., Technion, Haifa": a school's or employer's name or its place
            continue
        first = None
        for gram, whole in _ngrams(p):
            hit = find_city(gram, region=region, country=country, hints=hints or weak, small=True,
                            loose="IL" in backing)
            if hit and hit.small and not (labelled or (whole and hit.country in backing)):
                hit = None  # a small place (a moshav, "Erez") only after a label, or as a whole segment its country supports
            if hit and (country or not support or hit.country in support):
                found.setdefault(hit.name, (hit, gram, whole))
                break
            if hit and first is None:
                first = (hit, gram, whole)  # a town abroad ("Whitefield", GB): a later word may be the supported city
        else:
            if first:
                found.setdefault(first[0].name, first)
    if not found:
        if country and ((by_code and not labelled) or near_org):
            return None  # a bare code, or a country beside a school's or employer's name
        if country:
            return LocationGuess(Place(country=country), 0.85 if labelled else 0.7, [value[:120]])
        return None
    if len({h.country for h, _, _ in found.values()}) > 1 and labelled:
        # "Flat 3B, Whitefield, Bengaluru 560066": a locality that is a town elsewhere (Whitefield, GB) beside the
        # city; keep the one place the other evidence supports (phone, a country named, an Indian PIN code)
        support = {*hints, *weak, *(("IN",) if _PIN.search(value) else ())}
        backed = {k: v for k, v in found.items() if v[0].country in support}
        if len({v[0].country for v in backed.values()}) == 1:
            names = ", ".join(w for _, w, _ in found.values())
            hit, written, _ = list(backed.values())[-1]  # an address runs from the street to the city: the last one
            return LocationGuess(Place(city=written, region=region, country=hit.country, lat=hit.lat, lon=hit.lon),
                                 0.75, [value[:120]], f"places in different countries named ({names}); kept "
                                 f"{written!r}, which the contact details support")
    if len({h.country for h, _, _ in found.values()}) == 1 and len(found) > 1:
        c = next(iter(found.values()))[0].country
        names = ", ".join(w for _, w, _ in found.values())
        return LocationGuess(Place(country=c), 0.6, [value[:120]], f"several places named ({names}); kept the country")
    hit, written, whole = next(iter(found.values()))
    if region and hit.country == "US" and hit.admin1 != region:  # "Knoxville, Iowa": not Knoxville, TN
        return LocationGuess(Place(city=written, region=region, country="US"), 0.7 if labelled else 0.6,
                             [value[:120]], f"{written!r} in {region} is not in the gazetteer; only the state is certain")
    place = Place(city=written, region=region, country=hit.country, lat=hit.lat, lon=hit.lon)
    conf = 0.9 if labelled else 0.75
    reason = None
    if len(found) > 1:
        conf, reason = 0.4, "places in different countries named: " + ", ".join(w for _, w, _ in found.values())
    elif country and hit.country == country:
        conf = max(conf, 0.9)
    elif hints and hit.country not in hints:
        conf, reason = 0.3, f"{written!r} is a city in {hit.country}, but the contact details point to {', '.join(hints)}"
    elif hints and hit.country in hints:
        conf = max(conf, 0.85)
    elif hit.ambiguous:
        conf, reason = 0.45, f"{written!r} names cities in several countries and nothing says which"
    elif weak and hit.country in weak and (labelled or whole):
        conf = max(conf, 0.8)
    elif local and hit.country not in local and not labelled and not whole:
        # "Erez Levi | 054-...": a word inside a segment that is a town abroad ("Levi", CA) while the phone is
        # written in another country's national format
        conf, reason = 0.45, f"{written!r} is a city in {hit.country}, but the phone number is written as in {', '.join(local)}"
    elif not country:
        if not labelled and not whole and not (contact_line or _CONTACT.search(value)):
            conf, reason = 0.35, f"{written!r} is a city name inside other text"
        elif not labelled and not whole:
            conf, reason = 0.65, f"{written!r} is the one city named on a contact line"
        elif hit.population < 100_000 and not labelled:
            conf, reason = 0.5, f"{written!r} is a small city ({hit.country}) with no other evidence"
    return LocationGuess(place, conf, [value[:120]], reason)


# states and districts written after a city outside the US ("Chennai, Tamil Nadu", "Holon, Center District"):
# they name the country, and are not cities themselves
_REGIONS = {name_key(r): cc for cc, names in {
    "IN": ("Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat", "Haryana",
           "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh", "Maharashtra", "Manipur",
           "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Orissa", "Punjab", "Rajasthan", "Sikkim", "Tamil Nadu",
           "Tamilnadu", "Telangana", "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal", "Jammu and Kashmir",
           "NCR", "Delhi NCR"),
    "IL": ("Center District", "Central District", "HaMerkaz", "Haifa District", "Northern District",
           "Southern District", "Jerusalem District", "Tel Aviv District", "Gush Dan", "Galilee",
           # areas Israeli CVs give as home (round 6): the country is certain, no one city is ("Sharon" alone is
           # also a given name: only after a location label, see _LABELLED_REGIONS)
           "Center of Israel", "Centre of Israel", "Central Israel", "Center of the country", "Merkaz",
           "North of Israel", "Northern Israel", "South of Israel", "Southern Israel", "HaSharon", "Hasharon",
           "Sharon region", "the Sharon", "Krayot", "HaKrayot", "Haifa Bay", "Negev", "the Negev", "Western Galilee",
           "Upper Galilee", "Lower Galilee", "Galil", "Shfela", "Shephelah", "Golan", "Golan Heights", "Arava",
           "Emek Hefer", "Hefer Valley", "Jezreel Valley", "Emek Yizrael", "Judea and Samaria", "Samaria"),
    "CA": ("Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan", "Nova Scotia"),
    "AU": ("New South Wales", "Queensland", "Western Australia", "South Australia", "Tasmania"),
}.items() for r in names}

_LABELLED_REGIONS = {name_key(r): cc for r, cc in (("Sharon", "IL"),)}
_AREA = re.compile(r"\s+(?:area|region)$", re.I)


def _region(part: str, labelled: bool = True) -> str | None:
    """The country of a state, district or area written as a part ("Tamil Nadu", "Center of Israel", "Sharon
    area"), or None."""
    for p in (part, _AREA.sub("", part)):
        k = name_key(p.strip(" ."))
        cc = _REGIONS.get(k) or (_LABELLED_REGIONS.get(k) if labelled else None)
        if cc:
            return cc
    return None


# words that are also gazetteer names but, on a resume's contact lines, never the candidate's place
_NOT_PLACES = {
    "date", "mob", "mobile", "home", "phone", "email", "mail", "address", "street", "city", "state", "resume",
    "curriculum", "vitae", "name", "contact", "contacts", "profile", "summary", "objective", "linkedin", "github",
    "age", "status", "single", "married", "male", "female", "english", "hebrew", "russian", "french", "german",
    "spanish", "arabic", "hindi", "developer", "engineer", "manager", "analyst", "designer", "student", "senior",
    "junior", "web", "dev", "positions", "position", "area", "district", "center", "centre", "north", "south",
    "east", "west", "central", "university", "college", "school", "apt", "road", "nagar", "near", "opp",
    "house", "flat", "floor", "block", "sector", "colony", "post", "via", "po", "dist", "taluka", "village",
    # personal-details words that are alternate names of towns somewhere ("Aliyah" -> Aley, LB)
    "aliyah", "born", "basic", "native", "fluent", "mother", "tongue", "officer", "reserve", "car", "air",
    "children", "kids", "citizen", "nationality", "military", "army", "service", "unit", "remote", "hybrid",
}


def _is_contact(i: int, ln: Line) -> bool:
    """A contact line: among the first lines before any heading, or in a contact / personal-details section
    (a sidebar that a Word text box or a PDF column put further down)."""
    return ln.section == "contact" or (i < HEADER_LINES and ln.section == "header")


def find_location(lines: list[Line]) -> LocationGuess:
    hints, weak = country_hints(lines)
    contact = [ln for i, ln in enumerate(lines) if _is_contact(i, ln)]
    others = [ln for i, ln in enumerate(lines) if ln.section in ("other", "header") and not _is_contact(i, ln)]
    # 1. an explicit label or a house icon: in the contact lines, or anywhere outside experience/education
    rest = [ln for i, ln in enumerate(lines) if ln.section == "education" and _HOME_LABEL.search(ln.text)]
    # an Indian CV's permanent (family) address is tried after its present one: the present one is where one lives
    for ln in sorted(contact + others + rest, key=lambda x: bool(_PERMANENT.search(x.text[:60]))):
        m = _LABEL.search(ln.text) or _ICON.search(ln.text)
        if not m:
            continue
        raw = m.group("v")
        if _MASKED.search(raw[:40]):
            return LocationGuess(None, 0.0, [ln.text[:160]], "the location is masked ('City , State')")
        value = _cut(raw)
        if _PROSE_LABEL.search(m.group(0)[: len(m.group(0)) - len(raw)]):
            value = _PROSE_END.split(value, 1)[0]  # "living in Brickell and originally from NYC": Brickell only
        if not value:
            continue
        got = _read_value(value[:150], hints, labelled=True, weak=weak)
        if got:
            got.evidence = [ln.text[:160]]
            return got
    # 2. the contact lines: "Austin, TX", "Pune, Maharashtra, India", "Russia, Fryazino", a line that is a city.
    # Not in a resume whose places were masked ("City , State" anywhere): its real places are hidden, so an
    # unlabelled place-like word there is a false hit
    if any(_MASKED.search(ln.text) for ln in lines):
        return LocationGuess(None, 0.0, [], "the resume's places are masked ('City , State')")
    best: LocationGuess | None = None
    local = tuple(dict.fromkeys(cc for ln in contact for pat, cc in _LOCAL_PHONES if pat.search(ln.text)))
    for k, ln in enumerate(contact):
        if len(ln.text) > 120:
            continue
        if k == 0 and _NAME_LINE.match(ln.text) and ln is lines[0]:
            continue  # the first line is the person's name ("Dana Levi"): a first name may be a town somewhere
        if _DATED_ENTRY.search(ln.text) and not _CONTACT.search(ln.text):
            continue  # a dated line before any heading is a job or study entry ("Intel, Haifa 2015-2020")
        # contact details end a place name ("Haifa Cell:", "Tel Aviv  Mob: ..."): read them as separators
        text = ln.text
        named = _NAME_FIRST.match(text) if ln is lines[0] else None
        if named and " " in named.group("name") and not find_city(named.group("name")):
            text = named.group("rest")  # "Dana Levi | Holon | ...": the name first ("Dana" is a town in Syria)
        # a birth place or a citizenship is not where one lives
        value = _VALUE_END.sub(" | ", _BIRTH.sub(" | ", _NOT_HOME_VALUE.sub(" | ", _WEB.sub(" | ", text))))
        got = _read_value(value, hints, labelled=False, weak=weak, contact_line=bool(_CONTACT.search(text)), local=local)
        if got and got.place and (best is None or got.confidence > best.confidence):
            got.evidence = [ln.text[:160]]
            best = got
    if best:
        return best
    if hints:
        return LocationGuess(None, 0.0, [], "no place named; contact details suggest " + ", ".join(hints))
    return LocationGuess(None, 0.0, [], "no address, location line or place in the contact header")
