"""scorm: a pure library for SCORM 1.2 / 2004 packages.

Course sources → packages (authoring, render, build), manifests (parse, validate against ADL's XSDs),
and the run-time data model. No web framework, ORM or HTTP client here: paths and bytes in, values out.
"""
