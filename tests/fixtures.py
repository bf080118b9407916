"""The tests' one fixtures module: invented corpora and small extractors.

* The *synthetic* corpus (three short texts with complete gold) stands in for the real
  annotations, which the tests never read; `conftest.py` builds dataset folders from it.
* The *toy* corpus (two texts, an in-memory GoldCorpus) has hand-known errors in its
  predictions, for the leaderboard, report and browser tests.
* The extractors (`--model tests.fixtures:Name`) read no gold files: PerfectExtractor
  knows the answers for the synthetic texts (found by exact text), ToyExtractor replays
  the toy predictions, the others are simple rules.
* ``evaluate_extractor`` / ``evaluate_file``: the runner's scoring on in-memory corpora.

Texts contain non-ASCII characters (em dash, curly quotes, é) before annotated spans,
so code-point and byte offsets differ.  Offsets are found with str.index on the exact
text and a few are pinned by hand in the tests.
"""

from __future__ import annotations

import hashlib
import json as _json
import re
from collections.abc import Sequence
from pathlib import Path

from bench.types import Annotations, Claim, Document, Entity, Evidence, GoldCorpus, Stance, Timex

# ---- the synthetic corpus ----------------------------------------------------------

TEXTS: dict[str, str] = {
    "doc000": (
        "PARIS — Marie Durand met officials from Renault in Paris on 5 May 2024.\n"
        "She said the plant’s closure was “not planned”. Talks lasted three days.\n"
    ),
    "doc001": (
        "Café owners in Lyon denied on Monday that Renault would close the plant.\n"
        "The French government expects a decision every week.\n"
    ),
    "doc002": "A short note about the weather in Lisbon.\n",
}
FILES = {"doc000": "000_alpha.txt", "doc001": "001_beta.txt", "doc002": "002_gamma.txt"}
DCT = {"doc000": "2024-05-05", "doc001": "2024-05-07", "doc002": None}
OUTLET = {"doc000": "Le Test", "doc001": None, "doc002": None}

CLAIMS = (("C01", "Renault will close its plant."), ("C02", "Talks lasted several days."))

KB = (
    ("french", "French", "NORP"),
    ("lisbon", "Lisbon", "GPE"),
    ("lyon", "Lyon", "GPE"),
    ("marie-durand", "Marie Durand", "PERSON"),
    ("paris", "Paris", "GPE"),
    ("renault", "Renault", "ORG"),
)

# (doc, surface, occurrence index, label, entity_id)
_ENTITIES = (
    ("doc000", "PARIS", 0, "GPE", "paris"),
    ("doc000", "Marie Durand", 0, "PERSON", "marie-durand"),
    ("doc000", "Renault", 0, "ORG", "renault"),
    ("doc000", "Paris", 0, "GPE", "paris"),
    ("doc001", "Lyon", 0, "GPE", "lyon"),
    ("doc001", "Renault", 0, "ORG", "renault"),
    ("doc001", "French", 0, "NORP", "french"),
    ("doc002", "Lisbon", 0, "GPE", "lisbon"),
)
_TIMEXES = (
    ("doc000", "5 May 2024", "DATE", "2024-05-05"),
    ("doc000", "three days", "DURATION", "P3D"),
    ("doc001", "Monday", "DATE", "2024-05-06"),
    ("doc001", "every week", "SET", "P1W"),
)
# (doc, claim, label, [(surface, holder, polarity)])
_STANCES = (
    ("doc000", "C01", "refute", [("She said the plant’s closure was “not planned”.", "marie-durand", "denies")]),
    ("doc000", "C02", "support", [("Talks lasted three days.", "author", "asserts")]),
    ("doc001", "C01", "discuss",
     [("Café owners in Lyon denied on Monday that Renault would close the plant.", "author", "doubts")]),
    ("doc001", "C02", "unrelated", []),
    ("doc002", "C01", "unrelated", []),
    ("doc002", "C02", "unrelated", []),
)


