"""Find submissions, and name each one for its student.

A grading input is a notebook (``alice.ipynb``: student ``alice``; ``submitted/alice/<id>/x.ipynb``
and ``class/alice/<id>.ipynb``: ``alice``), a folder in any layout :mod:`.exports` reads
(nbgrader's ``submitted/`` tree or one student's folder of it, a folder of notebooks, a folder per
student, Gradescope's, Canvas's and Moodle's submission downloads), or any of these as a ``.zip``
(opened by :mod:`.unzip`).  What is found is only listed here; whether it is a regular file is checked
when it is read (:func:`autograder.notebook.read_input`), so a symlink or a pipe gets its own error result.

Every student gets a distinct name that is safe as a folder of the output: a name made of letters,
digits and ``_.-`` (not starting with ``.`` or ``-``, at most :data:`MAX_NAME` characters) that is
not one of the files the runner writes at the top of the output (:data:`OUTPUT_FILES`) is kept; any
other becomes its safe form plus ``~`` and a short hash of the original name (``al ice`` ->
``al_ice~1f4c2a``), the same on every run; a name found twice gets ``~2``, ``~3``, ...  A name of
that form is kept as it is, so that an output name read back (``grade --submitted``'s copies, a
student's output folder) stays the same; no two students are merged, as a second one gets ``~2``.
Names that differ only in case would share a folder where the file system ignores case (macOS,
Windows): such a name, among this run's or beside a student folder already in the output, gets the
hash form too (``Ana`` and ``ana`` -> ``Ana~7d1e0b`` and ``ana~...``).  Each renaming is listed in
:attr:`Found.notes`, and so is each student of an LMS export, beside where it came from
(:attr:`Found.origins` keeps them all).
"""
import hashlib
import itertools
import os
import re
from pathlib import Path

from .. import packs
from .exports import LMS_KINDS, ExportError, Origin, read_folder
from .unzip import ZipRefused, extract

#: What the runner writes at the top of its output folder, beside one folder per student.
OUTPUT_FILES = ("grades.csv", "summary.txt", "summary.png", "similarity.csv", "similarity.html", "students.csv",
                "canvas-grades.csv", "moodle-grades.csv")
MAX_NAME = 64
_KEPT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(~[0-9a-f]{6})?(~[0-9]+)?")  # a safe name, or one this module made


class DiscoveryError(ValueError):
    """A grading input that does not exist or holds no notebook (the message is one line)."""


class Found(list):
    """``[(student, notebook)]``; ``notes``: one line per student whose name was changed (and why) or who
    comes from an LMS export; ``origins``: student -> :class:`~.exports.Origin`."""

    def __init__(self, pairs=(), notes=(), origins=None):
        super().__init__(pairs)
        self.notes = list(notes)
        self.origins = dict(origins or {})


