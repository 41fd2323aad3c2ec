"""The judge's randomness: drawn from the course secret mixed with the submission's hash.

Every number a grader compares against (data, probe points, decoys, the weights it sets, the seeds
it gives the worker) comes from :func:`rng` or :func:`seed` with a label of its own, so the same file
gets the same numbers on every regrade and every route, and no submission can predict them: nothing
the worker is told (a seed, a shape) determines any other stream.  ``VARIANT`` selects other streams
for the same file: calibration and stability runs grade with many (``--seed-offset``).
"""
from .. import secret

SUBMISSION = ""  # the graded file's SHA-256 (set by the judge plugin)
GRADING_VARIANT = 0        # the streams of a grading run (every route); calibration adds others
VARIANT = GRADING_VARIANT  # the streams in use (set by the judge plugin from --seed-offset)


def rng(label):
    """A numpy Generator for ``label``, keyed by the course secret and the submission."""
    return secret.rng(SUBMISSION, label, VARIANT)


def seed(label):
    """An integer seed for ``label`` (given to the worker: it determines nothing the judge compares against)."""
    return secret.seed(SUBMISSION, label, VARIANT)
