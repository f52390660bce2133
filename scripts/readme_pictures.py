#!/usr/bin/env python3
"""Regenerate the README's pictures from the real binary.

Records `patwiz demo` at 80x24 with asciinema while pexpect presses the keys a first-time admin
presses (a token missing a scope, the fix, a new token, save, hand-over, done), then renders the
recording with svg-term-cli: one animated SVG of the whole journey and stills of the key screens.

Needs: a release or debug build of patwiz (PATWIZ_BIN, default target/release/patwiz), and
    pip install asciinema==2.4.0 pexpect pyte
    npm install --prefix target/svg-term svg-term-cli@2.1.1
Usage: python3 scripts/readme_pictures.py   (writes docs/pictures/*.svg and demo.cast)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pexpect
import pyte

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "pictures")
BIN = os.environ.get("PATWIZ_BIN", os.path.join(ROOT, "target", "release", "patwiz"))
SVG_TERM = os.environ.get(
    "SVG_TERM", os.path.join(ROOT, "target", "svg-term", "node_modules", ".bin", "svg-term")
)

# (what to wait for on screen, a still's name or None, the keys to press then)
JOURNEY = [
    ("Step 1 of 9", "01-start", "\r"),
    ("/demo", "02-organization", "\r"),
    ("Step 3 of 9", "03-scopes", "\r"),
    ("Step 4 of 9", "04-create-token", "\r"),
    ("Step 5 of 9", None, "2"),  # the demo token that lacks Service Connections
    ("Looks like", "05-paste", "\r"),
    ("4 of 5 proven", "06-validate-missing-scope", "b"),
    ("Edit the token and tick", None, "1"),  # the token with every scope
    ("Looks like", None, "\r"),
    ("5 of 5 proven", "06-validate-pass", "\r"),
    ("Step 7 of 9", "07-save", "\r"),
    ("Step 8 of 9", "08-hand-over", "\r"),
    ("Step 9 of 9", "09-done", "\r"),
]


def record(cast: str, config: str) -> dict:
    """Runs the journey under asciinema, reading the screen as a terminal would (pyte);
    returns each still's time in the recording (ms)."""
    env = dict(os.environ, PATWIZ_CONFIG_DIR=config, PATWIZ_SECRET_STORE="memory",
               PATWIZ_OSC52="0", TERM="xterm-256color", PATWIZ_THEME="dark")
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        "asciinema", ["rec", "--overwrite", "--quiet", "--cols", "80", "--rows", "24",
                      "-c", f"{BIN} demo", cast],
        env=env, dimensions=(24, 80), encoding="utf-8", timeout=20)
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)

    def wait_for(needle: str) -> None:
        deadline = time.monotonic() + 20
        while needle not in "\n".join(screen.display):
            if time.monotonic() > deadline:
                sys.exit(f"{needle!r} never appeared:\n" + "\n".join(screen.display))
            try:
                stream.feed(child.read_nonblocking(65536, timeout=0.1))
            except pexpect.TIMEOUT:
                pass

    for needle, _, keys in JOURNEY:
        wait_for(needle)
        time.sleep(0.8)  # let the screen settle, and the viewer read it
        child.send(keys)
    child.expect(pexpect.EOF)


def still_times(cast: str) -> dict:
    """When each still's screen is showing in the recording (ms): the cast replayed through a
    terminal emulator, the moment its text appears plus 400 ms of settling."""
    with open(cast, encoding="utf-8") as f:
        events = [json.loads(line) for line in f.readlines()[1:]]
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    stills, i = {}, 0
    for needle, still, _ in JOURNEY:
        while i < len(events) and needle not in "\n".join(screen.display):
            at, kind, data = events[i]
            if kind == "o":
                stream.feed(data)
            i += 1
        if still:
            stills[still] = int((events[i - 1][0] + 0.4) * 1000)
    return stills


def main() -> int:
    if not os.path.exists(BIN):
        sys.exit(f"no patwiz at {BIN}: cargo build --release first (or set PATWIZ_BIN)")
    if not os.path.exists(SVG_TERM):
        sys.exit(f"no svg-term at {SVG_TERM}: npm install --prefix target/svg-term svg-term-cli@2.1.1")
    os.makedirs(OUT, exist_ok=True)
    cast = os.path.join(OUT, "demo.cast")
    with tempfile.TemporaryDirectory() as config:
        record(cast, config)
    stills = still_times(cast)
    # The recording holds what the screen showed: never a token (the demo's are masked).
    with open(cast, encoding="utf-8") as f:
        recorded = f.read()
    for line in open(os.path.join(ROOT, "assets", "demo-scenario.toml"), encoding="utf-8"):
        if line.strip().startswith("value"):
            token = line.split("=", 1)[1].strip().strip('"')
            if token[4:12] in recorded:
                sys.exit("a demo token is in the recording: not written")
    def svg(args, name):
        subprocess.run([SVG_TERM, "--in", cast, "--out", os.path.join(OUT, name),
                        "--window", "--width", "80", "--height", "24"] + args, check=True)
    svg([], "demo.svg")
    for name, at in stills.items():
        svg(["--at", str(at)], f"{name}.svg")
    with open(os.path.join(OUT, "stills.json"), "w", encoding="utf-8") as f:
        json.dump(stills, f, indent=2)
    print(f"wrote {OUT}: demo.svg and {len(stills)} stills")
    return 0


if __name__ == "__main__":
    sys.exit(main())
