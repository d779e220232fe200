"""The SCORM run-time data models (1.2 and 2004 4th edition) on the LMS side.

The browser runs the SCO against scorm-again; the server re-checks every value the SCO set, in the
order it set them, and keeps the state::

    model = DataModel.for_version("1.2")                 # or "2004"; strict=False: see below
    state = model.initial_state(learner_id="EMP1001", learner_name="Virtanen, Aino", mastery_score=80)
    result = model.apply_commit(state, seq, [("cmi.core.score.raw", "85"), ...])
    state = result.state                                 # result.applied False: a stale seq, unchanged
    model.get(state, "cmi.core.lesson_location")         # GetValue as the LMS answers it
    state = model.finish(state)                          # at Terminate (and again at the next launch)
    model.summary(state)                                 # status, score, times for the register

A state is a JSON-serialisable dict (see ``scorm.cmi.model``). Errors are ``CmiError`` with the
version's SCORM error code; ValueError means the caller passed something that is not a state,
version or sequence number.

Strictness. ``strict=True`` (the default) follows the RTE books. ``strict=False`` also accepts what
scorm-again accepts on purpose for legacy content, so that nothing the browser took is refused:
SCORM 1.2 suspend_data up to 64000 characters, identifiers with white space, responses in any format,
time spans with any number of hour digits, and "normal" exit / "incorrect" result (stored as "" and
"wrong"); SCORM 2004 time stamps with up to 6 decimals (Date.toISOString()) and years to 9999,
durations with weeks or fractions, identifiers with any characters but line breaks, descriptions of
any length, collections beyond their SPM (except one pattern for true-false, likert, numeric, other),
repeated correct-response patterns and scorm-again's wider navigation requests.
"""

from scorm.cmi.model import CommitResult, DataModel, LmsComment, State, Summary
from scorm.cmi.scorm12 import Scorm12Model
from scorm.cmi.scorm2004 import Scorm2004Model
from scorm.errors import CmiError

__all__ = [
    "CmiError",
    "CommitResult",
    "DataModel",
    "LmsComment",
    "Scorm12Model",
    "Scorm2004Model",
    "State",
    "Summary",
]