def _find(doc: str, surface: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXTS[doc].index(surface, start + 1)
    return start, start + len(surface)


def sha256(doc: str) -> str:
    return hashlib.sha256(TEXTS[doc].encode("utf-8")).hexdigest()


def documents_rows() -> list[dict]:
    return [{"doc_id": d, "file": FILES[d], "sha256": sha256(d), "outlet": OUTLET[d], "dct": DCT[d],
             "dct_source": "invented for tests"} for d in TEXTS]


def claims_rows() -> list[dict]:
    return [{"claim_id": c, "text": t} for c, t in CLAIMS]


def kb_rows() -> list[dict]:
    return [{"entity_id": e, "name": n, "label": lab} for e, n, lab in KB]


def entity_rows() -> list[dict]:
    rows = []
    for doc, surface, occ, label, eid in _ENTITIES:
        s, e = _find(doc, surface, occ)
        rows.append({"doc_id": doc, "start": s, "end": e, "label": label, "entity_id": eid, "text": surface})
    return sorted(rows, key=lambda r: (r["doc_id"], r["start"]))


def timex_rows() -> list[dict]:
    rows = []
    for doc, surface, typ, value in _TIMEXES:
        s, e = _find(doc, surface)
        rows.append({"doc_id": doc, "start": s, "end": e, "type": typ, "value": value, "text": surface})
    return sorted(rows, key=lambda r: (r["doc_id"], r["start"]))


def stance_rows() -> list[dict]:
    rows = []
    for doc, claim, label, evidence in _STANCES:
        ev = []
        for surface, holder, polarity in evidence:
            s, e = _find(doc, surface)
            ev.append({"start": s, "end": e, "holder": holder, "polarity": polarity, "text": surface})
        rows.append({"doc_id": doc, "claim_id": claim, "label": label, "evidence": ev})
    return rows


def prediction_rows() -> list[dict]:
    """The gold itself in the prediction format (a perfect system)."""
    out = []
    for doc in TEXTS:
        out.append({
            "doc_id": doc,
            "entities": [{k: r[k] for k in ("start", "end", "label", "text")}
                         for r in entity_rows() if r["doc_id"] == doc],
            "timexes": [{k: r[k] for k in ("start", "end", "type", "value", "text")}
                        for r in timex_rows() if r["doc_id"] == doc],
            "stances": [{"claim_id": r["claim_id"], "label": r["label"], "evidence": r["evidence"]}
                        for r in stance_rows() if r["doc_id"] == doc],
        })
    return out


# ---- the toy corpus ----------------------------------------------------------------

D1 = "Kim Jong Un met Putin in Moscow on Monday. The DPRK army fought in Kursk <region> last year."
D2 = "Ukraine denied it. Zelensky spoke in Kyiv on 5 May 2025 about the Kursk operation."
TOY_CLAIMS = (Claim("C1", "North Korean troops fought in Kursk."), Claim("C2", "Russia retook Kursk."))


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
CORPUS = GoldCorpus((Document("d1", D1, "2025-04-29"), Document("d2", D2, "2025-05-06")), GOLD, TOY_CLAIMS,
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

    def extract(self, doc: Document, claims) -> Annotations:
        g = {a.doc_id: a for a in GOLD}[doc.doc_id]
        conv = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG"}
        return Annotations(doc.doc_id, tuple(Entity(e.start, e.end, conv[e.label], e.text) for e in g.entities[:-1]),
                           None, None)

    def config(self) -> dict[str, str]:
        return {}


# ---- the toy corpus as a dataset folder --------------------------------------------

def toy_dataset_dir(root):
    """The toy CORPUS as a dataset folder in the package's format (every pair with a stance)."""
    (root / "documents").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "stance").mkdir()
    with open(root / "documents/test.jsonl", "w") as fh:
        for d, g in zip(CORPUS.documents, CORPUS.gold):
            fh.write(_json.dumps({"doc_id": d.doc_id, "text": d.text, "dct": d.dct,
                                 "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text}
                                              for e in g.entities],
                                 "timexes": [{"start": t.start, "end": t.end, "type": t.type, "value": t.value,
                                              "text": t.text} for t in g.timexes]}) + "\n")
    (root / "claims/test.jsonl").write_text("".join(_json.dumps({"claim_id": c.claim_id, "text": c.text}) + "\n"
                                                    for c in CORPUS.claims))
    def rows(g):  # every (document, claim) pair has a gold stance; the toy gold leaves out "unrelated"
        given = {s.claim_id: s for s in g.stances}
        for c in CORPUS.claims:
            s = given.get(c.claim_id)
            yield {"doc_id": g.doc_id, "claim_id": c.claim_id, "label": s.label if s else "unrelated",
                   "evidence": [{"start": e.start, "end": e.end, "holder": e.holder, "polarity": e.polarity,
                                 "text": e.text} for e in (s.evidence if s else ())]}

    (root / "stance/test.jsonl").write_text("".join(_json.dumps(r) + "\n" for g in CORPUS.gold for r in rows(g)))
    return root


