"""Versioned prompt templates (package data under ``templates/<name>/<version>/``).

A template set is a folder with ``template.toml`` (name, version) and, per task,
``<task>.toml`` (``system``, ``user``: the user part is a ``string.Template`` over
``$text``, ``$dct`` and ``$claims``) and ``<task>.schema.json`` (the JSON Schema of
the answer, sent as ``response_format`` and stated in the system prompt for servers
without structured output).  ``--model-args template=kursk-ie@1`` picks one; the
name@version and the sha256 of the folder's files go into the extractor's config, so
an edited template cannot pass for the old one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.extractors import ExtractorError
from bench.types import Claim

ROOT = Path(__file__).resolve().parent / "templates"
DEFAULT = "kursk-ie@1"
# the layer each task's answer holds (the answer's one top-level key)
ANSWER_KEYS = {"entities": "entities", "timex": "timexes", "stance": "stances"}


@dataclass(frozen=True)
class Prompt:
    system: str
    user: string.Template
    schema: dict


@dataclass(frozen=True)
class TemplateSet:
    name: str
    version: str
    sha256: str  # of every file of the folder, names included
    prompts: tuple[tuple[str, Prompt], ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    def prompt(self, task: str) -> Prompt:
        return dict(self.prompts)[task]

    def messages(self, task: str, text: str, dct: str | None, claims: Sequence[Claim]) -> list[dict]:
        p = self.prompt(task)
        claim_lines = "\n".join(f"{c.claim_id}: {c.text}" for c in claims)
        user = p.user.substitute(text=text, dct=dct or "unknown", claims=claim_lines)
        return [{"role": "system", "content": p.system}, {"role": "user", "content": user}]

    def response_format(self, task: str, claims: Sequence[Claim]) -> dict:
        """The ``response_format`` of a structured request (strict JSON Schema)."""
        schema = copy.deepcopy(self.prompt(task).schema)
        if task == "stance":  # only the claims asked about
            item = schema["properties"]["stances"]["items"]["properties"]
            item["claim_id"]["enum"] = [c.claim_id for c in claims]
        return {"type": "json_schema", "json_schema": {"name": f"{task}_answer", "strict": True, "schema": schema}}


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExtractorError(f"template file {path.name}: {exc}") from None


def load(spec: str = DEFAULT, tasks: Sequence[str] = tuple(ANSWER_KEYS)) -> TemplateSet:
    """The template set 'name@version' shipped with the package."""
    m = re.fullmatch(r"([a-z0-9][a-z0-9-]*)@([0-9][0-9a-z.-]*)", spec or "")
    available = sorted(f"{p.parent.name}@{p.name}" for p in ROOT.glob("*/*") if (p / "template.toml").is_file())
    if m is None or not (ROOT / m.group(1) / m.group(2) / "template.toml").is_file():
        raise ExtractorError(f"unknown template {spec!r}; available: {', '.join(available)}")
    folder = ROOT / m.group(1) / m.group(2)
    meta = _read_toml(folder / "template.toml")
    if (meta.get("name"), str(meta.get("version"))) != m.groups():
        raise ExtractorError(f"template {spec!r}: template.toml names {meta.get('name')}@{meta.get('version')}")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    prompts = []
    for task in tasks:
        parts = _read_toml(folder / f"{task}.toml")
        try:
            schema = json.loads((folder / f"{task}.schema.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExtractorError(f"template {spec!r}: {task}.schema.json: {exc}") from None
        if not isinstance(parts.get("system"), str) or not isinstance(parts.get("user"), str):
            raise ExtractorError(f"template {spec!r}: {task}.toml needs the strings system and user")
        prompts.append((task, Prompt(parts["system"].strip(), string.Template(parts["user"].strip()), schema)))
    return TemplateSet(m.group(1), m.group(2), digest.hexdigest(), tuple(prompts))
