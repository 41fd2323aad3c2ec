"""SubmissionResult objects built directly, for the unit tests of the outputs (no grading, no TensorFlow)."""
from autograder.results import SubmissionResult, TestResult

CHECKS = [("test_a", 2.0, "does a"), ("test_b", 3.0, "does b"), ("test_c", 1.0, "does c")]


def result(student, failed=(), messages=None, worker=None, error="", notebook=""):
    """A result for ``student`` over CHECKS, the checks in ``failed`` failed with ``messages[name]``."""
    messages = messages or {}
    tests = [TestResult(name, points, 0.0 if name in failed else points, name not in failed,
                        messages.get(name, "wrong") if name in failed else "", description)
             for name, points, description in CHECKS]
    return SubmissionResult(student, notebook, tests=tests, worker=worker or {}, error=error)
