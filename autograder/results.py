"""Result objects of a grading run.  A SubmissionResult exists for every submission, whatever happened."""
import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path


def file_sha256(path):
    """The SHA-256 of a file's bytes: which notebook a result belongs to."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class TestResult:
    name: str
    points: float
    score: float = 0.0
    passed: bool = False
    message: str = "not run: grading stopped before this test"
    description: str = ""
    hidden: bool = False
    seconds: float = 0.0
    measures: dict = field(default_factory=dict)  # statistic name -> {"value", "limit"}


@dataclass
class SubmissionResult:
    student: str
    notebook: str
    sha256: str = ""                            # of the graded notebook file
    tests: list = field(default_factory=list)   # [TestResult]
    worker: dict = field(default_factory=dict)  # isolation, load status, events
    error: str = ""                             # what went wrong with grading itself, if anything
    seconds: float = 0.0

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
