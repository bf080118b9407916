import json

import pytest

from bench.agreement import compute, render_markdown, write_report


def _write(d, name, rows):
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _ent(s, e, label, eid, doc="d1"):
    return {"doc_id": doc, "start": s, "end": e, "label": label, "entity_id": eid, "text": "x" * (e - s)}


def _tmx(doc, s, e, typ, value):
    return {"doc_id": doc, "start": s, "end": e, "type": typ, "value": value, "text": "x" * (e - s)}


def _st(doc, claim, label, *spans):
    return {"doc_id": doc, "claim_id": claim, "label": label,
            "evidence": [{"start": s, "end": e, "holder": "author", "polarity": "asserts", "text": "x" * (e - s)}
                         for s, e in spans]}


@pytest.fixture
def passes(tmp_path):
    a, b = tmp_path / "annotator_a", tmp_path / "annotator_b"
    _write(a, "entities.jsonl", [_ent(0, 5, "GPE", "paris"), _ent(8, 20, "PERSON", "marie"),
                                 _ent(40, 47, "ORG", "renault"), _ent(51, 56, "GPE", "paris")])
    _write(b, "entities.jsonl", [_ent(0, 5, "GPE", "city"), _ent(8, 20, "PERSON", "md"),
                                 _ent(40, 47, "GPE", "renault"), _ent(51, 56, "GPE", "city"),
                                 _ent(60, 70, "EVENT", "x")])
    _write(a, "timex.jsonl", [_tmx("d1", 60, 70, "DATE", "2024-05-05"), _tmx("d1", 133, 143, "DURATION", "P3D"),
                              _tmx("d2", 30, 36, "DATE", "2024-05-06")])
    _write(b, "timex.jsonl", [_tmx("d1", 60, 70, "DATE", "2024-05-05"), _tmx("d1", 133, 138, "DURATION", "P3D"),
                              _tmx("d2", 30, 36, "DATE", "2024-05-07"), _tmx("d2", 50, 60, "SET", "P1W")])
    _write(a, "stances.jsonl", [_st("d1", "C01", "refute", (72, 119)), _st("d1", "C02", "support", (120, 144)),
                                _st("d2", "C01", "unrelated"), _st("d2", "C02", "unrelated")])
    _write(b, "stances.jsonl", [_st("d1", "C01", "refute", (72, 100)), _st("d1", "C02", "discuss", (0, 50)),
                                _st("d2", "C01", "unrelated"), _st("d2", "C02", "support", (0, 10))])
    return a, b


def test_hand_computed_figures(passes):
    f = compute(*passes)["figures"]
    # entities: 4 vs 5 mentions, 3 agree on span+label, 4 on span
    assert f["entity_strict_f1"] == pytest.approx(2 * 3 / 9)
    assert f["entity_span_f1"] == pytest.approx(2 * 4 / 9)
    assert f["entity_id_consistency"] == 1.0  # paris<->city, marie<->md, renault<->renault
    assert (f["n_entities_a"], f["n_entities_b"]) == (4, 5)
    # timex: strict matches (d1,60,70) and (d2,30,36); "three" overlaps "three days"
    assert f["timex_strict_f1"] == pytest.approx(2 * 2 / 7)
    assert f["timex_relaxed_f1"] == pytest.approx(2 * 3 / 7)
    assert f["timex_value_agreement"] == 0.5 and f["timex_type_agreement"] == 1.0
    assert (f["n_timex_a"], f["n_timex_b"], f["n_timex_matched"]) == (3, 4, 2)
    # stance: agree on 2 of 4 pairs; evidence: 1 overlap among 2 + 3 spans
    assert f["stance_raw_agreement"] == 0.5 and f["n_pairs"] == 4
    assert f["evidence_overlap_f1"] == pytest.approx(2 * 1 / 5)


def test_kappa_matches_a_hand_computation(passes):
    """Labels A: refute support unrelated unrelated; B: refute discuss unrelated support.

    p_o = 2/4; marginals A (support, refute, discuss, unrelated) = 1,1,0,2 and B = 1,1,1,1, so
    p_e = (1*1 + 1*1 + 0*1 + 2*1) / 16 = 1/4 and kappa = (1/2 - 1/4) / (1 - 1/4) = 1/3.
    """
    report = compute(*passes)
    assert report["figures"]["stance_kappa"] == pytest.approx(1 / 3)
    cm = report["stance_confusion_a_rows_b_cols"]
    assert cm["refute"]["refute"] == 1 and cm["support"]["discuss"] == 1
    assert cm["unrelated"] == {"support": 1, "refute": 0, "discuss": 0, "unrelated": 1}
    assert sum(v for row in cm.values() for v in row.values()) == 4


def test_identical_passes_agree_perfectly(passes):
    a, _ = passes
    f = compute(a, a)["figures"]
    assert all(f[k] == 1.0 for k in ("entity_strict_f1", "entity_span_f1", "entity_id_consistency",
                                     "timex_strict_f1", "timex_relaxed_f1", "timex_value_agreement",
                                     "stance_kappa", "stance_raw_agreement", "evidence_overlap_f1"))


def test_id_consistency_is_symmetric_and_penalises_merged_referents(passes):
    a, b = passes
    # B gives the same id to all four shared mentions (three referents in A): only the two
    # "paris" mentions could agree, and B's cluster is larger, so no mention is consistent
    _write(b, "entities.jsonl", [_ent(s, e, "GPE", "all") for s, e in ((0, 5), (8, 20), (40, 47), (51, 56))])
    assert compute(a, b)["figures"]["entity_id_consistency"] == 0.0
    assert compute(b, a)["figures"]["entity_id_consistency"] == 0.0
    # B splits A's "paris" into two ids: the two other mentions still agree
    _write(b, "entities.jsonl", [_ent(0, 5, "GPE", "p1"), _ent(8, 20, "PERSON", "m"),
                                 _ent(40, 47, "ORG", "r"), _ent(51, 56, "GPE", "p2")])
    assert compute(a, b)["figures"]["entity_id_consistency"] == 0.5
    assert compute(b, a)["figures"]["entity_id_consistency"] == 0.5


def test_write_report_files(passes):
    root = passes[0].parent
    report = write_report(root)
    assert json.loads((root / "report.json").read_text(encoding="utf-8")) == report
    md = (root / "report.md").read_text(encoding="utf-8")
    assert md == render_markdown(report)
    assert "| stance Cohen's kappa (4 pairs) | 0.333 |" in md
    assert "| timexes (A / B / strict matches) | 3 / 4 / 2 |" in md
    assert "| unrelated | 1 | 0 | 0 | 1 |" in md
