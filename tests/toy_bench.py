"""A two-document gold corpus and toy extractors with hand-known errors (shared by the
leaderboard, report and browser tests; offsets found with str.index so they stay right)."""

from __future__ import annotations

from bench.types import Annotations, Claim, Document, Entity, Evidence, GoldCorpus, Stance, Timex

D1 = "Kim Jong Un met Putin in Moscow on Monday. The DPRK army fought in Kursk <region> last year."
D2 = "Ukraine denied it. Zelensky spoke in Kyiv on 5 May 2025 about the Kursk operation."
CLAIMS = (Claim("C1", "North Korean troops fought in Kursk."), Claim("C2", "Russia retook Kursk."))


def ent(text: str, surface: str, label: str) -> Entity:
    i = text.index(surface)
    return Entity(i, i + len(surface), label, surface)


def tmx(text: str, surface: str, type_: str, value: str) -> Timex:
    i = text.index(surface)
    return Timex(i, i + len(surface), type_, value, surface)


GOLD = (
    Annotations(
        "d1",
        (ent(D1, "Kim Jong Un", "PERSON"), ent(D1, "Putin", "PERSON"), ent(D1, "Moscow", "GPE"),
         ent(D1, "DPRK", "ORG"), ent(D1, "Kursk <region>", "LOC")),
        (tmx(D1, "Monday", "DATE", "2025-04-28"), tmx(D1, "last year", "DATE", "2024")),
        (Stance("C1", "support", (Evidence(D1.index("The"), len(D1), "author", "asserts", D1[D1.index("The"):]),)),),
    ),
    Annotations(
        "d2",
        (ent(D2, "Ukraine", "GPE"), ent(D2, "Zelensky", "PERSON"), ent(D2, "Kyiv", "GPE"), ent(D2, "Kursk", "GPE")),
        (tmx(D2, "5 May 2025", "DATE", "2025-05-05"),),
        (Stance("C2", "refute", (Evidence(0, D2.index(".") + 1, "ukraine", "denies", D2[:D2.index(".") + 1]),)),),
    ),
)
CORPUS = GoldCorpus((Document("d1", D1, "2025-04-29"), Document("d2", D2, "2025-05-06")), GOLD, CLAIMS,
                    "sha256:toy0000000000000")

# Predictions with one error of each kind, and the report's categories for them (hand-derived):
# d1 entities: Kim Jong Un correct; Putin ORG = wrong label; "Moscow on" = wrong boundary;
#    "DPRK army" PERSON = wrong label and boundary; "Kursk <region>" missed.
# d2 entities: four correct; "operation" EVENT spurious.
# timexes: "Monday" 2025-04-21 = wrong value; "last year" missed; "5 May" vs "5 May 2025" = wrong boundary.
# stance: d1 C1 support = support, d1 C2 unrelated vs discuss, d2 C1 unrelated, d2 C2 refute = refute.
PRED = (
    Annotations(
        "d1",
        (ent(D1, "Kim Jong Un", "PERSON"), ent(D1, "Putin", "ORG"), ent(D1, "Moscow on", "GPE"),
         ent(D1, "DPRK army", "PERSON")),
        (tmx(D1, "Monday", "DATE", "2025-04-21"),),
        (Stance("C1", "support", ()), Stance("C2", "discuss", ())),
    ),
    Annotations(
        "d2",
        (ent(D2, "Ukraine", "GPE"), ent(D2, "Zelensky", "PERSON"), ent(D2, "Kyiv", "GPE"), ent(D2, "Kursk", "GPE"),
         ent(D2, "operation", "EVENT")),
        (tmx(D2, "5 May", "DATE", "2025-05-05"),),
        (Stance("C2", "refute", ()),),
    ),
)
EXPECTED_ENTITIES = {"correct": 5, "wrong_label": 1, "wrong_boundary": 1, "wrong_both": 1, "missed": 1, "spurious": 1}
EXPECTED_TIMEX = {"correct": 0, "wrong_value": 1, "wrong_boundary": 1, "missed": 1, "spurious": 0}
EXPECTED_STANCE = {"agree": 3, "disagree": 1}


class ToyExtractor:
    """Returns PRED; `drift` changes the d2 timex value, to make a committed run stale."""

    name = "toy"
    version = "1.0"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"
    label_map: dict = {}

    def __init__(self, drift: bool = False) -> None:
        self.drift = drift

    def extract(self, doc: Document, claims) -> Annotations:
        p = {a.doc_id: a for a in PRED}[doc.doc_id]
        if self.drift and doc.doc_id == "d2":
            p = Annotations("d2", p.entities, (tmx(D2, "5 May 2025", "DATE", "2025-05-05"),), p.stances)
        return p

    def config(self) -> dict[str, str]:
        return {"drift": str(self.drift)}


class ToyConll:
    """Entities only, CoNLL labels: the leaderboard must show em dashes for timex and stance."""

    name = "toy-conll"
    version = "0.1"
    tasks = frozenset({"entities"})
    label_scheme = "conll"
    label_map: dict = {}

    def extract(self, doc: Document, claims) -> Annotations:
        g = {a.doc_id: a for a in GOLD}[doc.doc_id]
        conv = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG"}
        return Annotations(doc.doc_id, tuple(Entity(e.start, e.end, conv[e.label], e.text) for e in g.entities[:-1]),
                           None, None)

    def config(self) -> dict[str, str]:
        return {}
