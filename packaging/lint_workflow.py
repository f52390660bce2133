#!/usr/bin/env python3
"""Lints the release workflow, which cannot run on our machines:
- against SchemaStore's GitHub Actions workflow schema (check-jsonschema carries it);
- every `run:` script through shellcheck as the bash the runners use (${{ }} expressions become
  plain words first);
- every job it `needs` exists, every action is pinned to a version, and it builds the five
  targets the README's platform table promises.

    lint_workflow.py [FILE]     (default .github/workflows/release.yml)
Needs check-jsonschema (pip, with its ruamel.yaml) and shellcheck on PATH.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

from ruamel.yaml import YAML

TARGETS = {
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
}


def main(path: pathlib.Path) -> int:
    problems = []
    schema = subprocess.run(
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True)
    if schema.returncode != 0:
        problems.append("schema: " + (schema.stdout + schema.stderr).strip())
    flow = YAML(typ="safe").load(path.read_text())
    jobs = flow.get("jobs", {})
    built = set()
    for job_name, job in jobs.items():
        needs = job.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                problems.append(f"{job_name}: needs {need}, which is no job")
        for row in job.get("strategy", {}).get("matrix", {}).get("include", []):
            if "target" in row:
                built.add(row["target"])
        for index, step in enumerate(job.get("steps", [])):
            where = f"{job_name} step {index + 1} ({step.get('name', step.get('uses', 'run'))})"
            uses = step.get("uses")
            if uses and not re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", uses):
                problems.append(f"{where}: {uses} is not pinned to a version")
            script = step.get("run")
            if script:
                words = re.sub(r"\$\{\{[^}]*\}\}", "EXPR", script)
                with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
                    f.write("#!/usr/bin/env bash\nset -e\n" + words)
                check = subprocess.run(["shellcheck", "-s", "bash", f.name],
                                       capture_output=True, text=True)
                pathlib.Path(f.name).unlink()
                if check.returncode != 0:
                    problems.append(f"{where}: shellcheck:\n{check.stdout.strip()}")
    if built != TARGETS:
        problems.append(f"builds {sorted(built)}, not the five targets {sorted(TARGETS)}")
    for p in problems:
        print(f"lint_workflow: {path}: {p}")
    print(f"lint_workflow: {path}: {len(jobs)} jobs, {len(built)} targets, "
          f"{'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".github/workflows/release.yml")))
