"""The openai family against a real HTTP server on 127.0.0.1 with scripted answers (no network).

Each test starts ``tests.fixtures.ScriptedServer`` (POST /v1/chat/completions) and points
the extractor at it with ``base_url``; ``llm_cache`` gives every test an empty cache folder.
"""

import json
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from baselines.llm.extractor import OpenAIChatExtractor
from bench.extractors import ExtractorError, load_extractor
from bench.types import Claim, Document
from tests import fixtures as sd
from tests.fixtures import Reply, ScriptedServer, completion, gold_answer

pytest.importorskip("openai")
pytestmark = pytest.mark.usefixtures("llm_cache")

TEXT = "Paris met Lyon. Later, Paris and Lyon met again in Paris."
DOC = Document("n1", TEXT, "2024-05-07")


def extractor(server, **opts):
    opts = {"max_retries": "0", "timeout": "10", **opts}
    return OpenAIChatExtractor("scripted", base_url=server.base_url, **opts)


def entities_answer(*items):
    return json.dumps({"entities": [dict(zip(("text", "label", "context"), it)) for it in items]})


def test_structured_output_is_requested_and_used():
    with ScriptedServer(lambda r, n: entities_answer(("Paris", "GPE", ""), ("Lyon", "GPE", ""))) as srv:
        ex = extractor(srv, tasks="entities", seed="7", max_tokens="500")
        (ann,) = ex.extract_batch([DOC], [])
    request = srv.requests[0]
    assert request["model"] == "scripted" and request["temperature"] == 0 and request["seed"] == 7
    assert request["max_tokens"] == 500
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["entities"]
    assert [(e.start, e.end, e.label) for e in ann.entities] == [(0, 5, "GPE"), (10, 14, "GPE")]
    assert ann.timexes is None and ann.stances is None  # tasks=entities: other layers not attempted
    assert ex.diagnostics()["entities.unaligned"] == 0


def test_a_server_without_structured_output_is_asked_again_in_plain_text():
    def script(request, n):
        if "response_format" in request:
            return Reply({"error": {"message": "response_format is not supported"}}, 400)
        return ('Here are the entities:\n```json\n{"entities": [{"text": "Lyon", "label": "GPE", '
                '"context": "Paris met Lyon."}]}\n```')

    with ScriptedServer(script) as srv:
        (ann,) = extractor(srv, tasks="entities").extract_batch([DOC], [])
        assert [e.text for e in ann.entities] == ["Lyon"] and ann.entities[0].start == 10
        assert len(srv.requests) == 2 and "response_format" not in srv.requests[1]
        (again,) = extractor(srv, tasks="entities").extract_batch([DOC], [])
        assert again == ann and len(srv.requests) == 2  # the rejection is cached too: nothing sent
        with pytest.raises(ExtractorError, match=r"n1 entities: HTTP 400: .*response_format is not supported"):
            extractor(srv, tasks="entities", structured="json_schema", cache="false").extract_batch([DOC], [])


def test_structured_none_sends_no_schema():
    with ScriptedServer(lambda r, n: entities_answer(("Paris", "GPE", ""))) as srv:
        extractor(srv, tasks="entities", structured="none").extract_batch([DOC], [])
    assert "response_format" not in srv.requests[0]


def test_malformed_json_is_a_counted_parse_failure():
    def script(request, n):
        task = sd.chat_task(request)
        return '{"entities": [{"text": "Paris", "label": "GPE"' if task == "entities" else gold_answer(request)

    with ScriptedServer(script) as srv:
        ex = extractor(srv)
        (ann,) = ex.extract_batch([Document("d", sd.TEXTS["doc000"], "2024-05-05")], [Claim("C01", "x")])
    assert ann.entities == () and len(ann.timexes) == 2  # the other tasks are unaffected
    d = ex.diagnostics()
    assert d["entities.parse_failures"] == 1 and d["timex.parse_failures"] == 0 and d["entities.prompts"] == 1


def test_a_truncated_answer_is_counted():
    with ScriptedServer(lambda r, n: Reply(completion('{"entities": [', finish_reason="length"))) as srv:
        ex = extractor(srv, tasks="entities")
        ex.extract_batch([DOC], [])
    assert ex.diagnostics()["entities.truncated"] == 1 and ex.diagnostics()["entities.parse_failures"] == 1


