"""Assignments as packs: what the grading core needs to know of one assignment, found by its id.

A pack is the folder ``assignments/<id>/`` beside the course's ``source/<id>/`` notebook folder.  Its
``pack.py`` describes the assignment with the names of :class:`Pack` (upper case: ``GRADERS``,
``CALLS``, ...); its graders, its worker-side objects and its calibration live in the pack too, so the
core (``autograder/``) names no assignment.  ``assignments/__init__.py`` names the course's default.
"""
import functools
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from .wire.calls import Calls  # noqa: F401  (packs describe their calls with it)

ROOT = Path(__file__).resolve().parent.parent  # = paths.ROOT (paths finds the default pack here: no import back)
PACKS = ROOT / "assignments"


@dataclass(frozen=True)
class Pack:
    """One assignment, as ``assignments/<id>/pack.py`` describes it (paths relative to the course root)."""
    id: str
    title: str                    # how feedback and grade exports name it, e.g. "Assignment 08 (score-based models)"
    graders: Path                 # the hidden pytest graders (never shipped)
    calibration: Path             # the pack's calibration.json
    cells_module: str             # module of source/<id>/ with the rules that find a notebook's cells
    helpers: tuple = ()           # files of source/<id>/ copied into the sandbox's working directory
    calls: Calls = field(default_factory=Calls)
    preload: tuple = ()           # modules the worker imports before confinement (the zygote once per run)
    worker_objects: str = ""      # module (dotted) whose classes the judge may build in the worker
    section_order: tuple = ()     # grader modules in the notebook's order
    changes_weights: tuple = ()   # notebook functions that change the weights of the model they get
    terms: tuple = ()             # words that name this assignment: the core never uses them (tests/unit/test_core.py)
    spelling: tuple = ()          # (word, written) of its test names, e.g. ("nll", "NLL")
    quick_env: str = ""           # variable that shortens the notebook's training budgets (set to 1 in the worker)
    calibrate: str = ""           # module (dotted) of the calibrate verb: size(seeds, smoke) and main(run)
    twin: bool = True             # whether the graders ask a second worker (started with the first checks)
    examples: Path = None         # bundled example submissions (the README's main job grades them)
    bank: Path = None             # fixture submissions named by outcome, with their expected verdicts

    @property
    def source_dir(self):
        return ROOT / "source" / self.id

    @property
    def notebook(self):
        return self.source_dir / f"{self.id}.ipynb"

    @property
    def release_notebook(self):
        return ROOT / "release" / self.id / f"{self.id}.ipynb"

    def helper_paths(self):
        return [self.source_dir / name for name in self.helpers]

    def worker_args(self):
        """Command-line options that make a worker or zygote preload what this assignment asks for."""
        return ["--preload", ",".join(self.preload), "--objects", self.worker_objects]


class UnknownAssignment(ValueError):
    """No pack of that id."""


def ids():
    """The ids of every pack, sorted."""
    return sorted(p.name for p in PACKS.iterdir() if (p / "pack.py").is_file())


def default_id():
    """The course's default assignment (``assignments.DEFAULT``), else the only pack."""
    module = importlib.import_module("assignments")
    return getattr(module, "DEFAULT", None) or ids()[0]


@functools.lru_cache(maxsize=None)
def load(assignment=None):
    """The :class:`Pack` of ``assignment`` (an id; None: :func:`default_id`).

    Raises:
        UnknownAssignment: there is no ``assignments/<id>/pack.py``.
    """
    assignment = assignment or default_id()
    if assignment not in ids():
        raise UnknownAssignment(f"no assignment {assignment!r}: the course has {', '.join(ids())}")
    spec = importlib.import_module(f"assignments.{assignment}.pack")
    rel = lambda value: ROOT / value if value else None  # noqa: E731
    return Pack(id=assignment, title=spec.TITLE, graders=rel(spec.GRADERS), calibration=rel(spec.CALIBRATION),
                cells_module=spec.CELLS_MODULE, helpers=tuple(getattr(spec, "HELPERS", ())),
                calls=spec.CALLS, preload=tuple(getattr(spec, "PRELOAD", ())),
                worker_objects=getattr(spec, "WORKER_OBJECTS", ""),
                section_order=tuple(getattr(spec, "SECTION_ORDER", ())),
                changes_weights=tuple(getattr(spec, "CHANGES_WEIGHTS", ())),
                quick_env=getattr(spec, "QUICK_ENV", ""), twin=getattr(spec, "TWIN", True),
                spelling=tuple(getattr(spec, "SPELLING", {}).items()), terms=tuple(getattr(spec, "TERMS", ())),
                calibrate=getattr(spec, "CALIBRATE", ""), examples=rel(getattr(spec, "EXAMPLES", "")),
                bank=rel(getattr(spec, "BANK", "")))


def spelling(common):
    """``common`` with every pack's words of test names as prose writes them (a pack's win)."""
    return {**common, **{word: text for assignment in ids() for word, text in load(assignment).spelling}}
