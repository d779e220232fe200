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

Strictness. ``strict=True`` (the default) follows the RTE books, with the SPMs as maximums.
``strict=False`` accepts everything scorm-again 3.4 accepts, also what it lets through on purpose for
legacy content or by a slip, so that nothing the browser took is refused (checked by sending ~10,000
values through scorm-again in node and through this model); the sanity limit is 10,000 entries per
collection. SCORM 1.2: suspend_data up to 64000 characters; identifiers with white space; responses and
patterns in any format on one line; time spans with 1-9 hour digits and minutes or seconds above 59;
"normal" exit and "incorrect" result (stored as "" and "wrong"); a result "" or ".". SCORM 2004: time
stamps with up to 6 decimals (Date.toISOString()), years to 9999, no calendar check, "|" as a zone
sign; durations with weeks, fractions or no T; identifiers of any characters on one line; descriptions
of any length; collections beyond their SPM (still one pattern for true-false, likert, numeric,
other) and repeated patterns; "," "." ":" as delimiters when "[,]" "[.]" "[:]" are absent; a broken
{lang=} delimiter read as text; an objective's score, an interaction's result and objectives set
before their id; scorm-again's wider navigation requests (start, retry, bare choice...). Both: an
index above _count, whose missing entries are filled empty (scorm-again keeps an empty entry behind
when the first SetValue at a new index fails, so its _count can be ahead of ours).
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
