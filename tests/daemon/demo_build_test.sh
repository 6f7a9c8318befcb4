#!/usr/bin/env bash
# scripts/demo builds the two programs it runs and nothing else: a newcomer on
# two cores should not wait for every test to build. Runs a copy of the
# scripts with cmake and dpkg-query stubbed out, and reads what was built.
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/scripts" "$work/bin"
cp "$source_dir/scripts/demo" "$source_dir/scripts/setup" "$work/tree/scripts/"
cat > "$work/bin/cmake" <<'STUB'
#!/bin/sh
echo "$*" >> "$CALLS"
STUB
cat > "$work/bin/dpkg-query" <<'STUB'
#!/bin/sh
echo "install ok installed"
STUB
chmod +x "$work/bin/cmake" "$work/bin/dpkg-query"
export CALLS="$work/calls" PATH="$work/bin:$PATH"
# The stubs build nothing, so the demo stops when it finds no sandbox port.
timeout 60 "$work/tree/scripts/demo" --size tiny > "$work/out" 2>&1 || true
builds=$(grep -- '--build' "$CALLS" || true)
expected="--build build-test -j$(nproc) --target smartq-backup --target smartq-sandbox"
if [ "$builds" != "$expected" ]; then
  echo "scripts/demo built: '$builds'"
  echo "expected:           '$expected'"
  exit 1
fi
