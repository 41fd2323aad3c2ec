"""Result objects of a grading run.  A SubmissionResult exists for every submission, whatever happened.

``grading.json`` (:meth:`SubmissionResult.signed_json`) carries an HMAC under the course secret, so a
reader (the nbgrader gradebook) can refuse a file that the runner did not write.
"""
import hashlib
import json
from dataclasses import asdict, dataclass, field

from . import secret
from .notebook import read_input

SIGNATURE = "hmac"  # the key of the signature in grading.json
#: In a failed check's message, what precedes the judge's notes on the notebook (reports say those once).
NOTES = "\nNote: "
#: How a result's ``error`` starts when the notebook itself was refused (no judge ran).
REFUSED = "notebook refused: "


class UnsignedResult(ValueError):
    """A result file whose signature is missing or does not verify under the course secret."""


def file_sha256(path):
    """The SHA-256 of a submission's bytes (read as :func:`autograder.notebook.read_input` reads it)."""
    return hashlib.sha256(read_input(path)).hexdigest()


#: How the message of a check that never ran starts (the runner puts the submission's error after it).
NOT_RUN = "not run: "
SPELLING = {"nll": "NLL", "jacobian": "Jacobian"}  # words of test names written as prose does (and each pack's)


def title(name):
    """A check's readable name from its pytest id: ``test_log_likelihood[normal]`` -> "Log likelihood (normal)"."""
    base, _, param = name.partition("[")
    from .packs import spelling
    words = [spelling(SPELLING).get(w, w) for w in base.removeprefix("test_").split("_") if w] or [name]
    text = " ".join(words)
    return text[0].upper() + text[1:] + (f" ({param.rstrip(']').replace('-', ', ')})" if param else "")


def _canonical(data):
    return json.dumps(data, sort_keys=True).encode()


@dataclass
class TestResult:
    name: str        # the pytest id (stable: grades.csv columns, nbgrader cell ids); :attr:`title` reads better
    points: float
    score: float = 0.0
    passed: bool = False
    message: str = f"{NOT_RUN}grading stopped before this test"
    description: str = ""
    hidden: bool = False
    seconds: float = 0.0
    measures: dict = field(default_factory=dict)  # statistic name -> {"value", "limit"}

    @property
    def title(self):
        """The check's readable name (:func:`title`)."""
        return title(self.name)


@dataclass
class SubmissionResult:
    student: str
    notebook: str
    sha256: str = ""                            # of the graded notebook file
    tests: list = field(default_factory=list)   # [TestResult]
    worker: dict = field(default_factory=dict)  # isolation, load status, events
    error: str = ""                             # what went wrong with grading itself, if anything
    seconds: float = 0.0
    graded_with: dict = field(default_factory=dict)  # grader version, calibration, course key (version.graded_with)

    @property
    def score(self):
        return sum(t.score for t in self.tests)

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)

    def to_dict(self):
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score)
        return data

    @classmethod
    def from_dict(cls, data):
        """The result :meth:`to_dict` wrote (``grading.json``)."""
        fields = {k: v for k, v in data.items() if k not in ("score", "max_score", "tests")}
        return cls(**fields, tests=[TestResult(**t) for t in data.get("tests", [])])

    def signed_json(self):
        """``grading.json``: :meth:`to_dict` with its HMAC under the course secret (:func:`secret.sign`)."""
        data = self.to_dict()
        return json.dumps({**data, SIGNATURE: secret.sign(_canonical(data))}, indent=1)

    @classmethod
    def from_signed_json(cls, text):
        """The result in a ``grading.json`` text written by :meth:`signed_json`.

        Raises:
            UnsignedResult: the signature is missing or does not match the content (one line).
        """
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise UnsignedResult("not a grading.json (not JSON)") from None
        tag = data.pop(SIGNATURE, None) if isinstance(data, dict) else None
        if tag is None:
            raise UnsignedResult("not signed by the grading runner")
        if not secret.verify(_canonical(data), tag):
            raise UnsignedResult("its signature does not match the course secret (changed or forged)")
        return cls.from_dict(data)


def read_grading(path):
    """The :class:`SubmissionResult` in a runner's ``<student>/grading.json``.

    Raises:
        UnsignedResult: why it is refused: not a regular file, not signed under the course secret, or
            the result of another student than its folder names (one line).
    """
    from pathlib import Path
    path = Path(path)
    try:
        result = SubmissionResult.from_signed_json(read_input(path))
    except (OSError, ValueError, TypeError) as err:
        raise UnsignedResult(str(err)) from None
    if result.student != path.parent.name:
        raise UnsignedResult(f"it is the result of {result.student!r}, not of {path.parent.name!r}")
    return result
