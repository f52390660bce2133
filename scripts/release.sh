#!/usr/bin/env bash
# Builds and checks a patwiz release on a Linux machine (Debian, amd64), into DIST
# (default target/dist):
#   - the packaged crates (`cargo package --workspace`, which builds each from its own tarball:
#     what `cargo install --locked patwiz` gets, assets included);
#   - patwiz for x86_64-unknown-linux-gnu, x86_64-unknown-linux-musl (static: runs on any
#     Linux) and x86_64-pc-windows-gnu (linked with mingw-w64), each archived with the README,
#     the license and shell completions (PowerShell's too), run (`--version`, `profiles`; the
#     Windows one under Wine when it is here) and checked for what it links;
#   - a software bill of materials per binary (CycloneDX JSON, packaging/sbom.py);
#   - SHA256SUMS over every file;
#   - the winget, Scoop and Homebrew manifests, rendered with those sums and checked against
#     their published schemas (packaging/manifests.py).
# macOS (both) and Windows MSVC binaries are built by the release workflow on their own
# runners (.github/workflows/release.yml); nothing here links for them.
#
# Usage: scripts/release.sh [DIST]   (as root, or with sudo for apt-get)
#   env: RELEASE_NO_APT=1 to skip apt-get; RELEASE_ALLOW_DIRTY=1 to package uncommitted changes; RELEASE_SKIP_WINDOWS=1 to leave Windows out;
#        PYTHON (default python3) with check-jsonschema installed, for the manifests.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
DIST=$(realpath -m "${1:-target/dist}")
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
PYTHON=${PYTHON:-python3}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
failed=0
fail() { echo "release: FAILED: $*" >&2; failed=1; }
say() { echo "release: $*"; }

if [ "${RELEASE_NO_APT:-0}" != 1 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    rustc-web cargo-web rust-web-src musl-tools libunwind-22-dev ruby zip file binutils \
    gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 wine shellcheck >/dev/null
fi

rm -rf "$DIST"; mkdir -p "$DIST"
STAGE=$(mktemp -d)

say "patwiz $VERSION into $DIST"

# 1. The crates, verified: cargo builds each from its packaged tarball, the workspace's other
#    crates from theirs (a local registry), so a file left out of a package fails here.
start=$SECONDS
dirty=(); [ "${RELEASE_ALLOW_DIRTY:-0}" = 1 ] && dirty=(--allow-dirty)
if cargo package --workspace --locked -q "${dirty[@]}"; then
  cp target/package/patwiz-*"$VERSION".crate "$DIST/"
  say "cargo package --workspace: built from the packages in $((SECONDS - start)) s"
else
  fail "cargo package"
fi

# 2. Linux, glibc: rustup's toolchain.
start=$SECONDS
if cargo build -q --release --locked --target x86_64-unknown-linux-gnu --bin patwiz; then
  say "x86_64-unknown-linux-gnu built in $((SECONDS - start)) s"
else
  fail "the x86_64-unknown-linux-gnu build"
fi
GNU=target/x86_64-unknown-linux-gnu/release/patwiz

# 3. Linux, static musl: Debian's rustc-web builds std for musl from source (rustup cannot
#    fetch other targets here), musl-gcc links it against musl's own libc.a and crt files, non-PIE
#    (musl-gcc's specs turn -static-pie into a dynamic PIE). std's unwinder (for backtraces) is
#    LLVM's libunwind.a from Debian's libunwind-22-dev; built against glibc, it calls glibc's
#    fortified __fprintf_chk in its debug logging, so a stand-in over vfprintf joins the archive.
start=$SECONDS
(
  export PATH=/usr/bin:/bin:/usr/sbin:/sbin RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo RUSTC_BOOTSTRAP=1
  unset RUSTUP_TOOLCHAIN RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
  export CARGO_TARGET_DIR=$ROOT/target/musl
  unwind=$CARGO_TARGET_DIR/unwind
  mkdir -p "$unwind"
  if [ ! -f "$unwind/libunwind.a" ]; then
    printf '%s\n' '#include <stdarg.h>' '#include <stdio.h>' \
      'int __fprintf_chk(FILE *f, int flag, const char *format, ...) {' \
      '    (void)flag; va_list ap; va_start(ap, format);' \
      '    int n = vfprintf(f, format, ap); va_end(ap); return n;' '}' > "$unwind/fortify.c"
    musl-gcc -O2 -c "$unwind/fortify.c" -o "$unwind/fortify.o" &&
      cp /usr/lib/llvm-22/lib/libunwind.a "$unwind/libunwind.a" &&
      ar rcs "$unwind/libunwind.a" "$unwind/fortify.o" || exit 1
  fi
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=musl-gcc CC_x86_64_unknown_linux_musl=musl-gcc
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C link-self-contained=no -C target-feature=+crt-static -C relocation-model=static -L native=$unwind"
  cargo build -q --release --locked --target x86_64-unknown-linux-musl \
    -Zbuild-std=std,panic_abort --bin patwiz
) && say "x86_64-unknown-linux-musl built in $((SECONDS - start)) s" || fail "the musl build"
MUSL=target/musl/x86_64-unknown-linux-musl/release/patwiz

# 4. Windows, mingw-w64: the same build the Wine run tests (scripts/wine.sh).
WIN=target/wine/x86_64-pc-windows-gnu/release/patwiz.exe
if [ "${RELEASE_SKIP_WINDOWS:-0}" != 1 ]; then
  WINE_NO_APT=1 bash scripts/wine.sh build >/dev/null || fail "the windows-gnu build"
fi

# What each binary must be, and that it runs.
check_binary() { # target path
  local t=$1 bin=$2 info
  [ -x "$bin" ] || { fail "$t: no binary at $bin"; return 1; }
  info=$(file -b "$bin")
  case "$t" in
    *linux-gnu) [[ $info == *"ELF 64-bit"*"dynamically linked"* ]] || fail "$t: $info" ;;
    *linux-musl) [[ $info == *"ELF 64-bit"*"static"* ]] && ! readelf -l "$bin" | grep -q INTERP ||
                   fail "$t is not static: $info" ;;
    *windows-gnu) [[ $info == *"PE32+ executable"*"x86-64"* ]] || fail "$t: $info"
                  x86_64-w64-mingw32-objdump -p "$bin" | grep -qi 'DLL Name: libgcc\|DLL Name: libstdc++\|DLL Name: libwinpthread' &&
                    fail "$t needs a mingw DLL beside it" ;;
  esac
  local run=("$bin")
  if [[ $t == *windows* ]]; then
    command -v wine >/dev/null || { say "$t: not run (no Wine here)"; return 0; }
    run=(env WINE_NO_APT=1 bash scripts/wine.sh run)
  fi
  local v; v=$("${run[@]}" --version 2>&1 | tr -d '\r')
  [ "$v" = "patwiz $VERSION" ] || fail "$t --version said: $v"
  # (read whole first: grep -q closing the pipe early would fail the pipeline under pipefail)
  local listed; listed=$("${run[@]}" profiles 2>&1)
  grep -q '^git-zen' <<<"$listed" || fail "$t profiles lists no git-zen"
  if [[ $t == *linux* ]]; then
    # A whole check against its own demo organization (its emulator, TLS stack and store).
    local out=$STAGE/demo-$t.out
    "$bin" demo --serve > "$out" 2>&1 & local demo=$!
    for _ in $(seq 100); do grep -q 'Serving until' "$out" && break; sleep 0.1; done
    local org; org=$(sed -n 's/.*demo organization at \(http[^ ]*\).*/\1/p' "$out")
    grep -A1 '^  git-zen ' "$out" | tail -1 | tr -d ' ' |
      PATWIZ_SECRET_STORE=memory "$bin" check --org "$org" --profile git-zen --token-stdin >/dev/null ||
      fail "$t: a good token does not pass against its own demo organization"
    kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null
  fi
  say "$t: $(stat -c %s "$bin") bytes, $info" | cut -c1-160
}

