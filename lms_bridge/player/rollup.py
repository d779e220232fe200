"""How a package's completion, success and score roll up from its SCOs (the player's documented rule).

- Only SCO items count. Assets have nothing to track: they count as visited, never as progress, so a
  package of assets only is never completed by the player.
- Completion: "completed" when every SCO is completed (SCORM 1.2 "completed", "passed" and "failed" all
  mean completed); "not attempted" while no SCO has been started; otherwise "incomplete".
- Score: the mean of the SCOs' scaled scores that are known, as per cent (0..100, two decimals, a
  negative SCORM 2004 scaled score counts as 0). SCORM 1.2 scales raw within min..max (0..100 when
  unset); a SCORM 2004 SCO that reports raw/min/max but no scaled score is scaled the same way.
- Success: "failed" when any SCO failed; "passed" when every SCO passed; otherwise "unknown". Where the
  package sets no mastery score and the course has a passing score (per cent), the mean score decides.
- Completed for the register: completed, not failed, and passed where a mastery score or the course's
  passing score applies.

SCORM 2004 sequencing rollup rules (imsss:rollupRules) are not applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scorm.cmi import DataModel, State, Summary


@dataclass(frozen=True)
class ItemStatus:
    completion_status: str
    success_status: str
    score_scaled: float | None


NOT_STARTED = ItemStatus("not attempted", "unknown", None)


@dataclass(frozen=True)
class Rollup:
    completion_status: str
    success_status: str
    score: Decimal | None  # per cent
    completed: bool  # meets the course's rule: goes into the register


def item_status(model: DataModel, state: State) -> ItemStatus:
    """One SCO's status for the rollup, as the LMS judges it.

    SCORM 1.2 passes or fails a SCO against its mastery score at LMSFinish; a SCO that has already said it
    is completed/passed/failed is judged now, by the data model's own finish rule, so the register never
    sees a "passed" that LMSFinish would turn into "failed".
    """
    summary = model.summary(state)
    if model.version == "1.2" and state["_meta"]["open"] and summary.completion_status == "completed":
        summary = model.summary(model.finish(state))
    return ItemStatus(summary.completion_status, summary.success_status, _scaled(summary))


def _scaled(summary: Summary) -> float | None:
    if summary.score_scaled is not None:
        return summary.score_scaled
    raw, low, high = summary.score_raw, summary.score_min, summary.score_max
    if raw is None:
        return None
    bottom, top = low or 0.0, 100.0 if high is None else high
    return min(max((raw - bottom) / (top - bottom), 0.0), 1.0) if top > bottom else None


def roll_up(
    statuses: Mapping[str, ItemStatus],
    *,
    sco_ids: Sequence[str],
    mastery_applies: bool,
    passing_score: int | None,
) -> Rollup:
    """The package's status from its SCOs' (missing SCOs: not attempted). See the module docstring."""
    if not sco_ids:
        visited = bool(statuses)
        return Rollup("incomplete" if visited else "not attempted", "unknown", None, completed=False)
    items = [statuses.get(sco, NOT_STARTED) for sco in sco_ids]
    completions = [item.completion_status for item in items]
    if all(c == "completed" for c in completions):
        completion = "completed"
    elif all(c == "not attempted" for c in completions):
        completion = "not attempted"
    else:
        completion = "incomplete"

    scores = [max(item.score_scaled, 0.0) for item in items if item.score_scaled is not None]
    score = None
    if scores:
        mean = Decimal(str(sum(scores) / len(scores))) * 100
        score = min(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), Decimal(100))

    successes = [item.success_status for item in items]
    if "failed" in successes:
        success = "failed"
    elif all(s == "passed" for s in successes):
        success = "passed"
    else:
        success = "unknown"
    if not mastery_applies and passing_score is not None and score is not None and success != "failed":
        success = "passed" if score >= passing_score else "failed"

    needs_pass = mastery_applies or passing_score is not None
    completed = completion == "completed" and success != "failed" and (success == "passed" or not needs_pass)
    return Rollup(completion, success, score, completed=completed)