# ---- extractors ------------------------------------------------------------------

class PerfectExtractor:
    """Returns the synthetic gold for a known text, nothing for any other text."""

    name = "perfect"
    version = "1.0"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        known = next((d for d, t in TEXTS.items() if t == doc.text), None)
        ents = tuple(Entity(r["start"], r["end"], r["label"], r["text"])
                     for r in entity_rows() if r["doc_id"] == known)
        tmx = tuple(Timex(r["start"], r["end"], r["type"], r["value"], r["text"])
                    for r in timex_rows() if r["doc_id"] == known)
        wanted = {c.claim_id for c in claims}
        sts = tuple(
            Stance(r["claim_id"], r["label"], tuple(Evidence(**e) for e in r["evidence"]))
            for r in stance_rows() if r["doc_id"] == known and r["claim_id"] in wanted
        )
        return Annotations(doc.doc_id, ents, tmx, sts)

    def config(self) -> dict[str, str]:
        return {"source": "synthetic"}


class CapitalisedExtractor:
    """Every capitalised word is a PERSON; every claim is unrelated.  Entities + stance only."""

    name = "capitalised"
    version = "0.1"
    tasks = frozenset({"entities", "stance"})
    label_scheme = "ontonotes"

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        ents = tuple(Entity(m.start(), m.end(), "PERSON", m.group()) for m in re.finditer(r"\b[A-Z][a-z]+\b", doc.text))
        return Annotations(doc.doc_id, ents, None, tuple(Stance(c.claim_id, "unrelated") for c in claims))

    def config(self) -> dict[str, str]:
        return {}


class WrongDocExtractor(PerfectExtractor):
    """Returns predictions under another document id (a broken extractor)."""

    name = "wrong-doc"

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        return Annotations(doc.doc_id + "x", (), (), ())


class NotAnExtractor:
    """Lacks every attribute of the protocol."""


# ---- scoring in-memory corpora through the runner -------------------------------------

def run_info(dataset: str = "test", seed: int = 1, n_resamples: int = 20, partial: bool = False):
    from bench.results import RunInfo

    return RunInfo(None, (), None, dataset, seed, n_resamples, partial)


def evaluate_extractor(extractor, corpus, dataset: str = "test", seed: int = 1, n_resamples: int = 20):
    """(record, predictions, timings) of an extractor object on an in-memory corpus."""
    from bench.runner import score_extractor

    out = score_extractor(extractor, corpus, run_info(dataset, seed, n_resamples))
    return out.record, out.predictions, out.timings


def evaluate_file(path, corpus, dataset: str = "test", seed: int = 1, n_resamples: int = 20, partial: bool = False,
                  label_scheme: str | None = None, name: str | None = None):
    """(record, timings) of a predictions file on an in-memory corpus."""
    from bench.runner import score_file

    out = score_file(Path(path), corpus, run_info(dataset, seed, n_resamples, partial), label_scheme, name)
    return out.record, out.timings


class DriftedToy(ToyExtractor):
    """ToyExtractor with one changed timex value: a committed run of "toy" goes stale."""

    def __init__(self) -> None:
        super().__init__(drift=True)


# ---- a scripted OpenAI-compatible server (the openai extractor family's tests) --------

class Reply:
    """One scripted HTTP answer: a status, a JSON (dict) or raw (str) body, headers and a delay."""

    def __init__(self, body: object = None, status: int = 200, headers: dict | None = None, delay: float = 0.0):
        self.body, self.status, self.headers, self.delay = body, status, dict(headers or {}), delay


def completion(content: str | None, finish_reason: str = "stop", prompt_tokens: int = 100,
               completion_tokens: int = 20) -> dict:
    """A chat-completions body whose message is ``content``."""
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def chat_task(request: dict) -> str:
    """Which task a chat request asks for (from its system prompt's answer format)."""
    system = request["messages"][0]["content"]
    return next(t for t, key in (("entities", '{"entities"'), ("timex", '{"timexes"'), ("stance", '{"stances"'))
                if key in system)


