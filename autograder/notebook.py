"""Assemble the program the grader runs from a submission.

The rules live in each assignment's cells module, ``source/<id>/<cells module>.py`` (shipped to students, whose self-check runs
their notebook by the same rules): locked cells always come from the source; solution cells come from
the submission, found by nbgrader ``grade_id``, else by what they define; cells the student added give
only the definitions the solution needs.  Test cells, markdown and cells tagged ``experiment`` (MNIST
training, plots) or ``self-check`` (the students' ungraded checks) are not run during grading.

A submission is an untrusted file: :func:`read_input` reads only a regular file (no symlink, FIFO or
device) no larger than :data:`MAX_NOTEBOOK_BYTES`, checked before reading, and :func:`read_notebook`
accepts only a well-formed notebook (:func:`check_notebook`); both raise :class:`NotebookError`, whose
message is one line.
"""
import json
import os
import pprint
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import packs, paths

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"  # where a hidden check cell's region starts (gone in the release)


def rules(pack=None):
    """The module of ``pack``'s rules that match a submission's cells to the assignment's (shipped to
    students, whose self-check runs by the same rules; every assignment ships the same rules with its own table)."""
    pack = pack or packs.load()
    return paths.course_module(pack.cells_module, pack.source_dir)


cells = rules()  # the rules (the same in every pack) for what needs no assignment's table
EXPERIMENT_TAG, SELF_CHECK_TAG, NOT_GRADED_TAGS = cells.EXPERIMENT_TAG, cells.SELF_CHECK_TAG, cells.NOT_GRADED_TAGS


class NotebookError(ValueError):
    """A submission that cannot be graded as it is (the message is one line, for the student)."""


@dataclass
class Program:
    """Code cells to execute, in source order, plus what went wrong while matching them."""
    cells: list = field(default_factory=list)      # [{"grade_id": key, "code": str}] (keys: the rules' ``ProgramCell``)
    problems: dict = field(default_factory=dict)   # grade_id (or another key) -> what is wrong, for the student
    notes: list = field(default_factory=list)      # [[kind, text]]: cells found other than by their id, helpers taken
    labels: dict = field(default_factory=dict)     # key -> the cell in the student's terms


