"""Generic English word lists for the rule baseline (no corpus names).

Each list is ordinary English or news-style knowledge: function words, titles,
and the head nouns that mark a name as an organisation, a law, an event, etc.
"""

from __future__ import annotations

STOPWORDS: frozenset[str] = frozenset("""
a about above according across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyone anything anyway anywhere are around as at
back be became because become becomes been before beforehand behind being below beside besides between
beyond both but by can cannot could did do does doing done down due during each either else elsewhere
enough even ever every everyone everything everywhere except few first for former formerly from further
had has have having he hence her here hereby herein hers herself him himself his how however i if in
indeed into is it its itself just last latter least less many may me meanwhile might mine more moreover
most mostly much must my myself neither never nevertheless next no nobody none noone nor not nothing now
nowhere of off often on once one only onto or other others otherwise our ours ourselves out over own per
perhaps please rather same several she should since so some somehow someone something sometime sometimes
somewhere still such than that the their theirs them themselves then thence there thereafter thereby
therefore therein thereupon these they this those though through throughout thru thus to together too
toward towards under unless until up upon us very via was we well were what whatever when whence whenever
where whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whole
whom whose why will with within without would yet you your yours yourself yourselves
below above here there yes meanwhile today yesterday tomorrow tonight
""".split())

MONTHS: frozenset[str] = frozenset(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
WEEKDAYS: frozenset[str] = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())

# Titles, ranks and honorifics: they stay outside PERSON spans.
TITLES: frozenset[str] = frozenset("""
President Vice Prime Minister Ministers Affairs Foreign Defense Defence Interior Finance Secretary Chancellor
Premier Chairman Chairwoman Chair Chief Mayor Governor Senator Sen Rep Representative Gov Gen General
Lt Lieutenant Col Colonel Maj Major Capt Captain Commander Admiral Marshal Sgt Sergeant Brig Brigadier
King Queen Prince Princess Sheikh Sheikha Emir Sultan Pope Cardinal Bishop Archbishop Rabbi Imam
Ayatollah Comrade Mr Mrs Ms Miss Dr Prof Professor Judge Ambassador Spokesman Spokeswoman Spokesperson
Director Deputy Acting Leader Speaker Envoy Commissioner Sir Dame Lord Lady Crown Supreme Chief-of-Staff
Attorney Inspector Officer Agent Detective Constable Superintendent Pastor Father Sister Brother
Coach Senior Junior Former Ex
""".split())
# Abbreviated titles written with a full stop ("Mr. Smith"): the dot does not end the name.
DOTTED_TITLES: frozenset[str] = frozenset("Mr Mrs Ms Dr Prof Gen Lt Col Maj Capt Sgt Gov Sen Rep St Brig".split())

# Lower-case words allowed inside a multiword name ("Bank of England", "Osama bin Laden").
CONNECTORS: frozenset[str] = frozenset("of the for on and bin ibn bint al el de del della da di du la le van von der den dos das y".split())
# Only these connectors may join name parts of a PERSON.
NAME_PARTICLES: frozenset[str] = frozenset("bin ibn bint al el de del della da di du la le van von der den dos das y Al El".split())
# Connectors that need an organisation head before them ("Committee on Energy", "Institute for Peace").
ORG_ONLY_CONNECTORS: frozenset[str] = frozenset("for on and".split())

# Common nouns that keep a possessive inside a name: "Women's Institute", "Farmers' Union".
INTERNAL_POSSESSIVE: frozenset[str] = frozenset(
    "people women men children workers veterans farmers citizens soldiers students nations".split()
)

