"""The ``new-assignment`` verb: a pack that grades out of the box, for the next assignment to start from.

``python -m autograder new-assignment ID`` writes, under the course root:

* ``source/ID/ID.ipynb``: a given setup cell, one solution cell (``squared_norms``), a self-check and a
  written question, with nbgrader's markers;
* ``source/ID/ID_cells.py``: the rules that find a notebook's cells (the course's, with this
  notebook's table);
* ``assignments/ID/``: ``pack.py``, one grader (``graders/test_squared_norms.py``: the judge computes the
  answer itself on rows it draws from the course key) and an empty ``bank/``;
* ``release/ID/``: the student version, by ``nbgrader generate_assignment ID``.

The release then scores 0 and the source full marks (``grade ... --assignment ID``).
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .. import notebook, packs, paths

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
TEMPLATES = Path(__file__).resolve().parent / "templates"


class ScaffoldError(ValueError):
    """The id is not usable, or the assignment exists already (nothing was written)."""


def _cell(kind, grade_id, source, solution=False, grade=False, points=None, tags=None):
    nbg = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3, "solution": solution}
    if points is not None:
        nbg["points"] = points
    cell = {"cell_type": kind, "id": grade_id.replace("_", "-"), "metadata": {"nbgrader": nbg}, "source": source}
    if tags:
        cell["metadata"]["tags"] = tags
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def source_notebook(assignment, title):
    """The scaffold's source notebook (a dict), its solution regions marked for nbgrader."""
    text = (TEMPLATES / "notebook.tmpl").read_text()
    parts = dict(re.findall(r"# %% (\w+)\n(.*?)(?=\n# %% |\Z)", text, re.S))
    cells = [_cell("markdown", "intro", f"# {title}\n\n" + parts["intro"].replace("# ", "", 1)),
             _cell("code", "setup", parts["setup"]),
             _cell("code", "squared_norms", parts["squared_norms"], solution=True),
             _cell("code", "test_squared_norms", parts["self_check"], tags=["self-check"]),
             _cell("markdown", "question", parts["question"].replace("# ", "", 1)),
             _cell("markdown", "answer", "The sum of squares counts every entry once, whatever the row's length.",
                   solution=True, grade=True, points=1)]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def main(assignment, title=None, release=True):
    """Write the scaffold of ``assignment``; returns the files written.

    Raises:
        ScaffoldError: a bad id, or an assignment of that id exists already.
    """
    if not ID_PATTERN.match(assignment):
        raise ScaffoldError(f"{assignment!r}: an id is 3 to 41 lower-case letters, digits or _, starting with a letter")
    pack_dir, source_dir = packs.PACKS / assignment, paths.ROOT / "source" / assignment
    if pack_dir.exists() or source_dir.exists():
        raise ScaffoldError(f"{assignment!r} exists already ({pack_dir if pack_dir.exists() else source_dir})")
    title = title or f"{assignment} (a new assignment)"
    written = []

    def write(path, text):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)

    values = {"ID": assignment, "TITLE": title}
    for template in sorted(TEMPLATES.glob("pack_*.tmpl")):  # pack_graders__x.tmpl -> assignments/ID/graders/x.py
        name = template.stem.removeprefix("pack_").replace("graders__", "graders/") + ".py"
        target = pack_dir / name
        write(target, template.read_text().format(**values))
    write(pack_dir / "bank" / "README.md", "Fixture submissions named by outcome (bug_*, alt_*): see the course README.\n")
    write(source_dir / f"{assignment}.ipynb",
          json.dumps(source_notebook(assignment, title), indent=1, ensure_ascii=False) + "\n")
    rules = Path(notebook.rules().__file__).read_text()
    write(source_dir / f"{assignment}_cells.py", rules)  # the course's rules; the table follows
    packs.load.cache_clear()
    notebook.sync_table(packs.load(assignment))
    if release:
        bin_dir = Path(sys.executable).parent  # nbgrader runs alembic from the environment's bin
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                       cwd=paths.ROOT, check=True, capture_output=True,
                       env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"})
        written += sorted((paths.ROOT / "release" / assignment).rglob("*"))
    return written