def chat_text(request: dict) -> str:
    """The document text (or chunk) a chat request carries between <<< and >>>."""
    user = request["messages"][-1]["content"]
    return user[user.index("<<<\n") + 4:user.rindex("\n>>>")]


class ScriptedServer:
    """``POST /v1/chat/completions`` on 127.0.0.1 (a free port), answered by ``script(request, n)``
    (n = 0, 1, ... in arrival order), which returns a Reply, a dict body or a message string.
    Records every request body and the most requests it ever held at once."""

    def __init__(self, script):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.script, self.requests, self.in_flight, self.max_in_flight = script, [], 0, 0
        self.auth: list[str | None] = []  # each request's Authorization header
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v1/chat/completions":
                    return self._send(Reply({"error": {"message": "not found"}}, 404))
                request = _json.loads(body)
                with outer._lock:
                    n = len(outer.requests)
                    outer.requests.append(request)
                    outer.auth.append(self.headers.get("Authorization"))
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                try:
                    reply = outer.script(request, n)
                    if isinstance(reply, str):
                        reply = Reply(completion(reply))
                    elif isinstance(reply, dict):
                        reply = Reply(reply)
                    import time

                    time.sleep(reply.delay)
                    self._send(reply)
                finally:
                    with outer._lock:
                        outer.in_flight -= 1

            def _send(self, reply):
                data = (reply.body if isinstance(reply.body, str) else _json.dumps(reply.body)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def gold_answer(request: dict) -> str:
    """A scripted model that knows the synthetic gold: the JSON answer for the request's task and text."""
    task, text = chat_task(request), chat_text(request)
    doc = next((d for d, t in TEXTS.items() if text in t), None)
    if task == "entities":
        items = [{"text": r["text"], "label": r["label"], "context": ""} for r in entity_rows() if r["doc_id"] == doc]
        return _json.dumps({"entities": items})
    if task == "timex":
        items = [{"text": r["text"], "type": r["type"], "value": r["value"], "context": ""}
                 for r in timex_rows() if r["doc_id"] == doc]
        return _json.dumps({"timexes": items})
    stances = [{"claim_id": r["claim_id"], "label": r["label"],
                "evidence": [{"quote": e["text"], "holder": e["holder"], "polarity": e["polarity"]}
                             for e in r["evidence"]]} for r in stance_rows() if r["doc_id"] == doc]
    return _json.dumps({"stances": stances})


def table(task: str, fields=(), rows=None, units=None):
    """A CountTable for hand-made TaskResults: rows {unit: [counts]} (default: one empty document)."""
    import numpy as np

    from bench.scoring.base import CountTable

    rows = rows if rows is not None else {"d1": [0.0] * len(fields)}
    return CountTable(task, tuple(fields), tuple(rows), np.array(list(rows.values()), dtype=float).reshape(
        len(rows), len(fields)))


def sub_table(task: str, fields=(), rows=None, sub_unit: str = "sentence"):
    """The sub-unit table for hand-made TaskResults: rows {doc_id: [[counts] per sub-unit]}."""
    import numpy as np

    from bench.count_store import sub_unit_ids
    from bench.scoring.base import CountTable

    rows = rows if rows is not None else {"d1": [[0.0] * len(fields)]}
    docs = [d for d, rs in rows.items() for _ in rs]
    values = np.array([r for rs in rows.values() for r in rs], dtype=float).reshape(len(docs), len(fields))
    return CountTable(task, tuple(fields), sub_unit_ids(docs, sub_unit), values)


def write_edited(src, dst, obj) -> Path:
    """``obj`` (an edited copy of result ``src``'s JSON) written as result ``dst``, with a copy
    of ``src``'s count sidecar beside it, so only the edit differs."""
    import shutil

    from bench.results import counts_path

    Path(dst).write_text(_json.dumps(obj), encoding="utf-8")
    shutil.copyfile(counts_path(Path(src)), counts_path(Path(dst)))
    return Path(dst)


def invoke(*args):
    """The `bench` CLI run in-process with ``args`` (any objects, as strings)."""
    from typer.testing import CliRunner

    from bench.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])
