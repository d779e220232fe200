"""The SCO template, script, style and UI messages (package data for scorm.render)."""
