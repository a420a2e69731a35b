#!/usr/bin/env bash
# Times leafpress with public tools, as anyone can re-run it:
#   hyperfine for the shipped batch, /usr/bin/time -v for peak memory.
# Needs: apt-get install -y hyperfine time
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/leafpress"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r content layouts fonts "$work/"
cd "$work"
"$bin" build --quiet
echo "== the shipped batch, rebuilt (36 outputs: 3 audiences x 3 layouts x en, fr, ar, hi)"
hyperfine --warmup 3 --runs 20 "$bin build --quiet --force"
echo "== the first build, into an empty output folder"
hyperfine --warmup 3 --runs 20 --prepare "rm -rf out" "$bin build --quiet"
"$bin" build --quiet
echo "== the same, English only (9 outputs)"
hyperfine --warmup 3 --runs 20 "$bin build --quiet --force --lang en"
echo "== nothing to do (all up to date)"
hyperfine --warmup 3 --runs 20 "$bin build --quiet"
echo "== peak memory of the shipped batch"
/usr/bin/time -v "$bin" build --quiet --force 2>&1 | grep -E "Maximum resident|Elapsed"
echo "== 1,000 and 10,000 audiences: cargo bench --bench batch (generates the content)"
