#!/usr/bin/env bash
# Regenerates deploy/requirements.lock: the runtime dependencies of torghut-lint (not its test
# extras) at the versions pip resolves now, each with the SHA-256 of its Linux x86_64 CPython 3.11
# wheel, for `pip install --require-hashes` in deploy/Dockerfile. Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet .
"$work/venv/bin/pip" freeze --exclude torghut-lint > "$work/pins.txt"
"$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp -d "$work/wheels" -r "$work/pins.txt"
{
  echo "# The image's Python dependencies, exact versions and the SHA-256 of each wheel (Linux x86_64,"
  echo "# CPython 3.11): pip install --require-hashes refuses anything else. Regenerate after changing"
  echo "# pyproject.toml's dependencies with scripts/lock-image-deps.sh."
  while IFS= read -r pin; do
    name=${pin%%==*}
    pattern=$(echo "$name" | tr 'A-Z-.' 'a-z__')
    wheel=$(find "$work/wheels" -maxdepth 1 -iname "${pattern}-*.whl" | head -n 1)
    printf '%s \\\n    --hash=sha256:%s\n' "$pin" "$(sha256sum "$wheel" | cut -d' ' -f1)"
  done < "$work/pins.txt"
} > deploy/requirements.lock
echo "deploy/requirements.lock: $(grep -c -- '--hash' deploy/requirements.lock) pinned wheels"