def test_a_429_is_retried_by_the_client_then_succeeds():
    def script(request, n):
        if n == 0:
            return Reply({"error": {"message": "slow down"}}, 429, {"retry-after-ms": "10"})
        return entities_answer(("Paris", "GPE", ""))

    with ScriptedServer(script) as srv:
        (ann,) = extractor(srv, tasks="entities", max_retries="2").extract_batch([DOC], [])
    assert len(srv.requests) == 2 and [e.text for e in ann.entities] == ["Paris"]


def test_a_5xx_after_all_retries_stops_the_run_with_one_line():
    with ScriptedServer(lambda r, n: Reply({"error": {"message": "boom"}}, 503, {"retry-after-ms": "1"})) as srv:
        with pytest.raises(ExtractorError) as err:
            extractor(srv, tasks="entities", max_retries="2").extract_batch([DOC], [])
    assert len(srv.requests) == 3  # one try and two retries
    msg = str(err.value)
    assert "\n" not in msg and "n1 entities: HTTP 503" in msg and "after 2 retries" in msg and "on_error=skip" in msg


def test_on_error_skip_counts_the_failed_request_and_goes_on():
    def script(request, n):
        if sd.chat_task(request) == "timex":
            return Reply({"error": {"message": "boom"}}, 500)
        return gold_answer(request)

    with ScriptedServer(script) as srv:
        ex = extractor(srv, tasks="entities,timex", on_error="skip")
        (ann,) = ex.extract_batch([Document("d", sd.TEXTS["doc000"], "2024-05-05")], [])
    assert len(ann.entities) == 4 and ann.timexes == ()
    assert ex.diagnostics()["request_failures"] == 1


def test_a_timeout_is_retried_and_then_a_one_line_error():
    def slow_once(request, n):
        return Reply(completion(entities_answer(("Lyon", "GPE", ""))), delay=2.0 if n == 0 else 0.0)

    with ScriptedServer(slow_once) as srv:
        (ann,) = extractor(srv, tasks="entities", timeout="0.3", max_retries="1").extract_batch([DOC], [])
    assert [e.text for e in ann.entities] == ["Lyon"] and len(srv.requests) == 2

    with ScriptedServer(lambda r, n: Reply(completion("{}"), delay=2.0)) as srv:
        with pytest.raises(ExtractorError, match=r"n1 entities: no answer within timeout=0.3 s after 0 retries"):
            extractor(srv, tasks="entities", timeout="0.3").extract_batch([DOC], [])


def test_strings_that_occur_twice_and_strings_that_do_not_occur():
    answer = entities_answer(("Paris", "GPE", ""), ("Paris", "GPE", ""), ("Lyon", "GPE", "Paris and Lyon met again"),
                             ("Berlin", "GPE", ""), ("Paris", "GPE", ""), ("Paris", "GPE", ""))
    with ScriptedServer(lambda r, n: answer) as srv:
        ex = extractor(srv, tasks="entities")
        (ann,) = ex.extract_batch([DOC], [])
    paris = [i for i in range(len(TEXT)) if TEXT.startswith("Paris", i)]
    lyon2 = TEXT.index("Lyon", 20)
    assert [(e.start, e.text) for e in ann.entities] == sorted(
        [(paris[0], "Paris"), (paris[1], "Paris"), (lyon2, "Lyon"), (paris[2], "Paris")])
    d = ex.diagnostics()
    assert d["entities.unaligned"] == 2  # Berlin (absent) and a fourth Paris (there are three)


def test_invalid_labels_and_values_are_counted_not_used():
    def script(request, n):
        if sd.chat_task(request) == "entities":
            return entities_answer(("Paris", "CITY", ""), ("Lyon", "GPE", ""))
        return json.dumps({"timexes": [{"text": "Paris", "type": "DATE", "value": "yesterday", "context": ""}]})

    with ScriptedServer(script) as srv:
        ex = extractor(srv, tasks="entities,timex")
        (ann,) = ex.extract_batch([DOC], [])
    assert [e.text for e in ann.entities] == ["Lyon"] and ann.timexes == ()
    assert ex.diagnostics()["entities.invalid_items"] == 1 and ex.diagnostics()["timex.invalid_items"] == 1


