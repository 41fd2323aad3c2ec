"""Assemble the program the grader runs from a submission, the way nbgrader matches cells.

Cells are matched to the source notebook by nbgrader ``grade_id``: locked cells always come from the
source, solution cells from the submission.  Test cells, markdown and cells tagged ``experiment``
(MNIST training, plots) or ``self-check`` (the students' ungraded checks) are not run during grading.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
EXPERIMENT_TAG = "experiment"
SELF_CHECK_TAG = "self-check"
NOT_GRADED_TAGS = (EXPERIMENT_TAG, SELF_CHECK_TAG)  # given cells that grading never runs


@dataclass
class Program:
    """Code cells to execute, in source order, plus what went wrong while matching them."""
    cells: list = field(default_factory=list)      # [{"grade_id": str, "code": str}]
    problems: dict = field(default_factory=dict)   # grade_id -> human-readable problem


def read_notebook(path):
    """Parse a notebook file as plain JSON (never executes anything)."""
    path = Path(path)
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    nb = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no cell list)")
    return nb


def _text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def not_graded_tag(cell):
    """The first of :data:`NOT_GRADED_TAGS` a cell (dict) carries, or None."""
    return next((t for t in cell.get("metadata", {}).get("tags", []) if t in NOT_GRADED_TAGS), None)


def graded_cells(source_nb):
    """Source cells the grader runs: code cells that are not tests, experiments or self-checks."""
    for cell in source_nb["cells"]:
        nbg = _nbgrader(cell)
        if cell.get("cell_type") != "code" or not nbg.get("grade_id"):
            continue
        if not_graded_tag(cell):
            continue
        if nbg.get("grade") and not nbg.get("solution"):
            continue  # a visible test cell
        yield cell, nbg


def assemble(submission_path, source_path=paths.SOURCE_NOTEBOOK):
    """Return the :class:`Program` for one submission notebook."""
    source_nb = read_notebook(source_path)
    program = Program()
    try:
        sub_nb = read_notebook(submission_path)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        sub_nb = {"cells": []}
        program.problems["notebook"] = f"submission notebook could not be read: {err}"
    by_id = {}
    for cell in sub_nb["cells"]:
        if isinstance(cell, dict):
            by_id.setdefault(_nbgrader(cell).get("grade_id"), cell)
    for cell, nbg in graded_cells(source_nb):
        gid = nbg["grade_id"]
        if not nbg.get("solution"):
            program.cells.append({"grade_id": gid, "code": _text(cell)})
            continue
        sub = by_id.get(gid)
        if sub is None:
            program.problems[gid] = f"cell '{gid}' is missing from the submission (deleted or its id changed)"
        elif sub.get("cell_type") != "code":
            program.problems[gid] = f"cell '{gid}' was changed from code to {sub.get('cell_type')}"
        else:
            program.cells.append({"grade_id": gid, "code": _text(sub)})
    return program


def manual_points(source_nb):
    """Points nbgrader leaves to a human: its grade cells that are also solution cells (the written answers)."""
    return sum(float(nbg.get("points", 0)) for nbg in map(_nbgrader, source_nb["cells"])
               if nbg.get("grade") and nbg.get("solution"))