archive() { # target path
  local t=$1 bin=$2 name=patwiz-$VERSION-$1 exe=patwiz
  [[ $t == *windows* ]] && exe=patwiz.exe
  check_binary "$t" "$bin" || return
  local d=$STAGE/$name; mkdir -p "$d/completions"
  cp "$bin" "$d/$exe"; cp README.md LICENSE "$d/"
  for sh in bash zsh fish powershell; do
    "$GNU" completions "$sh" > "$d/completions/patwiz.${sh/powershell/ps1}"
  done
  find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  if [[ $t == *windows* ]]; then
    (cd "$STAGE" && find "$name" | LC_ALL=C sort | zip -X -q -@ "$DIST/$name.zip")
  else
    tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
      -czf "$DIST/$name.tar.gz" "$name"
  fi
  "$PYTHON" packaging/sbom.py "$t" "$DIST/$name.cdx.json" >/dev/null || fail "$t: the SBOM"
}

archive x86_64-unknown-linux-gnu "$GNU"
archive x86_64-unknown-linux-musl "$MUSL"
[ "${RELEASE_SKIP_WINDOWS:-0}" = 1 ] || archive x86_64-pc-windows-gnu "$WIN"

(cd "$DIST" && sha256sum -- * > SHA256SUMS && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS"

if [ "${RELEASE_SKIP_WINDOWS:-0}" != 1 ]; then
  "$PYTHON" packaging/manifests.py render "$DIST" >/dev/null &&
    PATH="$(dirname "$(command -v "$PYTHON")"):$PATH" "$PYTHON" packaging/manifests.py check "$DIST" ||
    fail "the manifests"
fi

rm -rf "$STAGE"
say "files:"; (cd "$DIST" && ls -l --time-style=+ | tail -n +2 | sed 's/^/  /')
[ $failed = 0 ] && say "done" || say "FAILED (above)"
exit $failed
