import copy
import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.io import DataError
from bench.predictions import (
    prediction_row, read_input_documents, read_predictions, tasks_of, write_predictions,
)
from bench.types import Annotations, Entity, Evidence, Stance
from tests import fixtures as sd


def write_rows(path, rows):
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def perfect_rows():
    return copy.deepcopy(sd.prediction_rows())


def _set(rows, line, layer, index, **changes):
    rows[line - 1][layer][index].update(changes)
    return rows


def _ev(rows, line, stance_index, **changes):
    rows[line - 1]["stances"][stance_index]["evidence"][0].update(changes)
    return rows


# (case id, corruption of the perfect rows, expected message; "P" stands for the file path)
BAD = [
    ("unknown-doc", lambda r: r[1].update(doc_id="doc999") or r,
     "P:2: unknown doc_id 'doc999' (not in the dataset)"),
    ("duplicate-line", lambda r: r + [r[0]], "P:4: duplicate line for doc_id 'doc000'"),
    ("missing-doc-id", lambda r: [{k: v for k, v in r[0].items() if k != "doc_id"}] + r[1:],
     "P:1: missing field 'doc_id'"),
    ("out-of-range", lambda r: _set(r, 3, "entities", 0, end=999),
     "P:3 entity 'Lisbon': offsets [34, 999) out of range for doc002 (42 characters)"),
    ("empty-span", lambda r: _set(r, 1, "timexes", 0, end=60),
     "P:1 timex '5 May 2024': offsets [60, 60) out of range for doc000"),
    ("text-mismatch", lambda r: _set(r, 1, "entities", 1, text="Marie"),
     "P:1 entity 'Marie': text 'Marie' does not match doc000 text 'Marie Durand' at [8, 20)"),
    ("entity-label", lambda r: _set(r, 2, "entities", 0, label="CITY"),
     "P:2: unknown entity label 'CITY'; expected one of PERSON"),
    ("timex-type", lambda r: _set(r, 2, "timexes", 0, type="DAY"),
     "P:2: unknown timex type 'DAY'; expected one of DATE, TIME, DURATION, SET"),
    ("timex-value", lambda r: _set(r, 1, "timexes", 1, value="3 days"),
     "P:1: malformed TIMEX3 value '3 days' for type DURATION ('three days')"),
    ("claim-id", lambda r: _set(r, 3, "stances", 0, claim_id="C07"),
     "P:3: unknown claim_id 'C07'; known: C01, C02"),
    ("duplicate-claim", lambda r: _set(r, 3, "stances", 1, claim_id="C01"), "P:3: claim C01 predicted twice"),
    ("stance-label", lambda r: _set(r, 2, "stances", 1, label="agree"),
     "P:2: unknown stance label 'agree'; expected one of support, refute, discuss, unrelated"),
    ("polarity", lambda r: _ev(r, 1, 0, polarity="says"),
     "P:1: unknown polarity 'says'; expected one of asserts, denies, doubts"),
    ("evidence-range", lambda r: _ev(r, 2, 0, start=-1),
     "P:2 C01 evidence: offsets [-1, 72) out of range for doc001"),
    ("evidence-text", lambda r: _ev(r, 1, 1, text="Talks."),
     "P:1 C02 evidence: text 'Talks.' does not match doc000 text 'Talks lasted three days.'"),
    ("invalid-json", lambda r: [r[0], '{"doc_id": "doc001", \n', r[2]], "P:2: invalid JSON"),
    ("non-object-line", lambda r: [r[0], r[1], "[1, 2]\n"], "P:3: expected a JSON object, got list"),
    ("non-object-item", lambda r: r[1].update(entities=["Lyon"]) or r,
     "P:2: expected a JSON object in the list, got 'Lyon'"),
    ("layer-not-list", lambda r: r[0].update(timexes={"x": 1}) or r, "P:1: field 'timexes' must be list"),
    ("offset-type", lambda r: _set(r, 1, "entities", 0, start="0"),
     "P:1 entities[0]: field 'start' must be int, got '0'"),
    ("inconsistent-layers", lambda r: r[1].pop("timexes") and r,
     "P:2: layers ['entities', 'stances'] differ from earlier lines' ['entities', 'stances', 'timexes']"),
    ("empty-file", lambda r: [], "P: no predictions"),
]


