"""The openai family's options: ``--model-args`` strings checked into one typed record.

Every option arrives as a string (the CLI) or a plain value (Python); each is checked
here and a bad one is a one-line ``ExtractorError`` naming the option.  The API key is
never an option: a key given in ``--model-args`` would be stored in the result's
``run`` block, so it is read from the environment variable ``api_key_env`` names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.extractors import ExtractorError

TASKS = ("entities", "timex", "stance")
STRUCTURED = ("auto", "json_schema", "none")
ON_ERROR = ("fail", "skip")


@dataclass(frozen=True)
class Settings:
    model: str
    base_url: str | None = None  # None: $OPENAI_BASE_URL, else the client's default endpoint
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    seed: int | None = None  # sent only when given (not every server takes one)
    max_tokens: int | None = None  # sent only when given
    max_concurrency: int = 4  # requests in flight at once
    timeout: float = 120.0  # seconds per request attempt
    max_retries: int = 4  # the client's own retries (429, 5xx, timeouts), exponential backoff
    template: str = "kursk-ie@1"
    tasks: tuple[str, ...] = TASKS
    chunk_tokens: int = 3000  # estimated tokens of document text per request (see chunks.py)
    structured: str = "auto"  # auto: json_schema, plain text where the server rejects it
    cache: bool = True
    on_error: str = "fail"  # fail: stop the run; skip: count the request and predict nothing for it


def _int(name: str, value: object, low: int, high: int) -> int:
    try:
        out = int(str(value).strip())
    except ValueError:
        raise ExtractorError(f"option {name} must be an integer, got {value!r}") from None
    if not low <= out <= high:
        raise ExtractorError(f"option {name} must be between {low} and {high}, got {out}")
    return out


def _float(name: str, value: object, low: float, high: float) -> float:
    try:
        out = float(str(value).strip())
    except ValueError:
        raise ExtractorError(f"option {name} must be a number, got {value!r}") from None
    if not math.isfinite(out) or not low <= out <= high:
        raise ExtractorError(f"option {name} must be between {low:g} and {high:g}, got {value!r}")
    return out


def _bool(name: str, value: object) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ExtractorError(f"option {name} must be true or false, got {value!r}")


def _choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    text = str(value).strip()
    if text not in choices:
        raise ExtractorError(f"option {name} must be one of {', '.join(choices)}, got {value!r}")
    return text


def _tasks(value: object) -> tuple[str, ...]:
    names = [t.strip() for t in str(value).replace("+", ",").split(",") if t.strip()]
    unknown = sorted(set(names) - set(TASKS))
    if not names or unknown:
        raise ExtractorError(f"option tasks must name some of {', '.join(TASKS)}, got {value!r}")
    return tuple(t for t in TASKS if t in names)


def settings(model: str, **options: object) -> Settings:
    """Options (None = the default) checked into Settings."""
    if not isinstance(model, str) or not model.strip() or len(model) > 200 or any(c.isspace() for c in model):
        raise ExtractorError(f"openai: the model name must be a non-empty word, got {model!r}")
    o = {k: v for k, v in options.items() if v is not None}
    d = Settings(model)
    base_url = str(o["base_url"]).strip() if "base_url" in o else None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ExtractorError(f"option base_url must be an http:// or https:// URL, got {base_url!r}")
    env = str(o.get("api_key_env", d.api_key_env)).strip()
    if not env.replace("_", "").isalnum():
        raise ExtractorError(f"option api_key_env must be an environment variable's name, got {env!r}")
    return Settings(
        model=model,
        base_url=base_url,
        api_key_env=env,
        temperature=_float("temperature", o.get("temperature", d.temperature), 0.0, 2.0),
        seed=None if o.get("seed") in (None, "", "none") else _int("seed", o["seed"], 0, 2 ** 63 - 1),
        max_tokens=None if o.get("max_tokens") in (None, "", "none") else _int("max_tokens", o["max_tokens"], 1, 10 ** 7),
        max_concurrency=_int("max_concurrency", o.get("max_concurrency", d.max_concurrency), 1, 256),
        timeout=_float("timeout", o.get("timeout", d.timeout), 0.001, 3600.0),
        max_retries=_int("max_retries", o.get("max_retries", d.max_retries), 0, 20),
        template=str(o.get("template", d.template)).strip(),
        tasks=_tasks(o.get("tasks", ",".join(d.tasks))),
        chunk_tokens=_int("chunk_tokens", o.get("chunk_tokens", d.chunk_tokens), 16, 10 ** 7),
        structured=_choice("structured", o.get("structured", d.structured), STRUCTURED),
        cache=_bool("cache", o.get("cache", d.cache)),
        on_error=_choice("on_error", o.get("on_error", d.on_error), ON_ERROR),
    )
