"""Per module: words a learner reads, questions in the bank and per try, declared and estimated minutes.

The estimate is scorm.estimate's (the one the build warns with): words at WORDS_PER_MINUTE plus
MINUTES_PER_QUESTION for each question of one try. Prints figures; asserts nothing.

    .venv/bin/python bench/course_figures.py [COURSE_DIR ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scorm.authoring import discover, load_course  # noqa: E402
from scorm.estimate import FAR_OFF, FAR_OFF_MINUTES, MINUTES_PER_QUESTION, WORDS_PER_MINUTE, figures  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("courses", nargs="*", type=Path)
    args = parser.parse_args()
    folders = args.courses or discover(ROOT / "courses")

    print(f"| {'module':<20} | words | bank | per try | declared min | estimated min |")
    print(f"|{'-' * 22}|------:|-----:|--------:|-------------:|--------------:|")
    for folder in folders:
        found = figures(load_course(folder))
        flag = "  far off!" if found.far_off else ""
        print(
            f"| {found.course:<20} | {found.words:>5} | {found.bank:>4} | {found.per_attempt:>7} "
            f"| {found.declared:>12} | {found.estimated:>13} |{flag}"
        )
    print(
        f"estimate: words / {WORDS_PER_MINUTE} per minute + {MINUTES_PER_QUESTION} min per question of a "
        f"try; the build warns beyond ±{FAR_OFF:.0%} (at least {FAR_OFF_MINUTES} min)"
    )


if __name__ == "__main__":
    main()
