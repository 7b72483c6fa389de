"""``.ci/typecheck.py``: mypy errors per file against a baseline that may only shrink."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("typecheck", ROOT / ".ci" / "typecheck.py")
assert _spec and _spec.loader
typecheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(typecheck)


def test_more_errors_or_a_new_file_with_errors_fail_fewer_pass() -> None:
    baseline = {"fieldapp/ui/a.py": 3, "sync/b.py": 1}
    above, below = typecheck.compare(Counter({"fieldapp/ui/a.py": 3, "sync/b.py": 1}), baseline)
    assert (above, below) == ({}, [])
    above, below = typecheck.compare(Counter({"fieldapp/ui/a.py": 4, "sync/new.py": 1}), baseline)
    assert above == {"fieldapp/ui/a.py": (3, 4), "sync/new.py": (0, 1)} and below == ["sync/b.py"]
    above, below = typecheck.compare(Counter({"fieldapp/ui/a.py": 1}), baseline)
    assert above == {} and below == ["fieldapp/ui/a.py", "sync/b.py"]


def test_error_lines_are_counted_per_file() -> None:
    lines = [
        "fieldapp/ui/a.py:12: error: Incompatible types  [assignment]",
        "fieldapp/ui/a.py:14: note: See https://mypy.readthedocs.io",
        "sync/server/b.py:3: error: Name 'x' is not defined  [name-defined]",
    ]
    found = Counter(m["path"] for line in lines if (m := typecheck._ERROR.match(line)))
    assert found == Counter({"fieldapp/ui/a.py": 1, "sync/server/b.py": 1})


def test_the_baseline_lists_only_existing_files() -> None:
    baseline = json.loads((ROOT / ".ci" / "typecheck-baseline.json").read_text())
    assert all((ROOT / path).is_file() and count > 0 for path, count in baseline.items())
