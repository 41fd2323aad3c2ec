"""Find submissions, and name each one for its student.

A grading input is one of:

* a notebook (``alice.ipynb``: student ``alice``; ``submitted/alice/assignment07/x.ipynb``: ``alice``);
* nbgrader's ``submitted/`` tree (``submitted/<student>/assignment07/*.ipynb``);
* one student's folder of that tree (``submitted/alice`` or ``submitted/alice/assignment07``);
* a folder of notebooks (one student per notebook, named for the file).

In an nbgrader folder the notebook named for the assignment is graded if there is one, else every notebook.
"""
import re
from pathlib import Path

from .. import paths


class DiscoveryError(ValueError):
    """A grading input that does not exist or holds no notebook (the message is one line)."""


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "student"


def _pick(notebooks, assignment):
    """The assignment's notebook among one student's notebooks if there is one, else all of them."""
    return [nb for nb in notebooks if nb.stem == assignment] or notebooks


def _in_folder(folder, assignment):
    """``[(student, notebook)]`` in ``folder``, whichever of the layouts above it has."""
    tree = sorted(folder.glob(f"*/{assignment}/*.ipynb"))
    if tree:
        students = sorted({nb.parent.parent for nb in tree})
        return [(s.name, nb) for s in students for nb in _pick([n for n in tree if n.parent.parent == s], assignment)]
    own = sorted(folder.glob(f"{assignment}/*.ipynb"))
    if own:
        return [(folder.name, nb) for nb in _pick(own, assignment)]
    loose = sorted(folder.glob("*.ipynb"))
    if folder.name == assignment and loose:
        return [(folder.parent.name, nb) for nb in _pick(loose, assignment)]
    return [(nb.stem, nb) for nb in loose]


def _student_of(notebook, assignment):
    return notebook.parent.parent.name if notebook.parent.name == assignment else notebook.stem


def discover(inputs, assignment=paths.ASSIGNMENT):
    """``[(student, notebook_path)]`` for every input, students unique and safe as folder names.

    Raises:
        DiscoveryError: an input does not exist, is a file that is not a notebook, or a folder with none.
    """
    found = []
    for raw in inputs:
        path = Path(raw)
        if path.is_file():
            if path.suffix != ".ipynb":
                raise DiscoveryError(f"{raw}: not a notebook (.ipynb)")
            found.append((_student_of(path.resolve(), assignment), path))
        elif path.is_dir():
            here = _in_folder(path.resolve(), assignment)
            if not here:
                raise DiscoveryError(
                    f"{raw}: no notebook here (give a notebook, a folder of notebooks, nbgrader's submitted/ "
                    f"or a student's folder in it: submitted/<student>/{assignment}/{assignment}.ipynb)")
            found += [(student, path / nb.relative_to(path.resolve())) for student, nb in here]
        else:
            raise DiscoveryError(f"{raw}: no such notebook or folder")
    seen, unique = {}, []
    for student, nb in found:
        name = _safe(student)
        seen[name] = seen.get(name, 0) + 1
        unique.append((name if seen[name] == 1 else f"{name}-{seen[name]}", nb))
    return unique