def test_a_second_run_is_served_entirely_from_the_cache(synth_corpus):
    with ScriptedServer(lambda r, n: gold_answer(r)) as srv:
        rec1, _, timings1 = sd.evaluate_extractor(extractor(srv), synth_corpus)
        sent = len(srv.requests)
        assert sent == 9 and timings1["llm_requests_sent"] == 9 and timings1["llm_prompt_tokens"] == 900
        rec2, _, timings2 = sd.evaluate_extractor(extractor(srv), synth_corpus)
        assert len(srv.requests) == sent  # the server saw no request
        assert timings2["llm_requests_sent"] == 0 and timings2["llm_cache_hits"] == 9
        assert timings2["llm_cached_prompt_tokens"] == 900 and timings2["llm_cached_completion_tokens"] == 180
        assert rec2 == rec1
        sd.evaluate_extractor(extractor(srv, cache="false"), synth_corpus)
        assert len(srv.requests) == 2 * sent  # cache=false asks again


def test_the_concurrency_bound_is_never_exceeded(synth_corpus):
    with ScriptedServer(lambda r, n: Reply(completion(gold_answer(r)), delay=0.3)) as srv:
        sd.evaluate_extractor(extractor(srv, max_concurrency="2"), synth_corpus)
    assert len(srv.requests) == 9 and srv.max_in_flight == 2


def test_answers_arrive_in_any_order_predictions_do_not_change(synth_corpus):
    import random

    rng = random.Random(0)
    with ScriptedServer(lambda r, n: Reply(completion(gold_answer(r)), delay=rng.random() * 0.05)) as srv:
        slow, _, _ = sd.evaluate_extractor(extractor(srv, max_concurrency="8", cache="false"), synth_corpus)
        serial, _, _ = sd.evaluate_extractor(extractor(srv, max_concurrency="1", cache="false"), synth_corpus)
    assert slow == serial


def test_long_documents_are_chunked_and_offsets_mapped_back():
    text = " ".join(f"Delegates from Paris met Lyon officials on day {i}." for i in range(12))

    def script(request, n):
        chunk = sd.chat_text(request)
        assert chunk in text and len(chunk) < len(text)
        return entities_answer(*[("Paris", "GPE", "")] * chunk.count("Paris"))

    with ScriptedServer(script) as srv:
        ex = extractor(srv, tasks="entities", chunk_tokens="60")
        (ann,) = ex.extract_batch([Document("long", text)], [])
    assert len(srv.requests) > 1 and ex.diagnostics()["entities.prompts"] == len(srv.requests)
    assert [e.start for e in ann.entities] == [i for i in range(len(text)) if text.startswith("Paris", i)]
    assert all(text[e.start:e.end] == "Paris" for e in ann.entities)


def test_a_non_chat_answer_is_a_one_line_error():
    with ScriptedServer(lambda r, n: Reply({"hello": "world"})) as srv:
        with pytest.raises(ExtractorError, match=r"the server's answer is not a chat completion: .*hello"):
            extractor(srv, tasks="entities").extract_batch([DOC], [])


