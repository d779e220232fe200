"""Admin pages: course packages (import, versions, rollback, competences) — thin views over services."""
