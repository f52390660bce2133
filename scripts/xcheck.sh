#!/usr/bin/env bash
# Type-checks and lints patwiz for Windows and macOS on a Linux machine (Debian, amd64) that
# reaches only package registries: `cargo clippy --all-targets -D warnings` (which is
# `cargo check` and the lints) for each target, the whole workspace. Nothing is linked: this
# proves the code compiles for those systems, not that it works there (see the README's
# platform table; Windows also runs under Wine, scripts/wine.sh).
#
# How: Debian's rustc-web builds the standard library for each target from rust-web-src
# (-Zbuild-std, allowed on that stable compiler by RUSTC_BOOTSTRAP=1: rustup cannot fetch other
# targets' std here). ring's C, the only C in the tree, compiles with clang freestanding (no
# Windows or macOS SDK headers exist here); windows-gnu uses mingw-w64 (gcc for ring's C,
# dlltool for std's raw-dylib imports).
#
# Usage: scripts/xcheck.sh [TARGET...]   (as root, or with sudo for apt-get)
#   env: XCHECK_TARGET_DIR (default target/xcheck), XCHECK_NO_APT=1 to skip apt-get
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] ||
  TARGETS=(x86_64-pc-windows-msvc x86_64-pc-windows-gnu aarch64-apple-darwin x86_64-apple-darwin)

if [ "${XCHECK_NO_APT:-0}" != 1 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    rustc-web cargo-web rust-web-src rust-web-clippy llvm-22 clang-22 \
    gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 >/dev/null
fi

# Debian's toolchain is in /usr; rustup's proxies (~/.cargo/bin) stay out of the way, and
# clippy is called by its path (cargo looks for subcommands in $CARGO_HOME/bin first).
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
export RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo RUSTC_BOOTSTRAP=1
unset RUSTUP_TOOLCHAIN RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
export CARGO_TARGET_DIR=${XCHECK_TARGET_DIR:-$PWD/target/xcheck}
test -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std/Cargo.toml" ||
  { echo "xcheck: the standard library's source (rust-web-src) is missing" >&2; exit 2; }

# ring's base.h includes <TargetConditionals.h> on Apple targets: a three-line stand-in, and
# freestanding clang (its own stdint.h, no libc headers: ring's RING_CORE_NOSTDLIBINC).
STUB=$CARGO_TARGET_DIR/stub-include
mkdir -p "$STUB"
printf '#pragma once\n#define TARGET_OS_MAC 1\n#define TARGET_OS_OSX 1\n#define TARGET_OS_IPHONE 0\n' \
  >"$STUB/TargetConditionals.h"
RING_CFLAGS="-ffreestanding -nostdlibinc -DRING_CORE_NOSTDLIBINC=1 -fgnuc-version=4.2.1 -isystem $STUB"
for t in x86_64-pc-windows-msvc aarch64-apple-darwin x86_64-apple-darwin; do
  u=${t//-/_}
  export "CC_$u=clang-22" "AR_$u=llvm-ar-22" "CFLAGS_$u=$RING_CFLAGS"
done

rustc -V
status=0
for t in "${TARGETS[@]}"; do
  start=$SECONDS
  # clippy is cargo check with lints on top (the same compiler front end, every error a check
  # finds): one pass per target, not two.
  /usr/bin/cargo-clippy clippy -q -Zbuild-std=std,panic_abort --target "$t" --locked \
    --workspace --all-targets -- -D warnings
  rc=$?
  echo "xcheck: $t: check and clippy -D warnings: exit $rc after $((SECONDS - start)) s"
  [ $rc = 0 ] || status=1
done
exit $status
