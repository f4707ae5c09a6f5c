"""Limits of a run that the command line also needs at start-up (no imports: --help stays fast).

options.py checks every run against these; the CLI uses them for its flags' ranges.
"""

DEFAULT_DRAWS = 1_000  # bootstrap draws of reviewers (chance/)
MAX_DRAWS = 100_000  # each draw is a re-selection
MAX_WORKERS = 64
MAX_SEED = 2**63 - 1  # any seed of a run or of a recorded lottery draw (either sign)
