"""The grader's version: a hash of the files that grade, the same in the course and in its Gradescope bundle.

The files are what the bundle carries (:data:`GRADING`, less :data:`EXCLUDE_DIRS`): the autograder, the
source notebook, the pinned requirements and the nbgrader configuration.  Editing any of them (a grader,
a threshold in ``calibration.json``, a given cell of the source) gives another version; nothing else
does, so a regrade with the same files states the same version (``results.json``: ``grader_version``).
A result records what it was graded with (:func:`graded_with`): a rerun reuses it only while all of it holds.
"""
import functools
import hashlib

from . import packs, paths, secret
from .made_from import digest

GRADING = ["autograder", "assignments", "source", "requirements.txt", "nbgrader_config.py"]
EXCLUDE_DIRS = {"__pycache__", "examples", ".ipynb_checkpoints"}


def grading_files(root=paths.ROOT):
    """The files that grade, under ``root``, sorted (what the Gradescope bundle carries besides its scripts)."""
    found = []
    for item in GRADING:
        path = root / item
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        found += [f for f in files if not EXCLUDE_DIRS & set(f.relative_to(root).parts)]
    return found


@functools.lru_cache(maxsize=None)
def grader_version(root=paths.ROOT):
    """``sha256:`` and 16 hex digits of the SHA-256 over every grading file's path (relative to ``root``) and bytes."""
    return digest(grading_files(root), root)


def calibration_version(path=paths.CALIBRATION):
    """``sha256:`` and 16 hex digits of the SHA-256 of ``calibration.json`` (read each time: calibrate rewrites it);
    ``none`` for an assignment without one."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "none"


def graded_with(pack=None):
    """What a result of ``pack`` (default: the course's default assignment) depends on besides the submission:
    the assignment, the grader version, the assignment's calibration and the course key's fingerprint
    (:func:`autograder.secret.fingerprint`)."""
    pack = pack or packs.load()
    return {"assignment": pack.id, "grader_version": grader_version(),
            "calibration": calibration_version(pack.calibration), "course_key": secret.fingerprint()}
