#!/usr/bin/env python3
"""A software bill of materials of a patwiz binary (CycloneDX 1.5, JSON): every crate compiled
into it for one target, with its version, license, its Cargo.lock checksum (SHA-256 of the
crate file crates.io serves) and who depends on whom. Build-time and test-only crates are not in
the binary and are left out.

    sbom.py TARGET OUT.json       (TARGET: a Rust target triple, e.g. x86_64-pc-windows-gnu)

Reads `cargo metadata --locked` (offline-capable). The time stamp is SOURCE_DATE_EPOCH's when
set (a reproducible release), else now.
"""
import datetime
import json
import os
import subprocess
import sys
import uuid


def main(target: str, out: str) -> None:
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--locked", "--format-version", "1", "--filter-platform", target],
        text=True))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = next(p for p in meta["packages"] if p["name"] == "patwiz" and p["source"] is None)
    checksums = lock_checksums()

    def normal_deps(node_id: str) -> list:
        return [d["pkg"] for d in nodes[node_id]["deps"]
                if any(k["kind"] is None for k in d["dep_kinds"])]

    seen, todo = set(), [root["id"]]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(normal_deps(current))

    def ref(pkg: dict) -> str:
        return f"pkg:cargo/{pkg['name']}@{pkg['version']}"

    def component(pkg: dict) -> dict:
        c = {"type": "library", "bom-ref": ref(pkg), "name": pkg["name"],
             "version": pkg["version"], "purl": ref(pkg)}
        if pkg.get("license"):
            c["licenses"] = [{"expression": pkg["license"]}]
        if pkg.get("description"):
            c["description"] = " ".join(pkg["description"].split())
        digest = checksums.get((pkg["name"], pkg["version"]))
        if digest:
            c["hashes"] = [{"alg": "SHA-256", "content": digest}]
        if pkg["source"] is None:
            c["supplier"] = {"name": "patwiz"}
        return c

    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(stamp), datetime.timezone.utc) if stamp
            else datetime.datetime.now(datetime.timezone.utc))
    components = [component(packages[i]) for i in sorted(seen) if i != root["id"]]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "patwiz packaging/sbom.py"}]},
            "component": {**component(root), "type": "application"},
            "properties": [{"name": "cdx:rust:target", "value": target}],
        },
        "components": sorted(components, key=lambda c: (c["name"], c["version"])),
        "dependencies": [
            {"ref": ref(packages[i]), "dependsOn": sorted({ref(packages[d]) for d in normal_deps(i)})}
            for i in sorted(seen)
        ],
    }
    with open(out, "w") as f:
        json.dump(bom, f, indent=1)
        f.write("\n")
    print(f"sbom: {out}: {len(components)} crates in the {target} binary")


def lock_checksums() -> dict:
    import tomllib
    lock = tomllib.loads(open("Cargo.lock").read())
    return {(p["name"], p["version"]): p["checksum"] for p in lock.get("package", []) if "checksum" in p}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