ORG_HEADS: frozenset[str] = frozenset("""
Party Parties Commission Council Committee Ministry Department Agency Army Navy Forces Force Guard Guards
Bureau Court Inc Corp Corporation Ltd LLC Plc PLC Company Group Holdings Bank University College Institute
School Academy Office Staff Command Union Association Organization Organisation League Front Movement
Federation Assembly Parliament Congress Senate Cabinet Government Police Service Services Fund Foundation
Authority Network Media News Daily Times Post Press Journal Herald Tribune Gazette Airlines Airways
Motors Society Club Team Brigade Regiment Division Battalion Corps Fleet Secretariat Nations Directorate
Administration Agencies Institution Center Centre Commissariat Chamber Board Trust Alliance Coalition
Intelligence Radio Television TV Broadcasting House
""".split())
LAW_HEADS: frozenset[str] = frozenset(
    "Treaty Charter Act Accord Accords Agreement Convention Constitution Protocol Pact Code Resolution "
    "Amendment Declaration Statute Law".split()
)
EVENT_HEADS: frozenset[str] = frozenset(
    "War Wars Olympics Games Conference Summit Cup Championship Championships Festival Expo Revolution "
    "Marathon Uprising Massacre Offensive Crisis Battle Siege".split()
)
GPE_HEADS: frozenset[str] = frozenset(
    "Oblast Province Prefecture County Krai Governorate Region Republic City Municipality Emirate "
    "Canton Voivodeship Territory".split()
)
FAC_HEADS: frozenset[str] = frozenset(
    "Airport Bridge Square Palace Tower Towers Station Stadium Dam Harbor Harbour Port Street Avenue "
    "Road Highway Building Prison Base Cathedral Mosque Temple Church Museum Plant Arena".split()
)
LOC_HEADS: frozenset[str] = frozenset(
    "Sea Ocean River Mountains Mountain Peninsula Gulf Strait Valley Desert Lake Island Islands Bay Coast "
    "Basin Plateau Hills Range Canal".split()
)

# Head nouns of named publications and programmes ("Morning Briefing", "Weekly Digest").
WORK_HEADS: frozenset[str] = frozenset("Podcast Newsletter Digest Briefing Brief Show Magazine Documentary Novel Album".split())

ROMAN_NUMERALS: frozenset[str] = frozenset("I II III IV V VI VII VIII IX X XI XII".split())
# Cardinal directions that may lead a place or nationality name ("North Korean").
DIRECTIONS: frozenset[str] = frozenset("North South East West Northern Southern Eastern Western Central".split())

# Irregular nationality and group adjectives that suffix rules cannot derive.
IRREGULAR_NORP: frozenset[str] = frozenset("""
French British Dutch Swiss Greek Thai Irish Welsh Scottish English Danish Finnish Swedish Polish Spanish
Filipino Czech Arab Arabs Kurdish Kurds Jewish Jews Muslim Muslims Christian Christians Catholic Catholics
Buddhist Buddhists Hindu Hindus Sunni Shia Shiite Orthodox Protestant Protestants Norwegian Icelandic
Portuguese Peruvian Turkish Afghan Afghans Uzbek Kazakh Tajik Kyrgyz Turkmen Slovak Slovene Slovenian
Croat Croatian Serb Serbian Bosnian Maltese Cypriot Monegasque Malagasy Scots Britons Brits
Emirati Bahraini Saudi Saudis Yemeni Omani Qatari Kuwaiti Iraqi Iranian Israeli Palestinian Pakistani
Bangladeshi Nepali Vietnamese Burmese Lao Laotian Cambodian Mongolian Tibetan Uyghur Tatar
American Americans Chechen Cossack Democrat Democrats Republican Republicans Communist Communists Socialist Socialists
""".split())

# All-caps abbreviations of common nouns, not names ("generative AI", "the CEO").
COMMON_ACRONYMS: frozenset[str] = frozenset(
    "AI CEO CFO COO CTO GDP TV ID OK PM AM PR IT HQ DNA IPO VAT SUV UFO VIP FAQ PDF URL GPS SMS MP MPs".split()
)

# Reporting/auxiliary words after which a sentence-initial single capitalised word
# is probably a subject name ("Acme has revised ...") rather than a common word.
SUBJECT_FOLLOWERS: frozenset[str] = frozenset("""
has had have is was are were said says told reported reports announced confirmed denied stated will
would could can may might also officially
""".split())
# Suffixes of common words that often start a sentence ("Electricity", "Translated").
COMMON_SUFFIXES: tuple[str, ...] = ("ed", "ing", "ity", "ities", "tion", "tions", "ment", "ments", "ness", "ly", "ies", "ance", "ence")
