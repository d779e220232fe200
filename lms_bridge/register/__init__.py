"""The staff competence register: who has which competence, fed from every source exactly once."""
