"""Polarity cue words shared by the stance baselines.

A sentence that bears on a claim is read as the holder denying it (denial cue),
reporting it with distance (distance cue or a short phrase in scare quotes), or
else asserting it.  Cues are plain English function phrases, matched on word
boundaries, case-insensitively; denial wins over distance.
"""

from __future__ import annotations

import re

DENIAL_CUES: tuple[str, ...] = (
    "denied", "denies", "deny", "denying", "denial",
    "rejected", "rejects", "refuted", "refutes", "refute",
    "dismissed", "debunked",
    "did not correspond to reality", "does not correspond to reality",
    "false", "fake", "not true", "untrue", "no truth",
    "baseless", "groundless", "fabricated", "fabrication",
)

DISTANCE_CUES: tuple[str, ...] = (
    "allegedly", "alleged", "reportedly", "purportedly", "purported",
    "supposedly", "so-called", "claims", "unverified", "unconfirmed",
)

# Verbs whose subject is the holder of the reported statement.
REPORTING_VERBS: tuple[str, ...] = (
    "said", "says", "say", "stated", "states", "claimed", "claim",
    "reported", "reports", "confirmed", "confirms", "denied", "denies",
    "noted", "notes", "acknowledged", "acknowledges", "announced", "announces",
    "added", "adds", "told", "declared", "declares", "insisted", "insists",
    "asserted", "asserts", "admitted", "admits", "wrote", "writes",
    "rejected", "rejects", "refuted", "dismissed", "accused", "accuses",
    "emphasized", "emphasised", "stressed", "revealed", "disclosed",
)


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first so multi-word cues win; the look-arounds match whole words only
    # ("false" does not fire inside "falsehood", "claims" not inside "counter-claims").
    parts = sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


DENIAL_RE = _alternation(DENIAL_CUES)
DISTANCE_RE = _alternation(DISTANCE_CUES)
REPORTING_RE = _alternation(REPORTING_VERBS)
# Scare quotes: one to three words inside quotation marks, not a full quotation.
SCARE_QUOTE_RE = re.compile(
    r"[\"“‘][^\W\d_][\w'’-]*(?:\s+[\w'’-]+){0,2}(?<=\w)[\"”’](?!\w)"
)


def polarity(sentence: str) -> str:
    """'denies', 'doubts' or 'asserts' for one evidence sentence."""
    if DENIAL_RE.search(sentence):
        return "denies"
    if DISTANCE_RE.search(sentence) or SCARE_QUOTE_RE.search(sentence):
        return "doubts"
    return "asserts"
