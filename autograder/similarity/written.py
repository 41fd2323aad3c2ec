"""What each student wrote: their solution cells, less the lines the release gives.

Solution cells are found as the grader finds them (the pack's cells module, ``match``: by nbgrader ``grade_id``, else
by what they define; a solution split over cells is compared as one).  A line of a submitted cell is *given* when a line
diff pairs it with the same line (surrounding whitespace ignored) of the release's cell: signatures,
comments, ``raise NotImplementedError()``, given helpers.  Every other non-blank line is *written*.

Each cell is compared up to :data:`MAX_LINES` lines and :data:`MAX_CHARS` characters (the reference's
longest cell has 53 lines and 2,272 characters); the rest is cut, and the cut is recorded (:attr:`Cell.cut`)
and shown, so a notebook of megabytes costs no more than one at the cap.  Code hidden in string
literals (``exec`` of a literal, base64, ...) is put back as code first (:mod:`.reveal`) and recorded
(:attr:`Cell.hidden`).
"""
import difflib
from dataclasses import dataclass, field

from .. import notebook, packs
from .reveal import reveal

REFERENCE = "(reference solution)"  # the reference's name: no student's (discover() never makes parentheses)
MAX_LINES, MAX_CHARS = 300, 15_000   # of a cell compared; the rest is cut


@dataclass
class Cell:
    """One solution cell of one submission."""
    lines: list                                  # the cell's source lines (code hidden in literals put back)
    written: frozenset = frozenset()             # indices of the lines the student wrote
    hidden: list = field(default_factory=list)   # how code was hidden in string literals (:func:`.reveal.describe`)
    cut: str = ""                                # what was cut at the cap, if anything


def capped(text):
    """``(text, what was cut or "")``: ``text`` up to :data:`MAX_LINES` lines and :data:`MAX_CHARS` characters."""
    head, end = text[:MAX_CHARS], -1
    for _ in range(MAX_LINES):
        end = head.find("\n", end + 1)
        if end < 0:
            break
    else:
        head = head[:end]
    if len(head) >= len(text.rstrip("\n")):
        return text, ""
    lines = text.count("\n") + (not text.endswith("\n"))
    return head, (f"cut at {len(head):,} of {len(text):,} characters, line {head.count(chr(10)) + 1:,} "
                  f"of {lines:,}")


def make_cell(text, given):
    """The :class:`Cell` of a solution cell's ``text``, against the release's lines ``given``."""
    text, cut = capped(text)
    text, hidden = reveal(text)
    if hidden:
        text, more = capped(text)
        cut = cut or more
    lines = text.splitlines()
    return Cell(lines, written(lines, given), hidden, cut)


@dataclass
class Submission:
    """One student's (or the reference's) solution cells and what went wrong while reading them."""
    name: str
    cells: dict = field(default_factory=dict)    # grade_id -> Cell
    notes: list = field(default_factory=list)    # one line each: an unreadable notebook, a cell that is not text


class NotText(ValueError):
    """A cell whose ``source`` is neither a string nor a list of strings."""


def cell_text(cell):
    """The source of a notebook cell (dict) as one string.

    Raises:
        NotText: the source is not text.
    """
    src = cell.get("source", "")
    if isinstance(src, str):
        return src
    if isinstance(src, list) and all(isinstance(part, str) for part in src):
        return "".join(src)
    raise NotText(f"its source is {type(src).__name__}, not text")


def written(lines, given):
    """Indices of the non-blank ``lines`` that a line diff does not pair with a line of ``given``."""
    matcher = difflib.SequenceMatcher(None, [g.strip() for g in given], [s.strip() for s in lines],
                                      autojunk=False)
    paired = {b + i for _, b, size in matcher.get_matching_blocks() for i in range(size)}
    return frozenset(i for i, line in enumerate(lines) if line.strip() and i not in paired)


def solution_cells(nb):
    """``{grade_id: text}`` of a notebook's (source or release) solution code cells, in order."""
    return {nbg["grade_id"]: cell_text(cell) for cell, nbg in notebook.graded_cells(nb) if nbg.get("solution")}


def code_cells(nb):
    """The text of every code cell of a notebook whose source is text."""
    out = []
    for cell in nb["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            try:
                out.append(cell_text(cell))
            except NotText:
                continue
    return out


@dataclass
class Template:
    """The release's given code and the reference solution, per solution cell."""
    given: dict                                  # grade_id -> the release cell's lines
    reference: Submission                        # the source notebook's solution cells
    source_code: list = field(default_factory=list)   # every code cell of the source notebook
    release_code: list = field(default_factory=list)  # every code cell of the release notebook
    cells: object = None                         # the assignment's cells Template: how the grader finds cells

    @classmethod
    def load(cls, pack=None):
        """Read the source and release notebooks of ``pack`` (default: the course's default assignment)."""
        pack = pack or packs.load()
        release_nb, source_nb = notebook.read_notebook(pack.release_notebook), notebook.read_notebook(pack.notebook)
        given = {gid: text.splitlines() for gid, text in solution_cells(release_nb).items()}
        ref_cells = solution_cells(source_nb)
        reference = Submission(REFERENCE)
        for gid, text in ref_cells.items():
            reference.cells[gid] = make_cell(text, given.get(gid, []))
        return cls(given, reference, code_cells(source_nb), code_cells(release_nb),
                   notebook.rules(pack).Template.from_notebook(source_nb))

    @property
    def cell_ids(self):
        """The solution cells' ``grade_id``, in notebook order."""
        return list(self.reference.cells)

    def read(self, name, path):
        """The :class:`Submission` of notebook ``path``; a problem becomes a note, never an exception."""
        sub = Submission(name)
        try:
            nb = notebook.read_notebook(path)
        except (OSError, ValueError, UnicodeDecodeError, RecursionError) as err:
            sub.notes.append(f"{name}: notebook could not be read ({_short(err)}); nothing of it is compared")
            return sub
        found = notebook.cells.match(nb["cells"], self.cells)
        for gid in self.cell_ids:
            parts = found.parts.get(gid, [])
            if not parts:
                sub.notes.append(f"{name}: the solution cell {gid!r} is missing or ambiguous; not compared")
                continue
            sub.cells[gid] = make_cell("\n".join(p.code for p in parts), self.given.get(gid, []))
        return sub


def _short(err, limit=120):
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."