def test_config_names_template_model_and_sampling_never_a_key_or_url(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    ex = load_extractor("openai:my-model", base_url="http://127.0.0.1:9/v1", temperature="0.5", seed="3")
    cfg = ex.config()
    assert ex.name == "openai:my-model" and ex.tasks == frozenset({"entities", "timex", "stance"})
    assert cfg["model"] == "my-model" and cfg["template"] == "kursk-ie@1" and len(cfg["template_sha256"]) == 16
    assert cfg["temperature"] == "0.5" and cfg["seed"] == "3" and cfg["alignment"] == "align-v1"
    assert "sk-secret" not in json.dumps(cfg) and "127.0.0.1" not in json.dumps(cfg)


def test_an_api_key_in_model_args_is_refused_and_unknown_options_listed():
    with pytest.raises(ExtractorError, match=r"do not pass api_key in --model-args .*\$OPENAI_API_KEY"):
        load_extractor("openai:m", api_key="sk-x")
    with pytest.raises(ExtractorError, match=r"takes no option 'temprature'; it takes: .*temperature"):
        load_extractor("openai:m", temprature="0")


def test_the_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-from-env")
    with ScriptedServer(lambda r, n: entities_answer()) as srv:
        extractor(srv, tasks="entities", api_key_env="MY_KEY").extract_batch([DOC], [])
        extractor(srv, tasks="entities", cache="false").extract_batch([DOC], [])  # $OPENAI_API_KEY unset
    assert srv.auth == ["Bearer sk-from-env", "Bearer EMPTY"]


def test_loading_the_family_imports_no_client():
    code = ("import sys; from bench.extractors import load_extractor; load_extractor('openai:m'); "
            "print('openai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


# ---- end to end through the command line ----------------------------------------------------

def _flawed_answer(request):
    """The gold answer with a wrong label, a string not in the text and a repeated string."""
    answer = json.loads(gold_answer(request))
    if "entities" in answer and answer["entities"]:
        answer["entities"][0]["label"] = "ORG"
        answer["entities"] += [{"text": "Atlantis", "label": "GPE", "context": ""}, dict(answer["entities"][-1])]
    if "stances" in answer:
        for s in answer["stances"]:
            if s["label"] == "discuss":
                s["label"] = "support"
    return json.dumps(answer)


def _as_prediction_rows(answers_by_doc):
    """The scripted answers written as a predictions file by hand (first occurrence per string)."""
    rows = []
    for doc, text in sd.TEXTS.items():
        a = answers_by_doc[doc]
        ents, seen = [], set()
        for e in a["entities"]:
            i = text.find(e["text"])
            if i < 0 or (i, e["text"]) in seen:
                continue  # not in the text, or listed again: unaligned
            seen.add((i, e["text"]))
            ents.append({"start": i, "end": i + len(e["text"]), "label": e["label"], "text": e["text"]})
        tmx = [{"start": text.index(t["text"]), "end": text.index(t["text"]) + len(t["text"]), "type": t["type"],
                "value": t["value"], "text": t["text"]} for t in a["timexes"]]
        sts = [{"claim_id": s["claim_id"], "label": s["label"],
                "evidence": [{"start": text.index(q["quote"]), "end": text.index(q["quote"]) + len(q["quote"]),
                              "holder": q["holder"], "polarity": q["polarity"], "text": q["quote"]}
                             for q in s["evidence"]]} for s in a["stances"]]
        rows.append({"doc_id": doc, "entities": ents, "timexes": tmx, "stances": sts})
    return rows


def test_bench_evaluate_openai_equals_scoring_the_same_answers_as_a_file(tmp_path, synth_dataset):
    from bench.cli import app

    answers: dict[str, dict] = {}

    def script(request, n):
        out = _flawed_answer(request)
        doc = next(d for d, t in sd.TEXTS.items() if sd.chat_text(request) in t)
        answers.setdefault(doc, {}).update(json.loads(out))
        return out

    run = CliRunner()
    with ScriptedServer(script) as srv:
        args = f"base_url={srv.base_url},temperature=0,seed=1,max_concurrency=3,timeout=10,template=kursk-ie@1"
        res = run.invoke(app, ["evaluate", "--model", "openai:scripted", "--model-args", args, "--dataset",
                               str(synth_dataset), "-o", str(tmp_path / "llm.json"), "--resamples", "50", "-q",
                               "--save-predictions", str(tmp_path / "llm.jsonl")])
        assert res.exit_code == 0, res.output
        assert "diagnostics" in res.stdout and "entities: " in res.stdout and "unaligned 6" in res.stdout
        first = len(srv.requests)
        (tmp_path / "rerun").mkdir()
        again = run.invoke(app, ["evaluate", "--from-result", str(tmp_path / "llm.json"), "--dataset",
                                 str(synth_dataset), "-o", str(tmp_path / "rerun" / "llm.json"), "-q"])
        assert again.exit_code == 0, again.output
        assert len(srv.requests) == first  # served from the cache
    for name in ("llm.json", "llm.counts.parquet"):  # byte-identical (counts.parquet: the v3 sidecar, if any)
        if (tmp_path / name).exists():
            assert (tmp_path / "rerun" / name).read_bytes() == (tmp_path / name).read_bytes()

    pred = tmp_path / "by_hand.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in _as_prediction_rows(answers)), encoding="utf-8")
    res = run.invoke(app, ["evaluate", "--predictions", str(pred), "--dataset", str(synth_dataset), "-o",
                           str(tmp_path / "file.json"), "--resamples", "50", "-q"])
    assert res.exit_code == 0, res.output
    llm, file = (json.loads((tmp_path / n).read_text()) for n in ("llm.json", "file.json"))
    assert llm["tasks"] == file["tasks"]
    assert llm["extractor"]["name"] == "openai:scripted" and llm["run"]["model"] == "openai:scripted"
    assert llm["run"]["model_args"]["seed"] == "1" and llm["extractor"]["config"]["template"] == "kursk-ie@1"
    assert llm["diagnostics"]["entities.unaligned"] == 6 and llm["diagnostics"]["entities.parse_failures"] == 0
    timings = json.loads((tmp_path / "llm.timings.json").read_text())
    assert timings["llm_requests_sent"] == 9 and timings["llm_prompt_tokens"] == 900

    from bench.report import report_command

    page, _ = report_command(tmp_path / "llm.json", tmp_path / "llm.jsonl", str(synth_dataset), tmp_path / "r.html")
    assert "Extractor diagnostics" in page.read_text() and "entities.unaligned: 6" in page.read_text()


def test_bench_predict_with_openai_prints_the_diagnostics(tmp_path):
    from bench.cli import app

    inp = tmp_path / "docs.jsonl"
    inp.write_text(json.dumps({"doc_id": "n1", "text": TEXT}) + "\n")
    with ScriptedServer(lambda r, n: entities_answer(("Paris", "GPE", ""), ("Rome", "GPE", ""))) as srv:
        res = CliRunner().invoke(app, ["predict", "--model", "openai:scripted", "--model-args",
                                       f"base_url={srv.base_url},tasks=entities,max_retries=0",
                                       "--input", str(inp), "--output", str(tmp_path / "p.jsonl")])
    assert res.exit_code == 0, res.output
    assert "entities.unaligned 1" in res.output
    rows = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert rows[0] == {"label_scheme": "ontonotes"} and rows[1]["entities"][0]["text"] == "Paris"


def test_an_unreachable_server_is_one_line(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    t0 = time.perf_counter()
    with pytest.raises(ExtractorError, match=rf"cannot reach http://127.0.0.1:{port}/v1 after 0 retries"):
        OpenAIChatExtractor("m", base_url=f"http://127.0.0.1:{port}/v1", max_retries="0",
                            tasks="entities").extract_batch([DOC], [])
    assert time.perf_counter() - t0 < 30


def test_shards_merge_into_the_unsharded_result_diagnostics_included(tmp_path, synth_dataset):
    from bench.cli import app

    run = CliRunner()
    with ScriptedServer(lambda r, n: _flawed_answer(r)) as srv:
        base = ["--model", "openai:scripted", "--model-args", f"base_url={srv.base_url}", "--dataset",
                str(synth_dataset), "--resamples", "30", "-q"]
        for args in (["-o", str(tmp_path / "whole" / "r.json")],
                     ["--shard", "0/2", "-o", str(tmp_path / "s0.json")], ["--shard", "1/2", "-o", str(tmp_path / "s1.json")]):
            res = run.invoke(app, ["evaluate", *base, *args])
            assert res.exit_code == 0, res.output
    res = run.invoke(app, ["merge-results", str(tmp_path / "s0.json"), str(tmp_path / "s1.json"), "-o",
                           str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    merged, whole = (json.loads(p.read_text()) for p in (tmp_path / "r.json", tmp_path / "whole" / "r.json"))
    assert merged["diagnostics"] == whole["diagnostics"] and whole["diagnostics"]["entities.unaligned"] == 6
    assert (tmp_path / "r.json").read_bytes() == (tmp_path / "whole" / "r.json").read_bytes()
