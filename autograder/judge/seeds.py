"""Grader seeds: each test's base seed plus the run's ``--seed-offset`` (stability runs vary it)."""
OFFSET = 0


def seeded(base):
    return base + OFFSET
