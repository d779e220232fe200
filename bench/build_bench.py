"""Build time of every course module in both SCORM formats (target: under 2 s in total).

Prints figures; asserts nothing. Schema loading is reported apart: a long-running process pays it once.

    .venv/bin/python bench/build_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scorm.build import build_all, default_schemas  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    courses = ROOT / "courses"

    started = time.perf_counter()
    schemas = default_schemas()
    schemas.schema("1.2")
    schemas.schema("2004")
    schema_s = time.perf_counter() - started

    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            started = time.perf_counter()
            paths = build_all(courses, Path(tmp) / str(i), schemas=schemas)
            timings.append(time.perf_counter() - started)
        sizes = {p.name: p.stat().st_size for p in paths}

    print(f"schema loading (once per process): {schema_s:.3f} s")
    print(
        f"build all {len(sizes)} packages: median {statistics.median(timings):.3f} s, "
        f"min {min(timings):.3f} s, max {max(timings):.3f} s over {args.repeat} runs (target < 2 s)"
    )
    print(f"first build incl. schema loading: {schema_s + timings[0]:.3f} s")
    for name, size in sorted(sizes.items()):
        print(f"  {name:40} {size:>8,} bytes")


if __name__ == "__main__":
    main()
