"""``--model openai:<model>``: any OpenAI-compatible chat-completions endpoint as an extractor.

Each (document, task, chunk) is one request (prompts: ``templates.py``; chunks:
``chunks.py``); requests run on ``max_concurrency`` threads, answers are parsed
(``answers.py``) and aligned to exact offsets (``align.py``), and the predictions are
assembled in document order, so the output does not depend on which answer arrived
first.

Stance is a document-level label: a document read in several chunks gets, per claim,
the one label its chunks other than "unrelated" agree on, "discuss" when they
disagree, "unrelated" when all say so; its evidence is every chunk's evidence.

Nothing is dropped silently: ``diagnostics()`` counts, per task, the prompts, parse
failures, invalid items, unaligned strings, ignored contexts, truncated answers and
(stance) claims an answer left out, plus failed requests; the runner stamps them on
the result and the summary prints them.  ``usage()`` (requests sent, cache hits,
tokens) goes to the timings file, which is kept apart from the byte-identical result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from baselines.llm import align, answers, chunks, options, templates
from bench.extractors import ExtractorError
from bench.types import Annotations, Claim, Document, Entity, Evidence, Stance, Timex

VERSION = "1.0.0"
# per task, in the order the summary shows them (stance quotes carry no context)
COUNTERS = {"entities": ("prompts", "parse_failures", "invalid_items", "unaligned", "context_ignored", "truncated"),
            "timex": ("prompts", "parse_failures", "invalid_items", "unaligned", "context_ignored", "truncated"),
            "stance": ("prompts", "parse_failures", "invalid_items", "unaligned", "truncated", "claims_unanswered")}


class OpenAIChatExtractor:
    """A chat model behind an OpenAI-compatible API (see baselines/llm/ and README, "Evaluating an LLM")."""

    target_arg = "model"  # a family: --model openai:<model name as the server knows it>
    version = VERSION
    tasks = frozenset(options.TASKS)  # what the family can do; tasks=... narrows one instance
    label_scheme = "ontonotes"

    def __init__(self, model: str, base_url: str | None = None, api_key_env: str | None = None,
                 temperature: str | None = None, seed: str | None = None, max_tokens: str | None = None,
                 max_concurrency: str | None = None, timeout: str | None = None, max_retries: str | None = None,
                 template: str | None = None, tasks: str | None = None, chunk_tokens: str | None = None,
                 structured: str | None = None, cache: str | None = None, on_error: str | None = None,
                 api_key: str | None = None) -> None:
        if api_key is not None:  # taken only to refuse it with the reason
            raise ExtractorError(f"do not pass api_key in --model-args (it would be stored in the result); put it "
                                 f"in ${api_key_env or 'OPENAI_API_KEY'} or name another variable with api_key_env=")
        self.settings = options.settings(
            model, base_url=base_url, api_key_env=api_key_env, temperature=temperature, seed=seed,
            max_tokens=max_tokens, max_concurrency=max_concurrency, timeout=timeout, max_retries=max_retries,
            template=template, tasks=tasks, chunk_tokens=chunk_tokens, structured=structured, cache=cache,
            on_error=on_error)
        self.templates = templates.load(self.settings.template, self.settings.tasks)
        self.name = f"openai:{model}"
        self.tasks = frozenset(self.settings.tasks)
        self._diagnostics: Counter = Counter()
        self._usage: Counter = Counter()

    # ---- what identifies a run ---------------------------------------------------------

    def config(self) -> dict[str, str]:
        """Everything that decides the answers, given the server; never a key or a path."""
        s = self.settings
        return {
            "model": s.model, "template": self.templates.spec, "template_sha256": self.templates.sha256[:16],
            "temperature": f"{s.temperature:g}", "seed": "none" if s.seed is None else str(s.seed),
            "max_tokens": "none" if s.max_tokens is None else str(s.max_tokens),
            "structured": s.structured, "chunk_tokens": str(s.chunk_tokens),
            "chunk_tokens_estimate": f"ceil(chars/{chunks.CHARS_PER_TOKEN})", "alignment": align.ALIGNMENT,
            "tasks": ",".join(s.tasks),
        }

    def diagnostics(self) -> dict[str, int]:
        out = {f"{t}.{c}": self._diagnostics[f"{t}.{c}"] for t in self.settings.tasks for c in COUNTERS[t]}
        out["request_failures"] = self._diagnostics["request_failures"]
        return out

    def usage(self) -> dict[str, float]:
        return {f"llm_{k}": float(v) for k, v in sorted(self._usage.items())}

    # ---- extraction ----------------------------------------------------------------------

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        return self.extract_batch([doc], claims)[0]

    def extract_batch(self, docs: Sequence[Document], claims: Sequence[Claim]) -> list[Annotations]:
        spans = [chunks.chunks(doc.text, self.settings.chunk_tokens) for doc in docs]  # once per document
        jobs = [(i, task, span) for i in range(len(docs)) for task in self.settings.tasks for span in spans[i]]
        replies = self._ask_all(jobs, docs, claims)
        layers: dict[tuple[int, str], list] = {}
        for (i, task, span), reply in zip(jobs, replies):
            self._diagnostics[f"{task}.prompts"] += 1
            layers.setdefault((i, task), []).append(self._read(task, docs[i].text, span, reply, claims))
        out = []
        for i, doc in enumerate(docs):
            def got(task):
                return layers.get((i, task)) if task in self.tasks else None
            ents, tmx, sts = got("entities"), got("timex"), got("stance")
            out.append(Annotations(
                doc.doc_id,
                None if ents is None else tuple(sorted(e for part in ents for e in part)),
                None if tmx is None else tuple(sorted(t for part in tmx for t in part)),
                None if sts is None else merge_stances(sts, claims)))
        return out

    def _ask_all(self, jobs, docs: Sequence[Document], claims: Sequence[Claim]) -> list:
        """One answer per job (None: a failed request under on_error=skip), in job order."""
        from baselines.llm.client import ChatClient, RequestFailed

        client = ChatClient(self.settings)

        def ask(job):
            i, task, (start, end) = job
            messages = self.templates.messages(task, docs[i].text[start:end], docs[i].dct, claims)
            try:
                return client.ask(messages, self.templates.response_format(task, claims))
            except RequestFailed as exc:
                return exc

        n_chunks = Counter((i, task) for i, task, _ in jobs)
        replies: list = []
        try:
            with ThreadPoolExecutor(max_workers=self.settings.max_concurrency) as pool:
                futures = [pool.submit(ask, job) for job in jobs]
                try:
                    for job, future in zip(jobs, futures):
                        reply = future.result()
                        if isinstance(reply, RequestFailed):
                            if self.settings.on_error == "fail":
                                i, task, span = job
                                where = f"{docs[i].doc_id} {task}" + (
                                    f" (chunk at {span[0]})" if n_chunks[(i, task)] > 1 else "")
                                raise ExtractorError(f"{self.name}: {where}: {exc_text(reply)}; answers received so "
                                                     "far are cached: run again to resume, or pass on_error=skip")
                            self._diagnostics["request_failures"] += 1
                            reply = None
                        replies.append(reply)
                except BaseException:  # a failure or Ctrl-C: start nothing more (requests in flight finish)
                    for f in futures:
                        f.cancel()
                    raise
        finally:
            self._usage.update(requests_sent=client.sent, cache_hits=client.cache_hits)
            client.close()
        for r in replies:
            if r is not None:
                prefix = "cached_" if r.cached else ""
                self._usage[prefix + "prompt_tokens"] += r.prompt_tokens
                self._usage[prefix + "completion_tokens"] += r.completion_tokens
        return replies

    def _read(self, task: str, text: str, span: tuple[int, int], reply, claims: Sequence[Claim]) -> list:
        """One answer's predictions (entities, timexes, or per-claim answers) in document offsets."""
        if reply is None:
            return []
        count = self._diagnostics
        if reply.finish_reason == "length":
            count[f"{task}.truncated"] += 1
        ids = [c.claim_id for c in claims]
        parsed = answers.parse(reply.content, task, templates.ANSWER_KEYS[task], ids)
        for k, v in parsed.counts.items():
            count[f"{task}.{k}"] += v
        start, end = span
        chunk = text[start:end]
        if task == "stance":
            answered = {a.claim_id for a in parsed.items}
            if not parsed.counts["parse_failures"]:
                count["stance.claims_unanswered"] += sum(c not in answered for c in ids)
            out = []
            for a in parsed.items:
                placed = align.place(chunk, [(q.text, None) for q in a.evidence])
                evidence = tuple(Evidence(s + start, e + start, q.holder, q.polarity, text[s + start:e + start])
                                 for q, (s, e) in _aligned(placed, a.evidence, count, task))
                out.append(Stance(a.claim_id, a.label, evidence))
            return out
        placed = align.place(chunk, [(m.text, m.context) for m in parsed.items])
        if task == "entities":
            return [Entity(s + start, e + start, m.label, text[s + start:e + start])
                    for m, (s, e) in _aligned(placed, parsed.items, count, task)]
        return [Timex(s + start, e + start, m.label, m.value, text[s + start:e + start])
                for m, (s, e) in _aligned(placed, parsed.items, count, task)]


def _aligned(placed: list, items: Sequence, count: Counter, task: str):
    """(item, span) for the items that were placed; the others counted."""
    for p, item in zip(placed, items):
        if p.span is None:
            count[f"{task}.unaligned"] += 1
            continue
        count[f"{task}.context_ignored"] += p.context_ignored
        yield item, p.span


def merge_stances(parts: list[list[Stance]], claims: Sequence[Claim]) -> tuple[Stance, ...]:
    """One stance per claim from the chunks' answers (rule in the module docstring)."""
    out = []
    for c in claims:
        mine = [s for part in parts for s in part if s.claim_id == c.claim_id]
        labels = {s.label for s in mine} - {"unrelated"}
        label = "unrelated" if not labels else labels.pop() if len(labels) == 1 else "discuss"
        evidence = tuple(sorted({e for s in mine for e in s.evidence}))
        out.append(Stance(c.claim_id, label, evidence))
    return tuple(out)


def exc_text(exc: Exception) -> str:
    return " ".join(str(exc).split())