@pytest.mark.parametrize("corrupt, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_predictions_name_the_line(synth_corpus, tmp_path, corrupt, expected):
    path = write_rows(tmp_path / "p.jsonl", corrupt(perfect_rows()))
    with pytest.raises(DataError) as info:
        read_predictions(path, synth_corpus)
    assert expected.replace("P", str(path), 1) in str(info.value)


@pytest.mark.parametrize("corrupt, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_cli_rejects_bad_predictions_without_touching_results(synth_dataset, tmp_path, corrupt, expected):
    path = write_rows(tmp_path / "p.jsonl", corrupt(perfect_rows()))
    out = tmp_path / "res" / "run.json"
    result = CliRunner().invoke(app, ["evaluate", "--predictions", str(path), "--dataset", str(synth_dataset),
                                      "-o", str(out), "--resamples", "5"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert expected.replace("P", str(path), 1) in result.stderr
    assert not out.parent.exists()
    # an earlier result stays byte-identical
    out.parent.mkdir()
    out.write_bytes(b'{"earlier": "r\xc3\xa9sult"}\n')
    (tmp_path / "res" / "run.timings.json").write_bytes(b"{}\n")
    again = CliRunner().invoke(app, ["evaluate", "--predictions", str(path), "--dataset", str(synth_dataset),
                                     "-o", str(out), "--resamples", "5"])
    assert again.exit_code == 2
    assert out.read_bytes() == b'{"earlier": "r\xc3\xa9sult"}\n'
    assert sorted(p.name for p in out.parent.iterdir()) == ["run.json", "run.timings.json"]


def test_missing_documents_need_partial(synth_corpus, tmp_path):
    path = write_rows(tmp_path / "p.jsonl", perfect_rows()[:2])
    with pytest.raises(DataError, match=r"missing predictions for 1 document\(s\): doc002; pass --partial"):
        read_predictions(path, synth_corpus)
    preds = read_predictions(path, synth_corpus, partial=True)
    assert [p.doc_id for p in preds] == ["doc000", "doc001"]


def test_read_aligns_with_corpus_order_and_matches_gold(synth_corpus, tmp_path):
    rows = perfect_rows()
    path = write_rows(tmp_path / "p.jsonl", [rows[2], rows[0], rows[1]])
    preds = read_predictions(path, synth_corpus)
    assert [p.doc_id for p in preds] == ["doc000", "doc001", "doc002"]
    for p, g in zip(preds, synth_corpus.gold):
        assert p.entities == tuple(Entity(e.start, e.end, e.label, e.text) for e in g.entities)
        assert p.timexes == g.timexes and p.stances == g.stances


def test_write_then_read_round_trips(synth_corpus, tmp_path):
    preds = [
        Annotations("doc000", (Entity(51, 56, "LOC", "Paris"), Entity(8, 20, "PER", "Marie Durand")), None,
                    (Stance("C02", "discuss", (Evidence(120, 144, "Talks", "doubts", "Talks lasted three days."),)),)),
        Annotations("doc001", (), None, ()),
        Annotations("doc002", (Entity(34, 40, "MISC", "Lisbon"),), None, (Stance("C01", "unrelated"),)),
    ]
    path = tmp_path / "out" / "p.jsonl"
    write_predictions(path, preds)
    back = read_predictions(path, synth_corpus)
    assert back[0].entities == tuple(sorted(preds[0].entities))  # sorted by offsets on read
    assert back[1:] == preds[1:]
    assert back[0].stances == preds[0].stances and back[0].timexes is None
    assert tasks_of(back) == frozenset({"entities", "stance"})
    assert "timexes" not in path.read_text(encoding="utf-8")
    assert prediction_row(preds[1]) == {"doc_id": "doc001", "entities": [], "stances": []}


def test_evidence_carries_its_text_like_every_other_span(synth_corpus, tmp_path):
    rows = perfect_rows()
    ev = next(ev for s in rows[0]["stances"] for ev in s["evidence"])
    del ev["text"]
    with pytest.raises(DataError, match=r"p\.jsonl:1 stances\[\d\] evidence\[0\]: missing field 'text'"):
        read_predictions(write_rows(tmp_path / "p.jsonl", rows), synth_corpus)
    ev["text"] = "x"
    with pytest.raises(DataError, match=r"p\.jsonl:1 C\d+ evidence: text 'x' does not match doc000 text"):
        read_predictions(write_rows(tmp_path / "p.jsonl", rows), synth_corpus)


def test_tasks_of_empty_and_single_layer():
    assert tasks_of([]) == frozenset()
    assert tasks_of([Annotations("d", None, (), None)]) == frozenset({"timex"})


def test_read_input_documents(tmp_path):
    path = write_rows(tmp_path / "in.jsonl", [{"doc_id": "a", "text": "Café ’s", "dct": "2024-01-02"},
                                              {"doc_id": "b", "text": "x"}])
    docs = read_input_documents(path)
    assert [(d.doc_id, d.text, d.dct) for d in docs] == [("a", "Café ’s", "2024-01-02"), ("b", "x", None)]


@pytest.mark.parametrize("rows, expected", [
    ([{"doc_id": "a", "text": "x"}, {"doc_id": "b"}], "in.jsonl:2: missing field 'text'"),
    ([{"doc_id": "a", "text": "x"}, {"doc_id": "a", "text": "y"}], "in.jsonl:2: duplicate doc_id 'a'"),
    ([{"doc_id": "a", "text": "x", "dct": 2024}], "in.jsonl:1: field 'dct' must be a real date YYYY-MM-DD"),
    ([{"doc_id": "a", "text": "x", "dct": "2025-13-45"}], "in.jsonl:1: field 'dct' must be a real date YYYY-MM-DD"),
    ([{"doc_id": "a", "text": "x", "dct": "2025-02-31"}], "in.jsonl:1: field 'dct' must be a real date YYYY-MM-DD"),
    ([{"doc_id": 1, "text": "x"}], "in.jsonl:1: field 'doc_id' must be str"),
])
def test_read_input_documents_errors(tmp_path, rows, expected):
    path = write_rows(tmp_path / "in.jsonl", rows)
    with pytest.raises(DataError, match=expected.replace(".", r"\.")):
        read_input_documents(path)


@pytest.mark.parametrize("key", ["timex", "stance", "entity"])
def test_a_misspelled_layer_is_named_not_skipped(synth_corpus, tmp_path, key):
    rows = perfect_rows()
    rows[0][key] = rows[0].pop("timexes" if key == "timex" else "stances" if key == "stance" else "entities")
    with pytest.raises(DataError, match=rf"p\.jsonl:1: unknown key\(s\) '{key}'; a line holds doc_id and any of "
                                        r"entities, timexes, stances"):
        read_predictions(write_rows(tmp_path / "p.jsonl", rows), synth_corpus)


def test_a_file_with_no_layer_at_all_is_an_error(synth_corpus, tmp_path):
    rows = [{"doc_id": r["doc_id"]} for r in perfect_rows()]
    with pytest.raises(DataError, match=r"p\.jsonl: no line holds any of entities, timexes, stances; nothing to score"):
        read_predictions(write_rows(tmp_path / "p.jsonl", rows), synth_corpus)


def test_an_absurdly_large_file_is_refused_before_reading(synth_corpus, tmp_path, monkeypatch):
    path = write_rows(tmp_path / "p.jsonl", perfect_rows())
    monkeypatch.setenv("KURSK_BENCH_MAX_INPUT_MB", "0.0001")
    with pytest.raises(DataError, match=r"p\.jsonl: 0 MB is over the input limit of 0 MB .* split it with --shard"):
        read_predictions(path, synth_corpus)
    monkeypatch.setenv("KURSK_BENCH_MAX_INPUT_MB", "1")
    assert len(read_predictions(path, synth_corpus)) == 3
