"""Dependency audit for CI: ``pip-audit`` over the installed (pinned) environment.

Fails (exit 1) only when a known vulnerability is reported for an installed package and its id is
not in ``.ci/audit-ignore.txt`` (reviewed advisories, one id per line, ``#`` comments). When the
vulnerability service cannot be reached, or audited nothing, it prints a warning and exits 0: an
outage elsewhere must not make CI fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.txt"
TIMEOUT_S = 300


def ignored_ids(path: Path = IGNORE_FILE) -> list[str]:
    """Advisory ids from the ignore file (text before ``#`` on each line)."""
    if not path.exists():
        return []
    ids = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [i for i in ids if i]


def verdict(report: dict | None, ignore: list[str]) -> tuple[int, list[str]]:
    """Exit status and lines to print for a pip-audit JSON report (None: no report at all)."""
    if report is None:
        return 0, ["WARNING: dependency audit skipped: the vulnerability service could not be reached"]
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    found = [
        f"{d['name']} {d.get('version', '?')}: {v['id']} (fixed in: {', '.join(v.get('fix_versions', []))})"
        for d in audited
        for v in d.get("vulns", [])
        if v["id"] not in ignore and not set(v.get("aliases", [])) & set(ignore)
    ]
    if found:
        return 1, ["dependency audit: known vulnerabilities:", *found,
                   f"upgrade the pin in .ci/constraints.txt, or review and list the id in {IGNORE_FILE.name}"]
    if deps and not audited:
        return 0, [f"WARNING: dependency audit skipped: the vulnerability service answered for none of "
                   f"{len(deps)} packages (offline or a mirror without the JSON API?)"]
    skipped = len(deps) - len(audited)
    note = f" ({skipped} not found on the service)" if skipped else ""
    return 0, [f"dependency audit: {len(audited)} packages, no known vulnerabilities{note}"]


def run() -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--progress-spinner",
                   "off", "--timeout", "20", "--format", "json", "--output", str(out)]
        for vuln in ignored_ids():
            command += ["--ignore-vuln", vuln]
        try:
            subprocess.run(command, cwd=ROOT, timeout=TIMEOUT_S, capture_output=True, check=False)
        except subprocess.TimeoutExpired:
            return None
        try:
            return json.loads(out.read_text())
        except (OSError, ValueError):
            return None


def main() -> int:
    status, lines = verdict(run(), ignored_ids())
    for line in lines:
        print(line, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
