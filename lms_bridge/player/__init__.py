"""The player: attempts, the SCORM run-time page and its commit endpoint, and the demo sign-in."""
