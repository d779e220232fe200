"""Package store: courses and (later) their imported SCORM package versions."""
