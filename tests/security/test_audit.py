"""The CI dependency audit's verdict: fail on a known vulnerability, warn when the service is out."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(*vulns: str) -> dict:
    return {"dependencies": [
        {"name": "fastapi", "version": "0.160.0", "vulns": [{"id": v, "fix_versions": ["9"]} for v in vulns]},
        {"name": "gone", "skip_reason": "Dependency not found on PyPI"},
    ]}


def test_a_known_vulnerability_fails() -> None:
    status, lines = _audit().verdict(_report("GHSA-aaaa"), [])
    assert status == 1 and any("GHSA-aaaa" in line for line in lines)


def test_a_reviewed_advisory_is_ignored() -> None:
    status, _ = _audit().verdict(_report("GHSA-aaaa"), ["GHSA-aaaa"])
    assert status == 0


def test_unreachable_service_only_warns() -> None:
    audit = _audit()
    assert audit.verdict(None, [])[0] == 0
    status, lines = audit.verdict({"dependencies": [{"name": "x", "skip_reason": "not found"}]}, [])
    assert status == 0 and lines[0].startswith("WARNING")


def test_the_ignore_file_parses(tmp_path: Path) -> None:
    path = tmp_path / "ignore.txt"
    path.write_text("# header\nPYSEC-1  # reviewed\n\n  GHSA-2\n")
    assert _audit().ignored_ids(path) == ["PYSEC-1", "GHSA-2"]
