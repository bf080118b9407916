"""Slot fillers: each turns (rng, gazetteer) into labelled text segments.

A segment is ``(text, label)`` with label None for text outside any span.  Fillers
encode the span conventions of docs/guidelines.md by construction: titles, "the",
possessives and lower-case designators are separate unlabelled segments.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from baselines.ner_data import dates
from baselines.ner_data.gazetteers import (
    COMMON_LANGUAGES, FAMOUS_EVENTS, FAMOUS_PRODUCTS, INTERNATIONAL_ORGS, NORP_GROUPS,
    THE_COUNTRIES, WORLD_REGIONS, Gazetteer, arabic_name, invented_word, korean_name,
)

Segments = list[tuple[str, "str | None"]]
Filler = Callable[[random.Random, Gazetteer], Segments]

TITLES = (
    "President", "Prime Minister", "Foreign Minister", "Defence Minister", "Defense Minister",
    "Finance Minister", "Interior Minister", "Health Minister", "General", "Gen.", "Lt. Gen.",
    "Colonel", "Col.", "Major", "Captain", "Admiral", "Mayor", "Governor", "Gov.", "Senator",
    "Sen.", "Rep.", "Mr.", "Mrs.", "Ms.", "Dr.", "Professor", "Prof.", "Chancellor", "King",
    "Queen", "Prince", "Princess", "Sheikh", "Pope", "Judge", "Justice", "Ambassador",
    "Commander", "Secretary of State", "Secretary-General", "Vice President",
    "Deputy Prime Minister", "Chief Executive", "CEO", "Chairman", "Speaker", "Archbishop",
    "Father", "Coach", "Sergeant", "Lieutenant", "Marshal", "Premier", "Minister",
    "Deputy Foreign Minister", "Chief of Staff", "Crown Prince", "Emir", "President-elect",
    "Chief Justice", "Army chief", "spokesperson", "spokesman", "spokeswoman", "envoy",
    "opposition leader", "lawmaker", "coach", "economist", "analyst", "Chief",
)
ROLES = (
    "president", "prime minister", "foreign minister", "defence minister", "ambassador",
    "army chief", "spokesperson", "governor", "mayor", "central bank chief", "envoy",
    "opposition leader", "chief executive", "commander", "economist", "historian", "analyst",
    "senior official", "deputy director", "head of state", "negotiator", "chairman",
)
DEPTS = (
    "Defence", "Defense", "Foreign Affairs", "Finance", "Interior", "Justice", "Health",
    "Education", "Energy", "Agriculture", "Transport", "Trade", "Economy", "Culture",
    "Emergency Situations", "Digital Affairs", "Environment", "Labour", "Veterans Affairs",
    "Internal Affairs", "Home Affairs", "Foreign Trade", "Science",
)
GOV_HEADS = ("Ministry", "Department", "Office", "Agency", "Service", "Committee", "Commission",
             "Council", "Bureau", "Directorate", "Authority", "Inspectorate", "Court", "Assembly")
ORG_ADJ = ("National", "Federal", "Supreme", "Central", "State", "Joint", "General",
           "International", "Security", "Election", "Intelligence", "Border", "Investigative",
           "Constitutional", "Anti-Corruption", "Financial", "Maritime", "Atomic Energy",
           "Civil Aviation", "Statistics", "Revolutionary", "Military", "Political", "Economic")
MIL = ("Armed Forces", "Army", "Navy", "Air Force", "General Staff", "Border Guard",
       "National Guard", "Defence Forces", "Defense Forces", "Special Forces", "Coast Guard",
       "Marines", "Ground Forces", "Security Service", "Aerospace Forces")
PARTY_ADJ = ("Social Democratic", "Labour", "Green", "Liberal", "Conservative", "Socialist",
             "Communist", "People's", "National", "Progressive", "Democratic", "Republican",
             "Christian Democratic", "Freedom", "Reform", "Unity", "Justice and Development",
             "Farmers'", "Popular", "Independence")
INDUSTRY = ("Motors", "Energy", "Airlines", "Bank", "Technologies", "Steel", "Pharmaceuticals",
            "Holdings", "Group", "Logistics", "Telecom", "Mining", "Foods", "Capital", "Systems",
            "Robotics", "Shipping", "Media", "Aerospace", "Industries", "Solutions", "Networks")
CO_SUFFIX = ("Inc.", "Ltd", "Corp.", "AG", "SA", "GmbH", "plc", "LLC", "Co.", "Group")
MEDIA = ("Times", "Herald", "Post", "Tribune", "Gazette", "Daily", "Observer", "Chronicle",
         "Journal", "Courier", "Express", "Star", "Today", "Independent", "Monitor")
WORK_ADJ = ("Silent", "Last", "Broken", "Golden", "Hidden", "Long", "Red", "Distant", "Winter",
            "Quiet", "Burning", "Forgotten", "Endless", "Bright", "Lost", "Iron", "Glass")
WORK_NOUN = ("River", "Garden", "Road", "Kingdom", "Summer", "Letters", "Shadows", "Harbour",
             "Promise", "Station", "Orchard", "Frontier", "Mirror", "Voices", "Empire", "Tide")
LAW_TOPIC = ("Arms Reduction", "Non-Proliferation", "Open Skies", "Free Trade", "Mutual Defence",
             "Friendship and Cooperation", "Climate", "Data Protection", "Maritime Boundary",
             "Nuclear Test Ban", "Civil Rights", "Clean Air", "Affordable Care", "Foreign Agents",
             "National Security", "Digital Markets", "Chemical Weapons", "Refugee",
             "Inflation Reduction", "Mutual Assistance", "Extradition", "Media Freedom",
             "Water Sharing", "Investment Protection", "Fisheries")
BRAND_WORDS = ("Condor", "Viper", "Orion", "Atlas", "Titan", "Nova", "Zephyr", "Pulsar", "Raptor",
               "Cobra", "Aurora", "Comet", "Horizon", "Vector", "Summit", "Lynx", "Falcon", "Meteor")
EVENT_TOPIC = ("Energy", "Security", "Climate", "Economic", "Peace", "Investment", "Trade",
               "Health", "Youth", "Technology", "Defence", "Water", "Food Security")


def _pick(rng: random.Random, *options):
    return rng.choice(options)


def _ord(n: int) -> str:
    return dates._ordinal(n)


def _acronym(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVW") for _ in range(rng.randint(2, 5)))


def _the(rng: random.Random, p: float = 0.8) -> Segments:
    return [("the ", None)] if rng.random() < p else []


# -- PERSON -----------------------------------------------------------------

def person_name(rng: random.Random, g: Gazetteer) -> str:
    r = rng.random()
    if r < 0.08:
        name = korean_name(rng)
    elif r < 0.15:
        name = arabic_name(rng)
    elif r < 0.21:
        name = f"{invented_word(rng)} {invented_word(rng)}"
    else:
        name = rng.choice(g.full_names)
    r = rng.random()
    first, _, last = name.partition(" ")
    if r < 0.05 and last:
        name = f"{first[0]}. {last}"
    elif r < 0.10 and last:
        name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
    elif r < 0.13:
        name = name.upper()
    return name


def person(rng: random.Random, g: Gazetteer) -> Segments:
    return [(person_name(rng, g), "PERSON")]


def surname(rng: random.Random, g: Gazetteer) -> Segments:
    return [(rng.choice(g.last_names) if rng.random() < 0.85 else invented_word(rng), "PERSON")]


def titled_person(rng: random.Random, g: Gazetteer) -> Segments:
    """Title outside PERSON; a nationality or country before the title is its own span."""
    title = rng.choice(TITLES)
    r = rng.random()
    lead: Segments = []
    if r < 0.25:
        lead = [(rng.choice(g.demonyms), "NORP"), (" ", None)]
    elif r < 0.35:
        lead = [(_country_name(rng, g), "GPE"), (" ", None)]
    elif r < 0.42:
        lead = [(government_org(rng, g)[-1][0], "ORG"), (" ", None)]
        title = rng.choice(("spokesperson", "chief", "head", "Chief", "Director", "spokesman"))
    return lead + [(title + " ", None), (person_name(rng, g), "PERSON")]


def family(rng: random.Random, g: Gazetteer) -> Segments:
    """A family by its plural surname ("the Okafors"): PERSON per the guidelines."""
    return [("the ", None), (rng.choice(g.last_names) + "s", "PERSON")]


# -- places -----------------------------------------------------------------

def _country_name(rng: random.Random, g: Gazetteer) -> str:
    return rng.choice(g.countries)


def country(rng: random.Random, g: Gazetteer) -> Segments:
    if rng.random() < 0.08:  # "the Republic of X": formal names take the article
        return [("the ", None), (rng.choice(g.official_countries), "GPE")]
    name = _country_name(rng, g)
    return ([("the ", None)] if name in THE_COUNTRIES else []) + [(name, "GPE")]


def city(rng: random.Random, g: Gazetteer) -> Segments:
    pool = g.capitals_and_big_cities if rng.random() < 0.6 else g.cities
    return [(rng.choice(pool) if rng.random() < 0.93 else invented_word(rng), "GPE")]


def gpe(rng: random.Random, g: Gazetteer) -> Segments:
    r = rng.random()
    if r < 0.45:
        return country(rng, g)
    if r < 0.85:
        return city(rng, g)
    if r < 0.95:
        return [(rng.choice(g.subdivisions), "GPE")]
    name = invented_word(rng) + rng.choice((" Oblast", " Province", " Krai", " Governorate", ""))
    return [(name, "GPE")]


def gpe_designator(rng: random.Random, g: Gazetteer) -> Segments:
    """"the X region": the lower-case designator stays outside GPE."""
    place = rng.choice((city, gpe, lambda r, g: [(r.choice(g.subdivisions), "GPE")]))(rng, g)
    place = [s for s in place if s[1]]
    word = _pick(rng, "region", "province", "district", "area", "sector", "direction", "front",
                 "border area", "port", "airport", "city", "county", "refinery", "outskirts")
    return [("the ", None)] + place + [(" " + word, None)]


def directional_gpe(rng: random.Random, g: Gazetteer) -> Segments:
    word = _pick(rng, "northern", "southern", "eastern", "western", "central", "northeastern",
                 "southwestern", "southeastern", "northwestern")
    return [(word + " ", None)] + [s for s in gpe(rng, g) if s[1]]


def gpe_pair(rng: random.Random, g: Gazetteer) -> Segments:
    """Hyphenated compounds split into their parts ("X-Y talks")."""
    if rng.random() < 0.6:
        a, b = _country_name(rng, g), _country_name(rng, g)
        return [(a, "GPE"), (rng.choice(("-", "–")), None), (b, "GPE")]
    a, b = rng.choice(g.demonyms), rng.choice(g.demonyms)
    return [(a, "NORP"), ("-", None), (b, "NORP")]


def loc(rng: random.Random, g: Gazetteer) -> Segments:
    r = rng.random()
    if r < 0.4:
        return [(rng.choice(WORLD_REGIONS), "LOC")]
    if r < 0.55:  # a country or nationality inside a geographic name is part of it
        c, d = _country_name(rng, g), rng.choice(g.demonyms)
        name = _pick(rng, f"{rng.choice(('East', 'West', 'North', 'South'))} {c} Sea", f"Gulf of {c}",
                     f"{d} Peninsula", f"{c} Basin", f"{d} Highlands", f"{d} Plain", f"{c} Trench")
        return [(name, "LOC")]
    w = invented_word(rng) if rng.random() < 0.6 else rng.choice(g.last_names)
    name = _pick(rng, f"{w} River", f"River {w}", f"Lake {w}", f"{w} Mountains", f"Mount {w}",
                 f"{w} Valley", f"{w} Bay", f"{w} Desert", f"{w} Peninsula", f"Gulf of {w}",
                 f"{w} Sea", f"{w} Strait", f"{w} Islands", f"{w} Plateau", f"{w} Basin",
                 f"{w} Channel", f"{w} Sound", f"{w} Delta", f"{w} Coast", f"{w} Ridge")
    return [(name, "LOC")]


def fac(rng: random.Random, g: Gazetteer) -> Segments:
    c = rng.choice(g.capitals_and_big_cities)
    w = invented_word(rng) if rng.random() < 0.5 else rng.choice(g.last_names)
    name = _pick(rng, f"{c} International Airport", f"{w} Airport", f"{c} Bridge", f"{w} Bridge",
                 f"{c} Central Station", f"{w} Stadium", f"{c} Nuclear Power Plant", f"{w} Square",
                 f"{w} Street", f"Port of {c}", f"{w} Dam", f"{w} Palace", f"{c} Cathedral",
                 f"{c} Air Base", f"{w} Tower", f"{c} Arena", f"{w} Prison", f"Highway {rng.randint(1, 99)}",
                 f"{w} Avenue", f"{w} Hall", f"{w} Memorial", f"{c} Zoo")
    return _the(rng, 0.5) + [(name, "FAC")]


# -- organisations -----------------------------------------------------------

def government_org(rng: random.Random, g: Gazetteer) -> Segments:
    dem = rng.choice(g.demonyms)
    ctry = _country_name(rng, g)
    dept = rng.choice(DEPTS)
    head = rng.choice(GOV_HEADS)
    adj, adj2 = rng.sample(ORG_ADJ, 2)
    r = rng.random()
    if r < 0.15:
        name = f"Ministry of {dept}"
    elif r < 0.28:
        name = f"{dem} {dept.split()[0]} Ministry" if rng.random() < 0.6 else f"{dept.split()[0]} Ministry"
    elif r < 0.45:
        name = f"{adj} {head}" if rng.random() < 0.6 else f"{adj} {adj2} {head}"
    elif r < 0.55:
        name = f"{adj} {head} of {ctry}"
    elif r < 0.62:
        name = f"{head} for {dept}"
    elif r < 0.72:
        name = f"{dem} {rng.choice(MIL)}" if rng.random() < 0.6 else f"{rng.choice(MIL)} of {ctry}"
    elif r < 0.78:
        name = f"{adj} {head} of the {dem} {rng.choice(MIL)}"
    elif r < 0.84:
        kind = rng.choice(("Mechanised", "Airborne", "Assault", "Tank", "Infantry", "Artillery", "Marine"))
        name = f"{_ord(rng.randint(1, 120))} {kind} {rng.choice(('Brigade', 'Division', 'Regiment', 'Battalion', 'Corps'))}"
    elif r < 0.9:
        name = f"{ctry} {rng.choice(('Parliament', 'Senate', 'Supreme Court', 'Central Bank', 'Foreign Ministry'))}"
    else:
        name = f"{dem} {rng.choice(('Parliament', 'Central Bank', 'Foreign Ministry', 'Cabinet', 'Red Cross', 'Space Agency'))}"
    return _the(rng, 0.75) + [(name, "ORG")]


def party(rng: random.Random, g: Gazetteer) -> Segments:
    adj = rng.choice(PARTY_ADJ)
    name = _pick(rng, f"{adj} Party", f"{adj} Party of {_country_name(rng, g)}",
                 f"{rng.choice(g.demonyms)} {adj} Party", f"{adj} Alliance", f"{adj} Front")
    return _the(rng, 0.8) + [(name, "ORG")]


def company(rng: random.Random, g: Gazetteer) -> Segments:
    r = rng.random()
    if r < 0.45:
        name = rng.choice(g.companies)
    elif r < 0.7:
        name = f"{rng.choice(g.last_names)} {rng.choice(INDUSTRY)}"
    else:
        name = invented_word(rng)
        if rng.random() < 0.5:
            name += " " + rng.choice(CO_SUFFIX + INDUSTRY)
    return [(name, "ORG")]


def media(rng: random.Random, g: Gazetteer) -> Segments:
    c = rng.choice(g.capitals_and_big_cities)
    w = invented_word(rng)
    name = _pick(rng, f"{c} {rng.choice(MEDIA)}", f"{rng.choice(g.demonyms)} Broadcasting Corporation",
                 f"{rng.choice(g.demonyms)} News Agency", f"{_country_name(rng, g)} Press Agency",
                 f"{w} News", f"{w}info", f"{_acronym(rng)} TV", f"Radio {w}", f"{c} Today", w,
                 f"{w} {rng.choice(MEDIA)}", f"{_acronym(rng)}", f"{w}TV")
    return [(name, "ORG")]


def intl(rng: random.Random, g: Gazetteer) -> Segments:
    name = rng.choice(INTERNATIONAL_ORGS)
    return (_the(rng, 0.9) if " " in name else []) + [(name, "ORG")]


def institution(rng: random.Random, g: Gazetteer) -> Segments:
    c = rng.choice(g.capitals_and_big_cities)
    w = rng.choice(g.last_names)
    name = _pick(rng, f"University of {c}", f"{c} University", f"{c} State University",
                 f"{w} Institute", f"{c} Institute of Technology", f"{w} Foundation",
                 f"{c} Chamber of Commerce", f"{c} FC", f"{c} United", f"{w} Hospital",
                 f"{invented_word(rng)} Institute for {rng.choice(DEPTS)} Studies")
    return _the(rng, 0.4) + [(name, "ORG")]


def org(rng: random.Random, g: Gazetteer) -> Segments:
    return rng.choices(
        (government_org, party, company, media, intl, institution,
         lambda r, g: [(_acronym(r), "ORG")]),
        weights=(30, 10, 20, 12, 14, 8, 6),
    )[0](rng, g)


# -- other names ---------------------------------------------------------------

def norp(rng: random.Random, g: Gazetteer) -> Segments:
    return [(rng.choice(g.demonyms) if rng.random() < 0.85 else rng.choice(NORP_GROUPS), "NORP")]


def norp_plural(rng: random.Random, g: Gazetteer) -> Segments:
    plurals = [d for d in g.demonyms if d.endswith(("an", "i"))]
    return [(rng.choice(plurals) + "s", "NORP")]


def product(rng: random.Random, g: Gazetteer) -> Segments:
    if rng.random() < 0.3:
        return [(rng.choice(FAMOUS_PRODUCTS), "PRODUCT")]
    w = invented_word(rng) if rng.random() < 0.7 else rng.choice(BRAND_WORDS)
    name = _pick(rng, f"{w} {rng.choice('XSTMKR')}{rng.randint(1, 99)}", f"{w}-{rng.randint(1, 30)}",
                 f"{w} {rng.choice(('Pro', 'Max', 'Air', 'One', 'Plus', 'Ultra', 'Go', 'Mini'))}",
                 f"{w} Store", f"{w} Pay", f"{w} Maps", f"{w} Cloud", f"{w} Music", f"{w} Messenger",
                 f"{rng.choice('ABCDFKMST')}-{rng.randint(2, 600)}", w)
    return [(name, "PRODUCT")]


def event(rng: random.Random, g: Gazetteer) -> Segments:
    if rng.random() < 0.3:
        return _the(rng, 0.6) + [(rng.choice(FAMOUS_EVENTS), "EVENT")]
    c = rng.choice(g.capitals_and_big_cities)
    y = rng.randint(1990, 2030)
    topic = rng.choice(EVENT_TOPIC)
    name = _pick(rng, f"{c} Summit", f"{y} World Cup", f"{y} Olympics", f"{c} Olympics",
                 f"{_country_name(rng, g)} Grand Prix", f"Battle of {c}", f"Siege of {c}",
                 f"{rng.choice(g.demonyms)} Revolution", f"{rng.choice(g.demonyms)} Civil War",
                 f"{c} Film Festival", f"{c} Marathon", f"{rng.choice(('Hurricane', 'Typhoon', 'Cyclone', 'Storm'))} {rng.choice(g.first_names)}",
                 f"{_ord(rng.randint(2, 40))} {rng.choice(('Global', 'Annual', 'World', 'Regional'))} {topic} Forum",
                 f"{c} {topic} Conference", f"{c} Book Fair", f"COP{rng.randint(10, 40)}",
                 f"{c} Security Conference", f"{_ord(rng.randint(2, 30))} {topic} Congress")
    return _the(rng, 0.7) + [(name, "EVENT")]


def work_of_art(rng: random.Random, g: Gazetteer) -> Segments:
    a, n = rng.choice(WORK_ADJ), rng.choice(WORK_NOUN)
    r = rng.random()
    if r < 0.25:
        return [("the ", None), (f"{a} {n}", "WORK_OF_ART")]
    if r < 0.4:
        return [(f"{n} of {rng.choice(WORK_NOUN)}", "WORK_OF_ART")]
    if r < 0.6:
        q = rng.choice(('"', "“"))
        close = '"' if q == '"' else "”"
        return [(q, None), (f"{a} {n}", "WORK_OF_ART"), (close, None)]
    if r < 0.8:  # newsletters and programmes
        w = invented_word(rng)
        kind = rng.choice(("Morning", "Evening", "Weekly", "Daily", "Weekend"))
        return [(f"{w} {kind} {rng.choice(('Digest', 'Report', 'Update', 'Review', 'Roundup'))}", "WORK_OF_ART")]
    return [(f"{a} {n}", "WORK_OF_ART")]


def law(rng: random.Random, g: Gazetteer) -> Segments:
    t = rng.choice(LAW_TOPIC)
    c = rng.choice(g.capitals_and_big_cities)
    treaty = _pick(rng, f"{t} Treaty", f"{c} Treaty", f"{t} Agreement", f"{c} Accords",
                   f"{t} Convention", f"{c} Protocol")
    r = rng.random()
    if r < 0.15:
        name = f"Article {rng.randint(1, 80)} of the {treaty}"
    elif r < 0.25:
        name = f"Article {rng.randint(1, 80)}"
    elif r < 0.4:
        name = f"{t} Act" + (f" of {rng.randint(1950, 2030)}" if rng.random() < 0.3 else "")
    elif r < 0.5:
        name = _pick(rng, f"Treaty of {c}", f"{_country_name(rng, g)} Constitution",
                     f"Constitution of {_country_name(rng, g)}", f"{c} Declaration")
    elif r < 0.6:
        name = _pick(rng, f"{rng.choice(('UN', 'NATO', 'African Union', 'OSCE'))} Charter",
                     f"Resolution {rng.randint(100, 2800)}", f"{rng.choice(g.demonyms)} Criminal Code",
                     f"Law on {t}", f"{_ord(rng.randint(1, 27))} Amendment")
    else:
        name = treaty
    return _the(rng, 0.7) + [(name, "LAW")]


def language(rng: random.Random, g: Gazetteer) -> Segments:
    return [(rng.choice(COMMON_LANGUAGES) if rng.random() < 0.75 else rng.choice(g.languages), "LANGUAGE")]


# -- plain text (outside) -------------------------------------------------------

def number(rng: random.Random, g: Gazetteer) -> Segments:
    n = rng.randint(2, 5000)
    return [(_pick(rng, str(n), f"at least {n}", f"{n:,}", "dozens of", "hundreds of", "thousands of",
                   rng.choice(dates.NUMBER_WORDS), f"more than {n}", f"nearly {n}"), None)]


def money(rng: random.Random, g: Gazetteer) -> Segments:
    cur = rng.choice(("$", "€", "£", "¥"))
    return [(_pick(rng, f"{cur}{rng.randint(1, 900)} million", f"{cur}{rng.randint(1, 90)} billion",
                   f"{cur}{rng.randint(10, 999)},000", f"{rng.randint(2, 500)} million dollars"), None)]


def percent(rng: random.Random, g: Gazetteer) -> Segments:
    return [(_pick(rng, f"{rng.randint(1, 99)} percent", f"{rng.randint(1, 99)}%",
                   f"{rng.randint(1, 9)}.{rng.randint(0, 9)} per cent"), None)]


def role(rng: random.Random, g: Gazetteer) -> Segments:
    return [(rng.choice(ROLES), None)]


def plain_words(rng: random.Random, g: Gazetteer) -> Segments:
    """3-8 everyday lower-case words: varied context that is never an entity."""
    return [(" ".join(rng.choice(g.common_words) for _ in range(rng.randint(3, 8))), None)]


FILLERS: dict[str, Filler] = {
    "PER": person, "SUR": surname, "PER_T": titled_person, "FAMILY": family,
    "GPE": gpe, "COUNTRY": country, "CITY": city, "GPE_D": gpe_designator,
    "DIR_GPE": directional_gpe, "PAIR": gpe_pair, "LOC": loc, "FAC": fac,
    "ORG": org, "GOV": government_org, "PARTY": party, "CO": company, "MEDIA": media,
    "INTL": intl, "INST": institution, "NORP": norp, "NORPS": norp_plural,
    "PRODUCT": product, "EVENT": event, "WORK": work_of_art, "LAW": law, "LANG": language,
    "DATE": lambda r, g: dates.date(r), "TIME": lambda r, g: dates.time(r),
    "WHEN": lambda r, g: dates.when(r), "DUR": lambda r, g: [(dates.duration(r), "DATE")],
    "num": number, "money": money, "pct": percent, "role": role, "words": plain_words,
    "GOVN": lambda r, g: [s for s in government_org(r, g) if s[1]],
}
