"""The ``minilm-ner`` network: MiniLM-L6 token classifier that also sees word shapes.

The MiniLM-L6 tokenizer lower-cases its input, so "Turkey"/"turkey", "US"/"us" and
"May"/"may" reach the encoder as the same pieces, and capitalisation, the strongest
single cue for names in English text, is lost.  Each word's shape, read from the
original text (``word_shape``: lower, Capitalised mid-sentence or sentence-initial,
ALL-CAPS, digits, punctuation, ...), is embedded and added to its word pieces'
representations:

- ``shape_mode="input"``: added to the word-piece input embeddings (before the
  embedding LayerNorm, like BERT's token-type embeddings), so the six attention layers
  combine it with context: the lower-case "of" in "Ministry of Finance" sits between
  capitalised words, a capitalised sentence-initial word is weaker evidence;
- ``shape_mode="head"``: added to the encoder's output just before the linear
  classifier (cheaper, but then it can only shift each shape's label scores);
- ``shape_mode="none"``: the plain token classifier (the ablation's baseline).

The shape table is zero-initialised, so training starts from the pre-trained encoder
unchanged.  Weights are one safetensors file whose names follow
``BertForTokenClassification`` (``bert.*``, ``classifier.*``) plus
``shape_embeddings.weight``; ``config.json`` is a BERT config with ``id2label``,
``shape_mode`` and ``shapes``.  Loading needs no remote code: ``ShapeTokenClassifier.load``
(``hf:`` pointed at such a folder would drop the shape table; ``minilm-ner`` uses this class).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, BertModel
from transformers.modeling_outputs import TokenClassifierOutput

ARCHITECTURE = "ShapeTokenClassifier"
SHAPE_MODES = ("none", "input", "head")
# Index 0 is the padding / special-token shape.  Changing this tuple changes trained weights.
SHAPES: tuple[str, ...] = (
    "none", "lower", "Title", "Title-initial", "UPPER", "U", "MiXed",
    "digits", "alnum", "punct", "other",
)
_SHAPE_ID = {s: i for i, s in enumerate(SHAPES)}
_INITIAL_BEFORE = frozenset(".!?:\n")  # a capital after these is sentence-initial
_SKIP_BACK = frozenset(" \t\r\"“”‘’'([«")  # looked through when finding what precedes a word


def word_shape(word: str, initial: bool = False) -> str:
    """The shape class of one word (as the tokenizer's pre-tokenizer splits words)."""
    if not word:
        return "none"
    if word.isalpha():
        if word.islower():
            return "lower"
        if word.isupper():
            return "U" if len(word) == 1 else "UPPER"
        if word[0].isupper() and word[1:].islower():
            return "Title-initial" if initial else "Title"
        return "MiXed"
    if word.isdigit():
        return "digits"
    if word.isalnum():
        return "alnum"
    if not any(c.isalnum() for c in word):
        return "punct"
    return "other"


def is_sentence_initial(text: str, start: int) -> bool:
    """Does the word at ``start`` open the text, a line or a sentence?"""
    i = start - 1
    while i >= 0 and text[i] in _SKIP_BACK:
        i -= 1
    return i < 0 or text[i] in _INITIAL_BEFORE


def word_shapes(text: str, offsets: Sequence[Sequence[int]], word_ids: Sequence[int | None]) -> dict[int, int]:
    """Shape id of each word, over the word's whole extent (all of its tokens)."""
    extent: dict[int, list[int]] = {}
    for word, (start, end) in zip(word_ids, offsets):
        if word is not None and end > start:
            span = extent.setdefault(word, [start, end])
            span[0], span[1] = min(span[0], start), max(span[1], end)
    return {w: _SHAPE_ID[word_shape(text[s:e], is_sentence_initial(text, s))] for w, (s, e) in extent.items()}


def shape_ids(text: str, offsets: Sequence[Sequence[int]], word_ids: Sequence[int | None],
              shapes: dict[int, int] | None = None) -> list[int]:
    """One shape id per token: the shape of the word it belongs to (special tokens: 0).
    ``shapes`` (from ``word_shapes`` over all windows of a text) keeps a word cut by a
    window edge whole."""
    shapes = word_shapes(text, offsets, word_ids) if shapes is None else shapes
    return [shapes.get(w, 0) if w is not None else 0 for w in word_ids]


class ShapeTokenClassifier(torch.nn.Module):
    def __init__(self, config: BertConfig, bert: BertModel | None = None) -> None:
        super().__init__()
        mode = getattr(config, "shape_mode", "none")
        if mode not in SHAPE_MODES:
            raise ValueError(f"shape_mode {mode!r} is not one of {SHAPE_MODES}")
        if list(getattr(config, "shapes", SHAPES)) != list(SHAPES):
            raise ValueError("the model was trained with another word-shape table")
        self.config = config
        self.shape_mode = mode
        self.bert = bert if bert is not None else BertModel(config, add_pooling_layer=False)
        self.shape_embeddings = (torch.nn.Embedding(len(SHAPES), config.hidden_size, padding_idx=0)
                                 if mode != "none" else None)
        self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)
        self.classifier = torch.nn.Linear(config.hidden_size, config.num_labels)
        with torch.no_grad():  # the head as BertForTokenClassification initialises it
            self.classifier.weight.normal_(0.0, config.initializer_range)
            self.classifier.bias.zero_()
            if self.shape_embeddings is not None:
                self.shape_embeddings.weight.zero_()

    def forward(self, input_ids, attention_mask=None, shape_ids=None, labels=None, token_type_ids=None):
        if self.shape_mode == "input":
            embeds = self.bert.embeddings.word_embeddings(input_ids) + self.shape_embeddings(shape_ids)
            hidden = self.bert(inputs_embeds=embeds, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
        else:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
        if self.shape_mode == "head":
            hidden = hidden + self.shape_embeddings(shape_ids)
        logits = self.classifier(self.dropout(hidden))
        loss = None
        if labels is not None:
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1),
                                                     ignore_index=-100)
        return TokenClassifierOutput(loss=loss, logits=logits)

    @classmethod
    def from_base(cls, base_dir: str | Path, tags: Sequence[str], shape_mode: str) -> ShapeTokenClassifier:
        """The pre-trained encoder in ``base_dir`` with a fresh head and shape table."""
        bert = BertModel.from_pretrained(str(base_dir), add_pooling_layer=False)
        config = BertConfig.from_pretrained(
            str(base_dir), id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)})
        _set_extras(config, {"shape_mode": shape_mode, "shapes": list(SHAPES), "architectures": [ARCHITECTURE]})
        return cls(config, bert)

    def save(self, out: str | Path) -> None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
        (out / "config.json").write_text(json.dumps(self.config.to_dict(), indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")

    @classmethod
    def load(cls, model_dir: str | Path) -> ShapeTokenClassifier:
        """From ``config.json`` + ``model.safetensors`` (every weight must be there), in eval mode."""
        model_dir = Path(model_dir)
        raw = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        if ARCHITECTURE not in (raw.get("architectures") or []):
            raise ValueError(f"{model_dir.name} does not hold a {ARCHITECTURE}")
        config = BertConfig.from_dict(raw)
        _set_extras(config, raw)
        model = cls(config)
        model.load_state_dict(load_file(str(model_dir / "model.safetensors")), strict=True)
        return model.eval()


def _set_extras(config: BertConfig, values: dict) -> None:
    """Our keys, set as attributes (transformers drops unknown keyword arguments)."""
    config.shape_mode = values.get("shape_mode", "none")
    config.shapes = list(values.get("shapes", SHAPES))
    config.architectures = list(values.get("architectures", [ARCHITECTURE]))


def is_shape_model(model_dir: str | Path) -> bool:
    config = Path(model_dir) / "config.json"
    if not config.is_file():
        return False
    return ARCHITECTURE in (json.loads(config.read_text(encoding="utf-8")).get("architectures") or [])
