"""Type checking (mypy, configured in pyproject.toml) of fieldapp and sync against a baseline.

The baseline (.ci/typecheck-baseline.json) holds the number of mypy errors per file when type
checking came in. CI fails when a file has more errors than its baseline (a file not listed has
none); fewer is welcome, and `--update` then writes the lower numbers. The baseline may only
shrink: `--update` refuses to write while any file is above it (unless there is no baseline yet).

    .venv/bin/python .ci/typecheck.py            # check (what .ci/run does)
    .venv/bin/python .ci/typecheck.py --update   # after fixing errors: lower the baseline
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "typecheck-baseline.json"
_ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error:")


def count_errors() -> Counter[str]:
    """mypy's errors per file (paths relative to the repository root)."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--show-error-codes"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode not in (0, 1):  # 2: mypy itself failed (a crash, bad configuration)
        raise SystemExit(f"typecheck: mypy failed\n{done.stdout}{done.stderr}")
    errors: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        found = _ERROR.match(line)
        if found:
            errors[found["path"]] += 1
    return errors


def compare(errors: Counter[str], baseline: dict[str, int]) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Files above their baseline (path: (baseline, now)), and files below it."""
    above = {path: (baseline.get(path, 0), n) for path, n in errors.items() if n > baseline.get(path, 0)}
    below = sorted(path for path, n in baseline.items() if errors.get(path, 0) < n)
    return above, below


def main(argv: list[str]) -> int:
    baseline: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    errors = count_errors()
    above, below = compare(errors, baseline)
    if above and BASELINE.exists():
        print("typecheck: more mypy errors than the baseline allows (fix them; the baseline only shrinks):")
        for path, (allowed, now) in sorted(above.items()):
            print(f"  {path}: {now} (baseline {allowed})")
        print(f"run `{Path(sys.executable).name} -m mypy {' '.join(sorted(above))}` to see them")
        return 1
    if "--update" in argv:
        BASELINE.write_text(json.dumps(dict(sorted(errors.items())), indent=1) + "\n")
        print(f"typecheck: baseline written: {sum(errors.values())} errors in {len(errors)} files")
        return 0
    print(f"typecheck: {sum(errors.values())} mypy errors in {len(errors)} files, none above the baseline")
    if below:
        print(f"typecheck: fewer errors than the baseline in {len(below)} file(s): "
              "lower it with `.ci/typecheck.py --update`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
