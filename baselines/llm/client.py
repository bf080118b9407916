"""One chat-completions call: the cache, structured output with its fallback, the client.

The official ``openai`` client (the ``llm`` extra, imported here only) talks to any
OpenAI-compatible server.  Its own retry support does the retrying: ``max_retries``
attempts more on 408/409/429/5xx and timeouts, with exponential backoff and jitter,
honouring the server's Retry-After; ``timeout`` bounds each attempt.

Structured output: with ``structured=auto`` (the default) a request first carries the
task's JSON Schema as ``response_format``; a server that rejects it (HTTP 400 or 422)
is asked again without it (the system prompt states the format either way), and the
rejection is cached like an answer, so a rerun asks nothing.  ``json_schema`` never
falls back; ``none`` never sends a schema.  Whatever comes back is parsed by the same
tolerant reader (``answers.py``): a server may accept a schema and ignore it.

The server's answer is untrusted input: anything but a chat completion with a text
message is a one-line error, and only checked answers are cached.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass

from baselines.llm.cache import ResponseCache, request_key
from baselines.llm.options import Settings
from bench.extractors import ExtractorError

INSTALL_HINT = "the openai extractors need the official client: pip install 'kursk-ie-bench[llm]'"
REJECTED = "rejected"  # cache kind: the server refused a structured request
OK = "ok"


class RequestFailed(Exception):
    """A request that failed after the client's retries (one-line message)."""


@dataclass(frozen=True)
class Answer:
    content: str | None  # the message text; None when the server sent none (a refusal, a tool call)
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cached: bool


def check_body(body: str) -> dict:
    """The parts of a chat completion this harness uses, checked; RequestFailed otherwise."""
    try:
        obj = json.loads(body)
        choice = obj["choices"][0]
        message = choice["message"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        raise RequestFailed(f"the server's answer is not a chat completion: {body[:120]!r}") from None
    content, finish = message.get("content") if isinstance(message, dict) else None, choice.get("finish_reason")
    usage = obj.get("usage") if isinstance(obj.get("usage"), dict) else {}
    tokens = [usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)]
    if not isinstance(message, dict) or not (content is None or isinstance(content, str)) \
            or not (finish is None or isinstance(finish, str)) \
            or not all(type(t) is int and t >= 0 for t in tokens):
        raise RequestFailed(f"the server's answer has a malformed message or usage: {body[:120]!r}")
    return {"content": content, "finish_reason": finish, "prompt_tokens": tokens[0], "completion_tokens": tokens[1]}


class ChatClient:
    def __init__(self, settings: Settings) -> None:
        try:
            import openai
        except ImportError:
            raise ExtractorError(INSTALL_HINT) from None
        self._openai = openai
        self.settings = settings
        # a local server needs no key; "EMPTY" is what vLLM's documentation passes
        key = os.environ.get(settings.api_key_env) or "EMPTY"
        self._client = openai.OpenAI(base_url=settings.base_url, api_key=key, timeout=settings.timeout,
                                     max_retries=settings.max_retries)
        self.endpoint = str(self._client.base_url).rstrip("/")
        try:
            self._cache = ResponseCache() if settings.cache else None
        except (sqlite3.Error, OSError) as exc:
            raise ExtractorError(f"response cache: {exc}; delete it or pass cache=false") from None
        self._lock = threading.Lock()
        self.sent = 0  # requests that reached the client (its retries not counted)
        self.cache_hits = 0

    def request(self, messages: list[dict], response_format: dict | None) -> dict:
        """The request body, exactly as sent and as keyed in the cache."""
        s = self.settings
        body: dict = {"model": s.model, "messages": messages, "temperature": s.temperature}
        if s.seed is not None:
            body["seed"] = s.seed
        if s.max_tokens is not None:
            body["max_tokens"] = s.max_tokens
        if response_format is not None:
            body["response_format"] = response_format
        return body

    def ask(self, messages: list[dict], response_format: dict) -> Answer:
        mode = self.settings.structured
        if mode != "none":
            answer = self._send(self.request(messages, response_format), may_reject=mode == "auto")
            if answer is not None:
                return answer
        answer = self._send(self.request(messages, None), may_reject=False)
        assert answer is not None
        return answer

    def _cached(self, key: str) -> tuple[str, str] | None:
        if self._cache is None:
            return None
        try:
            return self._cache.get(key)
        except sqlite3.Error as exc:
            raise ExtractorError(f"response cache {self._cache.path}: {exc}; delete it or pass cache=false") from None

    def _store(self, key: str, kind: str, body: str, request: dict) -> None:
        if self._cache is not None:
            try:
                self._cache.put(key, kind, body, self.endpoint, request)
            except sqlite3.Error as exc:
                raise ExtractorError(f"response cache {self._cache.path}: {exc}; delete it or pass cache=false") from None

    def _send(self, request: dict, may_reject: bool) -> Answer | None:
        """The answer to one request (None: a structured request the server rejected)."""
        key = request_key(self.endpoint, request)
        hit = self._cached(key)
        if hit is not None:
            with self._lock:
                self.cache_hits += 1
            kind, body = hit
            return None if kind == REJECTED else Answer(**check_body(body), cached=True)
        with self._lock:
            self.sent += 1
        o = self._openai
        try:
            raw = self._client.chat.completions.with_raw_response.create(**request)
            body = raw.http_response.content.decode("utf-8")
        except (o.BadRequestError, o.UnprocessableEntityError) as exc:
            if may_reject:
                self._store(key, REJECTED, json.dumps({"status": exc.status_code, "message": str(exc)[:500]}), request)
                return None
            raise RequestFailed(f"HTTP {exc.status_code}: {_short(exc)}") from None
        except o.AuthenticationError as exc:
            raise RequestFailed(f"HTTP {exc.status_code} from {self.endpoint}: authentication failed; "
                                f"put the key in ${self.settings.api_key_env}") from None
        except o.APITimeoutError:
            raise RequestFailed(f"no answer within timeout={self.settings.timeout:g} s after "
                                f"{self.settings.max_retries} retries") from None
        except o.APIConnectionError as exc:
            raise RequestFailed(f"cannot reach {self.endpoint} after {self.settings.max_retries} retries: "
                                f"{_short(exc)}") from None
        except o.APIStatusError as exc:
            raise RequestFailed(f"HTTP {exc.status_code} from {self.endpoint} after "
                                f"{self.settings.max_retries} retries: {_short(exc)}") from None
        except UnicodeDecodeError:
            raise RequestFailed("the server's answer is not UTF-8") from None
        answer = Answer(**check_body(body), cached=False)
        self._store(key, OK, body, request)
        return answer

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._client.close()


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
