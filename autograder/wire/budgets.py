"""Time and size budgets of a grading run, in one place (the judge enforces them from outside)."""

HELLO_TIMEOUT_S = 120.0     # a fresh worker imports TensorFlow (about 5 s) before saying hello
LOAD_TIMEOUT_S = 60.0       # running the notebook's cells: the reference needs about 1 s
REQUEST_TIMEOUT_S = 20.0    # one call: the reference needs well under 1 s
SUBMISSION_BUDGET_S = 300.0  # wall-clock seconds all of one submission's workers may use
JUDGE_GRACE_S = 60.0        # extra time before the runner kills the judge itself
OUTPUT_LIMIT_CHARS = 20_000  # printed output kept per request
MAX_MESSAGE_BYTES = 64 * 2**20
