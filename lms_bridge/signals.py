"""Cross-area events, as blinker signals (the indico way): a lower area sends, upper areas connect.

A sender never knows its receivers, so the direction of dependency stays one way: the player sends
`attempt_completed` and the LTI tool, added above it, connects its score passback. Receivers run
synchronously inside the sender's transaction, with the sender's session: what they write commits or
rolls back with it. Connect in an area's `init_app` (once per process: blinker keeps receivers weakly,
so connect module-level functions, not closures).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

attempt_completed = _signals.signal(
    "attempt-completed",
    doc="""An attempt first met its course's completion rule.

    sender: the Attempt (flushed, completed_at set); kwargs: session (the open Session).
    """,
)

completion_recorded = _signals.signal(
    "completion-recorded",
    doc="""The register stored new completion records (not ones it already had).

    sender: the source string ("player", "moodle", "csv", ...); kwargs: session, keys (the new records'
    (source, source_ref) pairs, flushed). Bulk writes send once per batch and source.
    """,
)

package_version_made_current = _signals.signal(
    "package-version-made-current",
    doc="""New attempts of a course will use this version (an import or an admin's rollback).

    sender: the PackageVersion; kwargs: session, previous_version_id (int or None).
    """,
)

course_competences_changed = _signals.signal(
    "course-competences-changed",
    doc="""An admin (or a built-in module's course.yaml) set which competences a course grants.

    sender: the Course; kwargs: session, added (competence codes now granted that were not before).
    The player records its completed attempts for the added competences.
    """,
)
