"""A model's answer text -> checked items, counting everything that is not used.

JSON is taken from the answer tolerantly, in this order (the first that works):
the whole text; the text after removing ``<think>...</think>`` blocks (reasoning
models); each fenced code block; the first ``{`` or ``[`` from which a JSON value
decodes (text around it is ignored).  The value must be an object holding the task's
list (``{"entities": [...]}``) or that list itself; anything else is a *parse
failure* and the answer predicts nothing.

Each item is then checked on its own: an item with a missing or mistyped field, an
empty string, a label outside the task's set, a malformed TIMEX3 value or an unknown
claim is an *invalid item* (counted, not used); the other items of the answer are
kept.  Labels are compared after trimming and upper-casing (entity labels, TIMEX3
types) or lower-casing (stance labels, polarities): servers without structured output
vary the case.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.timex3 import is_valid_value
from bench.types import ENTITY_LABELS, POLARITIES, STANCE_LABELS, TIMEX_TYPES

_THINK = re.compile(r"<think>.*?</think>", re.S)
_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)```", re.S)
MAX_ITEMS = 10_000  # per answer; more is a runaway generation, not an annotation


@dataclass(frozen=True)
class Mention:
    text: str
    context: str | None
    label: str  # entity label or TIMEX3 type
    value: str | None = None  # TIMEX3 value


@dataclass(frozen=True)
class Quote:
    text: str
    holder: str
    polarity: str


@dataclass(frozen=True)
class ClaimAnswer:
    claim_id: str
    label: str
    evidence: tuple[Quote, ...]


@dataclass
class Parsed:
    items: list = field(default_factory=list)  # Mention or ClaimAnswer
    counts: Counter = field(default_factory=Counter)  # parse_failures, invalid_items


def extract_json(text: str) -> object | None:
    """The first JSON value found by the rules above, or None."""
    candidates = [text, _THINK.sub("", text)]
    candidates += _FENCE.findall(candidates[-1])
    for c in candidates:
        try:
            return json.loads(c)
        except (ValueError, RecursionError):
            pass
    body = candidates[1]
    decoder = json.JSONDecoder()
    for m in re.finditer(r"[\[{]", body):
        try:
            return decoder.raw_decode(body, m.start())[0]
        except (ValueError, RecursionError):
            continue
    return None


def _items(value: object, key: str) -> list | None:
    if isinstance(value, dict) and isinstance(value.get(key), list):
        return value[key]
    if isinstance(value, list):
        return value
    return None


def _text(obj: dict, name: str) -> str | None:
    v = obj.get(name)
    return v.strip() if isinstance(v, str) and v.strip() else None


def _mention(obj: object, task: str) -> Mention | None:
    if not isinstance(obj, dict):
        return None
    text, context = _text(obj, "text"), obj.get("context")
    if text is None or not (context is None or isinstance(context, str)):
        return None
    if task == "entities":
        label = (_text(obj, "label") or "").upper()
        return Mention(text, context, label) if label in ENTITY_LABELS else None
    typ, value = (_text(obj, "type") or "").upper(), _text(obj, "value")
    if typ not in TIMEX_TYPES or value is None or not is_valid_value(value, typ):
        return None
    return Mention(text, context, typ, value)


def _quote(obj: object) -> Quote | None:
    if not isinstance(obj, dict):
        return None
    text, holder, polarity = _text(obj, "quote"), _text(obj, "holder"), (_text(obj, "polarity") or "").lower()
    if text is None or holder is None or polarity not in POLARITIES:
        return None
    return Quote(text, holder, polarity)


def parse(answer: str | None, task: str, key: str, claim_ids: Sequence[str] = ()) -> Parsed:
    """The usable items of one answer, with parse_failures and invalid_items counted."""
    out = Parsed()
    raw = _items(extract_json(answer), key) if isinstance(answer, str) else None
    if raw is None or len(raw) > MAX_ITEMS:
        out.counts["parse_failures"] += 1
        return out
    seen: set[str] = set()
    for obj in raw:
        if task != "stance":
            item = _mention(obj, task)
        else:
            item = None
            cid = obj.get("claim_id") if isinstance(obj, dict) else None
            label = (_text(obj, "label") or "").lower() if isinstance(obj, dict) else ""
            evidence = obj.get("evidence", []) if isinstance(obj, dict) else None
            if isinstance(cid, str) and cid in claim_ids and cid not in seen and label in STANCE_LABELS and isinstance(evidence, list):
                seen.add(cid)
                quotes = [_quote(e) for e in evidence]
                out.counts["invalid_items"] += sum(q is None for q in quotes)
                item = ClaimAnswer(cid, label, tuple(q for q in quotes if q is not None))
        if item is None:
            out.counts["invalid_items"] += 1
        else:
            out.items.append(item)
    return out
