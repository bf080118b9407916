#!/usr/bin/env bash
# Refresh the locks in requirements/ from pyproject.toml (every extra) with uv:
#   bash scripts/lock.sh            # re-resolve, keeping pins where still allowed
#   bash scripts/lock.sh --upgrade  # newest versions the ranges allow
# The locks target CPython 3.11 on x86_64 Linux (manylinux_2_28), the CPU build of torch.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
uv=${UV:-}
if [ -z "$uv" ]; then
  tools=${XDG_CACHE_HOME:-$HOME/.cache}/kursk-ie-bench/tools/uv-$UV_VERSION
  [ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q "uv==$UV_VERSION"; }
  uv=$tools/bin/uv
fi
# torch's CPU wheel: a local wheel directory where there is one, else the PyTorch CPU index
if [ -d "${TORCH_WHEELS:-/opt/wheels}" ]; then
  torch_src=(--find-links "${TORCH_WHEELS:-/opt/wheels}")
else
  torch_src=(--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)
fi
common=(--generate-hashes --python-platform x86_64-manylinux_2_28 --no-emit-find-links
        --custom-compile-command "bash scripts/lock.sh" "$@")
"$uv" pip compile pyproject.toml requirements/build.in --all-extras -c requirements/torch-cpu.txt \
  --python-version 3.11 "${torch_src[@]}" "${common[@]}" -o requirements/lock.txt.new
# the models' metadata wrongly asks for Python 3.12; they are installed with --ignore-requires-python
"$uv" pip compile requirements/spacy-models.in --no-deps --python-version 3.12 "${common[@]}" \
  -o requirements/spacy-models.lock.txt.new
# tests/test_lock.py checks this line against pyproject.toml: a stale lock fails the tests
deps=$(python3 -c 'import sys; sys.path.insert(0, "."); from scripts.lockcheck import pyproject_deps_sha256 as h; print(h())')
for f in lock spacy-models.lock; do
  { echo "# pyproject-deps-sha256: $deps"; cat "requirements/$f.txt.new"; } > "requirements/$f.txt"
  rm "requirements/$f.txt.new"
done
echo "wrote requirements/lock.txt and requirements/spacy-models.lock.txt"
