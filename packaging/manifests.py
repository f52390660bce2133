#!/usr/bin/env python3
"""The install manifests of a patwiz release: rendered from the templates beside this file with
the release's version and the SHA-256 of its files, then checked.

    manifests.py render DIST    writes DIST/manifests/{winget,scoop,homebrew}/ from DIST/SHA256SUMS
    manifests.py check DIST     checks them: winget's and Scoop's published JSON schemas (vendored
                                in packaging/schemas/, see SOURCES.md), Homebrew's formula with
                                `ruby -c`, and each names this version, a file of the release
                                and that file's sum
Needs: check-jsonschema (pip) and ruby on PATH for `check`.
"""
import pathlib
import re
import subprocess
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATES = {
    "winget": ["patwiz.patwiz.yaml", "patwiz.patwiz.installer.yaml", "patwiz.patwiz.locale.en-US.yaml"],
    "scoop": ["patwiz.json"],
    "homebrew": ["patwiz.rb"],
}
SCHEMAS = {
    "patwiz.patwiz.yaml": "winget-manifest.version.1.10.0.json",
    "patwiz.patwiz.installer.yaml": "winget-manifest.installer.1.10.0.json",
    "patwiz.patwiz.locale.en-US.yaml": "winget-manifest.defaultLocale.1.10.0.json",
    "patwiz.json": "scoop-manifest.schema.json",
}


def version() -> str:
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    return cargo["workspace"]["package"]["version"]


def sums(dist: pathlib.Path) -> dict:
    out = {}
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def render(dist: pathlib.Path) -> None:
    forge = tomllib.loads((HERE / "release.toml").read_text())["forge"]
    v = version()
    known = sums(dist)
    words = {
        "@VERSION@": v,
        "@HOMEPAGE@": forge["homepage"],
        "@RELEASES@": forge["releases"],
        "@CRATE@": forge["crate"].replace("{version}", v),
    }
    for kind, names in TEMPLATES.items():
        out = dist / "manifests" / kind
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            text = (HERE / kind / name).read_text()
            for word, value in words.items():
                text = text.replace(word, value)

            def digest(m: re.Match) -> str:
                file = m.group(1)
                if file not in known:
                    sys.exit(f"manifests: {kind}/{name} needs the sum of {file}, which {dist}/SHA256SUMS lacks")
                return known[file]

            text = re.sub(r"@SHA256:([^@]+)@", digest, text)
            if re.search(r"@(VERSION|HOMEPAGE|RELEASES|CRATE|SHA256)[^@\s]*@", text):
                sys.exit(f"manifests: {kind}/{name} has a placeholder left")
            (out / name).write_text(text)
            print(f"manifests: wrote {out / name}")


def check(dist: pathlib.Path) -> int:
    v = version()
    known = sums(dist)
    failures = 0
    for kind, names in TEMPLATES.items():
        for name in names:
            path = dist / "manifests" / kind / name
            text = path.read_text()
            problems = []
            if name in SCHEMAS:
                schema = HERE / "schemas" / SCHEMAS[name]
                run = subprocess.run(
                    ["check-jsonschema", "--schemafile", str(schema), str(path)],
                    capture_output=True, text=True)
                if run.returncode != 0:
                    problems.append("its schema: " + (run.stdout + run.stderr).strip())
            else:
                run = subprocess.run(["ruby", "-c", str(path)], capture_output=True, text=True)
                if run.returncode != 0:
                    problems.append("ruby -c: " + (run.stdout + run.stderr).strip())
            if v not in text:
                problems.append(f"does not name version {v}")
            for digest in re.findall(r"\b[0-9a-f]{64}\b", text):
                if digest not in known.values():
                    problems.append(f"a sum that is no file's of this release: {digest}")
            if not re.search(r"\b[0-9a-f]{64}\b", text) and name != "patwiz.patwiz.yaml" \
                    and name != "patwiz.patwiz.locale.en-US.yaml":
                problems.append("names no sum")
            mark = "ok" if not problems else "FAIL"
            print(f"manifests: {kind}/{name}: {mark}")
            for p in problems:
                print(f"    {p}")
            failures += bool(problems)
    return failures


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("render", "check"):
        sys.exit(__doc__)
    dist = pathlib.Path(sys.argv[2])
    if sys.argv[1] == "render":
        render(dist)
    else:
        sys.exit(1 if check(dist) else 0)
