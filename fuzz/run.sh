#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 20 s). The machine has only the stable
# toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz's flags through, and --sanitizer none avoids
# the nightly-only sanitizers (libFuzzer's coverage guidance still works). The corpus in
# fuzz/corpus/<target> is kept between runs and seeded from fuzz/seeds/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
targets="org_url token_shape response headers flags"
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  cp -n fuzz/seeds/$target/* "fuzz/corpus/$target/" 2>/dev/null || true
  echo "== fuzz $target for ${seconds}s"
  log="$(mktemp)"
  # A target that does not build or does not run fails the run (and so CI), as a crash does.
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" --sanitizer none "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $target failed (did not build, did not run, or found a crash)"
    exit 1
  fi
  grep -E "^(Done|stat::number_of_executed_units)" "$log" || {
    tail -n 40 "$log"
    echo "fuzz $target ran no input"
    exit 1
  }
  rm -f "$log"
  if ls fuzz/artifacts/$target/crash-* >/dev/null 2>&1; then
    echo "fuzz $target found a crash: $(ls fuzz/artifacts/$target/crash-*)"
    exit 1
  fi
done
