"""Find submissions, and name each one for its student.

A grading input is one of:

* a notebook (``alice.ipynb``: student ``alice``; ``submitted/alice/assignment07/x.ipynb``: ``alice``);
* nbgrader's ``submitted/`` tree (``submitted/<student>/assignment07/*.ipynb``);
* one student's folder of that tree (``submitted/alice`` or ``submitted/alice/assignment07``);
* a folder of notebooks (one student per notebook, named for the file).

In an nbgrader folder the notebook named for the assignment is graded if there is one, else every notebook.
What is found is only listed here; whether it is a regular file is checked when it is read
(:func:`autograder.notebook.read_input`), so a symlink or a pipe gets its own error result.

Every student gets a distinct name that is safe as a folder of the output: a name made of lower-case
letters, digits and ``_.-`` (not starting with ``.`` or ``-``, at most :data:`MAX_NAME` characters)
that is not one of the files the runner writes at the top of the output (:data:`OUTPUT_FILES`) is
kept; any other becomes its safe form plus ``~`` and a short hash of the original name (``al ice`` ->
``al_ice~1f4c2a``, ``Ana`` -> ``Ana~7d1e0b``), the same on every run; a name found twice gets ``~2``,
``~3``, ...  A kept name never contains ``~`` or a capital, so no two students are merged, not even
on a file system that ignores case (macOS, Windows: ``Ana`` and ``ana``).  Each renaming is listed in
:attr:`Found.notes`.
"""
import hashlib
import os
import re
from pathlib import Path

from .. import paths

#: What the runner writes at the top of its output folder, beside one folder per student.
OUTPUT_FILES = ("grades.csv", "summary.txt", "summary.png", "similarity.csv", "similarity.html")
MAX_NAME = 64
_KEPT = re.compile(r"[a-z0-9_][a-z0-9_.-]*")


class DiscoveryError(ValueError):
    """A grading input that does not exist or holds no notebook (the message is one line)."""


class Found(list):
    """``[(student, notebook)]``; ``notes``: one line per student whose name was changed, and why."""

    def __init__(self, pairs=(), notes=()):
        super().__init__(pairs)
        self.notes = list(notes)


def student_name(original):
    """The output name of a student called ``original`` (see the module docstring), and why it changed or None."""
    reserved = original.lower() in OUTPUT_FILES
    if not reserved and len(original) <= MAX_NAME and _KEPT.fullmatch(original):
        return original, None
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", original).strip("._-")[:MAX_NAME] or "student"
    if reserved:
        why = "the name of an output file"
    elif len(original) <= MAX_NAME and _KEPT.fullmatch(original.lower()):
        why = "capital letters (where case is ignored, Ana and ana would share a folder)"
    else:
        why = "not safe as a folder name"
    return f"{safe}~{hashlib.sha256(original.encode('utf-8', 'surrogateescape')).hexdigest()[:6]}", why


def name_students(found):
    """:class:`Found` for ``[(original name, notebook)]``: every student under a distinct output name."""
    named, notes, count = [], [], {}
    for original, nb in found:
        name, why = student_name(original)
        key = name.lower()  # two names that differ only in case are one folder on some file systems
        count[key] = count.get(key, 0) + 1
        if count[key] > 1:
            name, why = f"{name}~{count[key]}", f"a second submission for {name}"
        named.append((name, nb))
        if why:
            notes.append(f"student {original!r} ({nb}) is graded as {name}: {why}")
    return Found(named, notes)


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


def _through_symlink(notebook):
    """Whether a folder on the way to ``notebook`` (found under a resolved input folder) is a symlink."""
    return os.path.realpath(notebook.parent) != str(notebook.parent)


def discover(inputs, assignment=paths.ASSIGNMENT):
    """:class:`Found`: ``[(student, notebook_path)]`` for every input, named by :func:`name_students`.

    A notebook reached through a symlinked folder inside an input folder (``submitted/mallory ->
    submitted/alice``) is not graded, and a note says so.

    Raises:
        DiscoveryError: an input does not exist, is a file that is not a notebook, or a folder with none.
    """
    found, skipped = [], []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            here = _in_folder(path.resolve(), assignment)
            if not here:
                raise DiscoveryError(
                    f"{raw}: no notebook here (give a notebook, a folder of notebooks, nbgrader's submitted/ "
                    f"or a student's folder in it: submitted/<student>/{assignment}/{assignment}.ipynb)")
            for student, nb in here:
                shown = path / nb.relative_to(path.resolve())
                if _through_symlink(nb):
                    skipped.append(f"{shown}: not graded (reached through a symlinked folder)")
                else:
                    found.append((student, shown))
        elif os.path.lexists(path):  # a file, a symlink, a pipe: read_input refuses all but regular files
            if path.suffix != ".ipynb":
                raise DiscoveryError(f"{raw}: not a notebook (.ipynb)")
            found.append((_student_of(Path(os.path.abspath(path)), assignment), path))
        else:
            raise DiscoveryError(f"{raw}: no such notebook or folder")
    named = name_students(found)
    named.notes += skipped
    return named