def read_input(path, limit=MAX_NOTEBOOK_BYTES):
    """The bytes of ``path`` if it is a regular file (not a symlink) of at most ``limit`` bytes.

    The type and size are checked before any byte is read, on the opened file itself (``O_NOFOLLOW``,
    ``O_NONBLOCK``: a symlink is refused, a FIFO does not block), so it cannot change in between.

    Raises:
        NotebookError: a symlink, FIFO, device or folder, a file over ``limit``, or one that cannot be opened.
    """
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise NotebookError(f"not a regular file ({_kind(os.lstat(path).st_mode)})")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise NotebookError(f"cannot be opened: {err.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise NotebookError(f"larger than {limit // 2**20} MiB ({info.st_size} bytes)")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise NotebookError(f"larger than {limit // 2**20} MiB")
    return data


def _kind(mode):
    kinds = [(stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISDIR, "a folder"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "not a plain file")


def parse_notebook(data):
    """The notebook in ``data`` (bytes), checked by :func:`check_notebook`; never executes anything.

    Raises:
        NotebookError: not UTF-8, not JSON, JSON nested too deeply, or not a well-formed notebook.
    """
    try:
        nb = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError("not UTF-8 text") from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply") from None
    except ValueError as err:
        raise NotebookError(f"not JSON ({str(err).splitlines()[0]})") from None
    check_notebook(nb)
    return nb


def _check_cell(i, cell):
    if not isinstance(cell, dict):
        raise NotebookError(f"cell {i} is not a JSON object")
    if not isinstance(cell.get("cell_type"), str):
        raise NotebookError(f"cell {i}: cell_type is not text")
    src = cell.get("source", "")
    if not (isinstance(src, str) or isinstance(src, list) and all(isinstance(s, str) for s in src)):
        raise NotebookError(f"cell {i}: source is not text or a list of text")
    if not isinstance(cell.get("id", ""), str):
        raise NotebookError(f"cell {i}: id is not text")
    meta = cell.get("metadata", {})
    if not isinstance(meta, dict):
        raise NotebookError(f"cell {i}: metadata is not a JSON object")
    tags = meta.get("tags", [])
    if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise NotebookError(f"cell {i}: tags are not a list of text")
    nbg = meta.get("nbgrader", {})
    if not isinstance(nbg, dict):
        raise NotebookError(f"cell {i}: nbgrader metadata is not a JSON object")
    if not isinstance(nbg.get("grade_id", ""), str):
        raise NotebookError(f"cell {i}: grade_id is not text")
    if not isinstance(nbg.get("points", 0), (int, float)) or isinstance(nbg.get("points"), bool):
        raise NotebookError(f"cell {i}: points is not a number")


def check_notebook(nb):
    """Raise :class:`NotebookError` unless ``nb`` (parsed JSON) has the shape grading relies on.

    A JSON object with a list of cells; each cell an object whose ``cell_type``, ``id`` and
    ``metadata.nbgrader.grade_id`` are text, ``source`` text or a list of text, ``metadata`` and its
    ``nbgrader`` objects, ``tags`` a list of text and ``points`` a number (where present).
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no cell list)")
    for i, cell in enumerate(nb["cells"]):
        _check_cell(i, cell)


def read_notebook(path):
    """Read and parse a notebook file (:func:`read_input`, :func:`parse_notebook`)."""
    return parse_notebook(read_input(path))


def _text(cell):
    return cells.cell_text(cell)


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def graded_cells(source_nb):
    """Source cells the grader runs (the rules' ``is_graded``), with their nbgrader metadata."""
    for cell in source_nb["cells"]:
        if cells.is_graded(cell):
            yield cell, _nbgrader(cell)


def template(source_path=None, pack=None):
    """The assignment's :class:`Template` (of its cells module), from its source notebook (or ``source_path``)."""
    pack = pack or packs.load()
    return rules(pack).Template.from_notebook(read_notebook(source_path or pack.notebook), hidden_from=HIDDEN_TESTS)


def assemble(submission_path, source_path=None, pack=None):
    """Return the :class:`Program` for one submission notebook of ``pack`` (cells matched by the pack's rules)."""
    pack = pack or packs.load()
    cells = rules(pack)
    course = template(source_path, pack)
    program = Program()
    try:
        sub_cells = read_notebook(submission_path)["cells"]
    except NotebookError as err:
        sub_cells = []
        program.problems["notebook"] = f"submission notebook could not be read: {err}"
    found = cells.match(sub_cells, course)
    for cell in found.program(course):
        program.cells.append({"grade_id": cell.key, "code": cells.python_source(cell.code)})
        program.labels[cell.key] = cell.label
    program.problems.update(found.problems)
    program.notes = found.notes
    return program


TABLE_LINE = "\nTABLE = "  # a cells module ends with its table (what students' self-checks match against)


def module_with_table(pack=None):
    """The text the pack's cells module should have: the rules of the default assignment's (one source for
    every pack) and, at the end, its TABLE: the template of its source notebook."""
    pack = pack or packs.load()
    text = Path(cells.__file__).read_text()
    table = pprint.pformat(template(pack=pack).table(), width=110, sort_dicts=False, compact=True)
    return text[:text.index(TABLE_LINE)] + TABLE_LINE + table + "\n"


def sync_table(pack=None):
    """Rewrite the pack's cells module (rules and TABLE) from the source notebook; returns True if it changed."""
    path = Path(rules(pack).__file__)
    after = module_with_table(pack)
    if after != path.read_text():
        path.write_text(after)
        return True
    return False


def manual_points(source_nb):
    """Points nbgrader leaves to a human: its grade cells that are also solution cells (the written answers)."""
    return sum(float(nbg.get("points", 0)) for nbg in map(_nbgrader, source_nb["cells"])
               if nbg.get("grade") and nbg.get("solution"))