def _hashed(original):
    """The safe form of ``original`` plus ``~`` and a short hash of it: the same on every run."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", original).strip("._-")[:MAX_NAME] or "student"
    return f"{safe}~{hashlib.sha256(original.encode('utf-8', 'surrogateescape')).hexdigest()[:6]}"


def student_name(original):
    """The output name of a student called ``original`` (see the module docstring), and why it changed or None."""
    reserved = original.lower() in OUTPUT_FILES
    if not reserved and len(original) <= MAX_NAME and _KEPT.fullmatch(original):
        return original, None
    return _hashed(original), "the name of an output file" if reserved else "not safe as a folder name"


def _case_clashes(wanted, existing):
    """The names among ``wanted`` that equal another name of ``wanted`` or of ``existing`` but for case."""
    spellings = {}
    for name in {*wanted, *existing}:
        spellings.setdefault(name.lower(), set()).add(name)
    return {name for name in wanted if len(spellings[name.lower()]) > 1}


def name_students(found, origins=None, existing=()):
    """:class:`Found` for ``[(original name, notebook)]``: every student under a distinct output name.

    ``origins``: the :class:`~.exports.Origin` of each, in the same order (default: a notebook each).
    ``existing``: the student folders already in the output (a name that equals one but for case is renamed).
    """
    origins = origins or [Origin("notebook", original, where=str(nb)) for original, nb in found]
    wanted = [student_name(original) for original, _ in found]
    clashes = _case_clashes([name for name, why in wanted if why is None], existing)
    wanted = [(_hashed(original), "another student's name but for capitals (one folder where case is ignored)")
              if name in clashes else (name, why) for (original, _), (name, why) in zip(found, wanted)]
    everyone = {name for name, _ in wanted}
    named, notes, taken, by_name = [], [], set(), {}
    for (original, nb), origin, (name, why) in zip(found, origins, wanted):
        if name in taken:  # a second one: the first free ~N that no other student has or asks for
            used = taken | everyone
            n = next(n for n in itertools.count(2) if f"{name}~{n}" not in used)
            name, why = f"{name}~{n}", f"a second submission for {name}"
        taken.add(name)
        named.append((name, nb))
        by_name[name] = origin
        if why:
            notes.append(f"student {original!r} ({origin.where or nb}) is graded as {name}: {why}")
        elif origin.kind in LMS_KINDS:
            notes.append(f"{name} is {origin.describe()}")
    return Found(named, notes, by_name)


def _student_of(notebook, assignment):
    """The student of a notebook given alone: its nbgrader folder's, its own folder's, else its name."""
    if notebook.parent.name == assignment:
        return notebook.parent.parent.name
    return notebook.parent.name if notebook.stem == assignment else notebook.stem


def _through_symlink(notebook):
    """Whether a folder on the way to ``notebook`` (found under a resolved input folder) is a symlink."""
    return os.path.realpath(notebook.parent) != str(notebook.parent)


def _listing(raw, path, assignment):
    """The :mod:`.exports` listing of a folder or zip input, notes and all (never empty)."""
    notes = []
    try:
        if path.is_dir():
            folder, label = path.resolve(), str(path)
        else:
            extracted = extract(path)
            folder, label, notes = extracted.folder, str(path), extracted.notes
        listing = read_folder(folder, assignment, label)
    except (ExportError, ZipRefused) as err:
        raise DiscoveryError(f"{raw}: {err}") from None
    if not listing or not listing.entries:
        raise DiscoveryError(
            f"{raw}: no notebook here (give a notebook, a folder of notebooks, nbgrader's submitted/ or a student's "
            f"folder in it, a folder per student, Gradescope's, Canvas's or Moodle's download, or a .zip of one)")
    listing.notes[:0] = notes
    return folder, listing


def discover(inputs, assignment=None, existing=()):
    """:class:`Found`: ``[(student, notebook_path)]`` for every input of ``assignment`` (an id; default: the
    course's default), named by :func:`name_students` (``existing``: the student folders already in the output).

    A notebook reached through a symlinked folder inside an input folder (``submitted/mallory ->
    submitted/alice``) is not graded, and a note says so.  What an export leaves out (a resubmission
    but the latest, a submission without a notebook) is listed in the notes too.

    Raises:
        DiscoveryError: an input does not exist, is a file that is neither a notebook nor a zip, is not
            a readable zip, or holds no notebook.
    """
    assignment = assignment or packs.default_id()
    found, origins, skipped = [], [], []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir() or path.suffix.lower() == ".zip" and path.is_file():
            folder, listing = _listing(raw, path, assignment)
            skipped += listing.notes
            for origin, nb in listing.entries:
                shown = path / nb.relative_to(folder) if path.is_dir() else nb
                if path.is_dir() and _through_symlink(nb):
                    skipped.append(f"{shown}: not graded (reached through a symlinked folder)")
                else:
                    found.append((origin.wanted, shown))
                    origins.append(origin)
        elif os.path.lexists(path):  # a file, a symlink, a pipe: read_input refuses all but regular files
            if path.suffix != ".ipynb":
                raise DiscoveryError(f"{raw}: not a notebook (.ipynb) or a .zip")
            found.append((_student_of(Path(os.path.abspath(path)), assignment), path))
            origins.append(Origin("notebook", found[-1][0], where=str(raw)))
        else:
            raise DiscoveryError(f"{raw}: no such notebook or folder")
    named = name_students(found, origins, existing)
    named.notes += skipped
    return named
