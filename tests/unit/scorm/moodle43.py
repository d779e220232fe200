"""A small model of how Moodle 4.3.0 turns a SCORM 1.2 SCO's calls into tracks and activity completion.

Only what decides completion is modelled, from recorded facts:

- Moodle's SCORM 1.2 JavaScript (mod/scorm/datamodels/scorm_12.js) posts to datamodel.php, on LMSCommit and
  LMSFinish, only the elements whose value differs from what it last had, in the order of its `cmi` object.
  That object is built with `cmi.core.score` before the other core elements, so score.raw, .max and .min come
  first. ../shared/fixtures/moodle/scorm/datamodel_commit_capture.json shows it: the SCO set min, max, raw and
  the commit posted raw, max, min. cmi.core.session_time is not posted by a commit (the capture); LMSFinish
  posts total_time instead, which does not matter here.
- datamodel.php calls scorm_insert_track() once per posted element, in that order. In Moodle 4.3.0 that
  function recomputes grade and completion after cmi.core.score.raw, and after a status element only when the
  value stored *before* the update is "completed" or "passed" (a new track is judged by its own value).
  So a status that changes from "incomplete" to "passed" is saved without a recompute, and a score posted
  earlier in the same commit recomputed while "incomplete" was still stored (issue 11, confirmed against
  Moodle's own scorm_insert_track()).
- Completion with "Require status" is met when a status track holds one of the required values (the
  activity's completionstatusrequired: Passed, Completed, or either). Once met, it stays met here.

`Moodle43Scorm12.play(calls)` runs a SCO's recorded calls ([function, *arguments], as the test LMS logs them)
and says what Moodle would have stored and whether the activity would be complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

STATUS = "cmi.core.lesson_status"
RECOMPUTING_STATUS_VALUES = ("completed", "passed")
NOT_POSTED_BY_COMMIT = ("cmi.core.session_time",)
# The order Moodle's JavaScript walks its cmi object in (the elements a SCO of ours writes).
POST_ORDER = (
    "cmi.core.score.raw",
    "cmi.core.score.max",
    "cmi.core.score.min",
    "cmi.core.lesson_location",
    "cmi.core.lesson_status",
    "cmi.core.exit",
    "cmi.core.session_time",
    "cmi.interactions.",  # every interaction element, in the order the SCO created them
    "cmi.suspend_data",
)


def _post_rank(element: str) -> int:
    return next(i for i, prefix in enumerate(POST_ORDER) if element.startswith(prefix))


@dataclass
class Moodle43Scorm12:
    """One learner's attempt at one SCORM 1.2 SCO in Moodle 4.3.0."""

    status_required: frozenset[str] = frozenset({"passed"})  # "Require status: Passed"
    tracks: dict[str, str] = field(default_factory=dict)  # scorm_scoes_value: element -> value
    complete: bool = False
    recomputed_with: list[str] = field(default_factory=list)  # the stored status at each recompute
    posts: list[list[tuple[str, str]]] = field(default_factory=list)  # every datamodel.php request
    _js: dict[str, str] = field(default_factory=dict)  # what the player's JavaScript holds
    _posted: dict[str, str] = field(default_factory=dict)  # ... and what it last sent or loaded
    _created: list[str] = field(default_factory=list)  # interaction elements in creation order

    def launch(self) -> None:
        """A new session: the player loads the stored tracks as its starting values."""
        self._js = dict(self.tracks)
        self._posted = dict(self.tracks)

    def set_value(self, element: str, value: str) -> None:
        if element.startswith("cmi.interactions.") and element not in self._created:
            self._created.append(element)
        self._js[element] = value

    def commit(self, *, finishing: bool = False) -> None:
        changed = [
            element
            for element, value in self._js.items()
            if self._posted.get(element) != value and (finishing or element not in NOT_POSTED_BY_COMMIT)
        ]
        changed.sort(key=lambda e: (_post_rank(e), self._created.index(e) if e in self._created else 0))
        post = [(element, self._js[element]) for element in changed]
        for element, value in post:
            self._posted[element] = value
            self._insert_track(element, value)
        if post:
            self.posts.append(post)

    def _insert_track(self, element: str, value: str) -> None:
        before = self.tracks.get(element)
        self.tracks[element] = value
        judged = value if before is None else before
        if ".score.raw" in element or (element == STATUS and judged in RECOMPUTING_STATUS_VALUES):
            self._recompute()

    def _recompute(self) -> None:
        status = self.tracks.get(STATUS, "")
        self.recomputed_with.append(status)
        if status in self.status_required:
            self.complete = True

    def play(self, calls: Iterable[Sequence[str]]) -> Moodle43Scorm12:
        """Apply a SCO's calls; each LMSInitialize starts a new session on the stored tracks."""
        for fn, *args in calls:
            if fn == "LMSInitialize":
                self.launch()
            elif fn == "LMSSetValue":
                self.set_value(args[0], args[1])
            elif fn == "LMSCommit":
                self.commit()
            elif fn == "LMSFinish":
                self.commit(finishing=True)
        return self

    def entry_on_return(self) -> str:
        """cmi.core.entry at the next launch: "resume" after an exit of "suspend", else ""."""
        return "resume" if self.tracks.get("cmi.core.exit") == "suspend" else ""


def scorm_calls(log: Iterable[dict[str, Any]]) -> list[list[str]]:
    """The test LMS's call log (window.lmsLog()) as [function, *arguments]: the calls that change state."""
    wanted = {"LMSInitialize", "LMSSetValue", "LMSCommit", "LMSFinish"}
    return [[str(c["fn"]), *(str(a) for a in c["args"])] for c in log if c["fn"] in wanted]
