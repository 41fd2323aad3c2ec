"""Which cells of your notebook the autograder runs, found the way it finds them.

Given code: do not edit this module.  ``nice_checks.check_all`` uses it to run your solution cells the
way the autograder will, and the autograder itself imports it, so both follow the same rules:

* **Given cells** (the locked cells with given code) always come from the course's own copy.
* **Your solution cells** (those that said ``raise NotImplementedError()``) are found by their nbgrader
  id, kept in the cell's metadata.  Where it is gone (editors other than Jupyter may drop cell
  metadata) the cell is found by what it defines: the classes and functions that the assignment's cell
  defines (its ``class``/``def`` lines).  Reordered cells and new cell ids do not matter; a solution
  split over several cells is run as one, in notebook order; a solution cell switched to markdown or
  raw is run as the code it holds.  A class or function defined in two such cells is ambiguous: neither
  cell is run, and the notes say so.
* **Cells you added** are not run.  Only the definitions your solution cells need are taken from them:
  a ``def``, ``class`` or ``import``, or a constant written as a literal (``EPS = 1e-6``) or a
  ``lambda``, of a name that your solution cells use and that no cell the grader runs defines.
  Nothing else of an added cell runs (training, plots, prints), and every definition taken is named in
  the notes.  Moving such a helper into the solution cell that uses it is safer.
* Cells that train on MNIST or make plots (tag ``experiment``), the self-checks and markdown are not run.

Each way a cell was found other than by its id, and everything the grader could not find, is a note
for you (:attr:`Match.notes`, :attr:`Match.problems`), said in terms of what the cells define.

Standard library only; nothing here runs the code it reads (``ast`` and ``symtable`` parse it).
"""
import ast
import builtins
import functools
import hashlib
import re
import symtable
from dataclasses import dataclass, field

EXPERIMENT_TAG = "experiment"
SELF_CHECK_TAG = "self-check"
NOT_GRADED_TAGS = (EXPERIMENT_TAG, SELF_CHECK_TAG)  # given cells that grading never runs
#: A cell longer than this is not parsed (its definitions come from its ``def``/``class`` lines).
MAX_PARSED = 1_000_000
_DEF_LINE = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)
_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__builtins__", "__doc__"}


# ------------------------------------------------------------------------------------- reading code
def cell_text(cell):
    """The source of a notebook cell (a dict) as one string."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    """A cell's nbgrader id, or None."""
    return _nbgrader(cell).get("grade_id") or None


def not_graded_tag(cell):
    """The first of :data:`NOT_GRADED_TAGS` a cell carries, or None."""
    return next((t for t in cell.get("metadata", {}).get("tags", []) if t in NOT_GRADED_TAGS), None)


def is_graded(cell):
    """Whether grading runs this cell of the assignment: code with an nbgrader id that is neither a test
    cell nor tagged as an experiment or a self-check."""
    nbg = _nbgrader(cell)
    return (cell.get("cell_type") == "code" and bool(nbg.get("grade_id")) and not not_graded_tag(cell)
            and not (nbg.get("grade") and not nbg.get("solution")))


def python_source(text):
    """``text`` with IPython's magic and shell lines (``%...``, ``!...``) made comments, line for line."""
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in text.splitlines())


def _tree(text):
    """The module AST of ``text``, or None when it is not Python (or too long to parse here)."""
    if len(text) > MAX_PARSED:
        return None
    try:
        return ast.parse(python_source(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@functools.lru_cache(maxsize=1024)
def definitions(text, strict=False):
    """The names of the classes and functions ``text`` defines at its top level, in order.

    Code that does not parse is read by its ``def``/``class`` lines (at the start of a line), unless
    ``strict``: then it defines nothing (a markdown cell must be Python to count as code).
    """
    tree = _tree(text)
    if tree is None:
        return () if strict else tuple(dict.fromkeys(_DEF_LINE.findall(text)))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return tuple(dict.fromkeys(node.name for node in tree.body if isinstance(node, kinds)))


@functools.lru_cache(maxsize=1024)
def scope_names(text):
    """``(bound, used)``: the names ``text`` binds at its top level, and the global names it reads anywhere
    (at the top level before or without binding them, or inside its functions and classes)."""
    if len(text) > MAX_PARSED:
        return frozenset(definitions(text)), frozenset()
    try:
        table = symtable.symtable(python_source(text), "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset(definitions(text)), frozenset()
    top = table.get_symbols()
    bound = {s.get_name() for s in top if s.is_assigned() or s.is_imported() or s.is_namespace()}
    used = {s.get_name() for s in top if s.is_referenced()} - bound
    scopes = list(table.get_children())
    while scopes:
        scope = scopes.pop()
        scopes += scope.get_children()
        used |= {s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced()}
    return frozenset(bound), frozenset(used - _BUILTINS)


def fingerprint(text):
    """A short hash of ``text`` that ignores trailing spaces and blank lines at either end."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return hashlib.sha256("\n".join(lines).strip("\n").encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------- the template
@dataclass(frozen=True)
class Slot:
    """One cell of the assignment that grading runs."""
    grade_id: str
    solution: bool
    names: tuple      # solution: the classes and functions the assignment's cell defines; given: every name it binds
    code: str = ""    # given: the course's code (where the source notebook was read; "" in :data:`TABLE`)


@dataclass(frozen=True)
class Template:
    """The assignment's cells: those grading runs, in order, and how to recognise every cell the course gives."""
    slots: tuple                                 # of Slot
    known: dict = field(default_factory=dict)    # fingerprint of a given cell's text -> [grade_id] (alike: several)
    ids: frozenset = frozenset()                 # every grade_id of the assignment

    @classmethod
    def from_notebook(cls, nb, hidden_from=None):
        """The template of the source (or release) notebook ``nb`` (parsed JSON).

        ``hidden_from``: the line where a cell's hidden region starts, if any; a cell is then known by
        its text up to there (what the release shows of it).
        """
        slots, known, ids = [], {}, set()
        for cell in nb["cells"]:
            gid, nbg = grade_id(cell), _nbgrader(cell)
            if not gid:
                continue
            ids.add(gid)
            text = cell_text(cell)
            if nbg.get("locked") and not nbg.get("solution"):
                shown = text.split(hidden_from)[0] if hidden_from else text
                known.setdefault(fingerprint(shown), []).append(gid)
            if not is_graded(cell):
                continue  # markdown, experiments, self-checks and test cells are not run
            if nbg.get("solution"):
                slots.append(Slot(gid, True, definitions(text)))
            else:
                slots.append(Slot(gid, False, tuple(sorted(scope_names(text)[0])), text))
        return cls(tuple(slots), known, frozenset(ids))

    def table(self):
        """The template as plain data, without the given code (what :data:`TABLE` holds)."""
        return {"slots": [[s.grade_id, s.solution, list(s.names)] for s in self.slots],
                "known": dict(sorted(self.known.items(), key=lambda kv: kv[1])), "ids": sorted(self.ids)}

    @classmethod
    def from_table(cls, table):
        return cls(tuple(Slot(g, s, tuple(n)) for g, s, n in table["slots"]),
                   {k: list(v) for k, v in table["known"].items()}, frozenset(table["ids"]))


# ------------------------------------------------------------------------------------------ matching
@dataclass
class Part:
    """A cell of the submission that holds (part of) a solution."""
    index: int        # its position in the notebook, from 0
    code: str
    cell_type: str
    by: str           # "id" or "content"


@dataclass
class Helper:
    """Definitions taken from a cell the student added."""
    index: int        # the cell's position in the notebook, from 0
    names: list       # the names it gives the program
    code: str         # those definitions, in the cell's order
    rest: bool        # whether the cell holds anything else (not run)


@dataclass
class ProgramCell:
    key: str          # a given cell's grade_id, a solution's (``ID+2``: the second cell of a split one), ``+added-N``
    code: str
    label: str        # the cell in the student's terms


@dataclass
class Match:
    """How a submission's cells map onto the assignment's."""
    cells: list                                   # the submission's cells
    given: dict = field(default_factory=dict)     # given cell's grade_id -> position of the submission's copy
    parts: dict = field(default_factory=dict)     # solution grade_id -> [Part] (empty: missing or ambiguous)
    helpers: list = field(default_factory=list)   # [Helper]
    problems: dict = field(default_factory=dict)  # grade_id, or "+NAME" for a helper -> what is wrong
    notes: list = field(default_factory=list)     # [[kind, text]]: how cells were found other than by id

    def program(self, template, given_code=None):
        """The cells to run, in order: given cells (``given_code(slot)``, default the course's code),
        solution parts and the definitions taken from added cells (after the cell they follow).

        ``given_code`` may return None for a given cell it does not have: it is left out.
        """
        order, where = [], {}  # (position, rank, ProgramCell); position: slot order (helpers in between)
        for rank, slot in enumerate(template.slots):
            where[slot.grade_id] = rank
            if not slot.solution:
                code = slot.code if given_code is None else given_code(slot)
                if code is not None:
                    order.append((rank, 0, ProgramCell(slot.grade_id, code, _given_label(slot, code))))
                continue
            for k, part in enumerate(self.parts.get(slot.grade_id, [])):
                key = slot.grade_id if k == 0 else f"{slot.grade_id}+{k + 1}"
                label = f"your cell defining {_names(self._defines(part, slot))}"
                order.append((rank, k, ProgramCell(key, part.code, label)))
        for h in self.helpers:
            rank = self._rank_before(h.index, template, where)
            order.append((rank + 0.5, h.index, ProgramCell(
                f"+added-{h.index + 1}", h.code, f"the definition{'s' * (len(h.names) > 1)} of {_names(h.names)} "
                                                 f"taken from {self.describe(h.index)}")))
        return [cell for _, _, cell in sorted(order, key=lambda o: (o[0], o[1]))]

    def _defines(self, part, slot):
        found = [n for n in definitions(part.code) if n in slot.names]
        return found or list(slot.names)

    def _rank_before(self, index, template, where):
        """The slot rank after which a cell at ``index`` runs: that of the nearest cell above it the
        assignment knows (-1: before every slot)."""
        placed = {i: gid for gid, i in self.given.items()}
        placed.update({p.index: gid for gid, parts in self.parts.items() for p in parts})
        for i in range(index - 1, -1, -1):
            gid = placed.get(i) or grade_id(self.cells[i])
            if gid in where:
                return where[gid]
        return -1

    def describe(self, index):
        """A cell of the submission as the student can find it: its position and first line."""
        first = next((line.strip() for line in cell_text(self.cells[index]).splitlines() if line.strip()), "")
        first = first if len(first) <= 60 else first[:57] + "..."
        kind = self.cells[index].get("cell_type", "code")
        return f"cell {index + 1}" + (f", a {kind} cell" if kind != "code" else "") + (
            f", which starts `{first}`" if first else ", which is empty")


def _names(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _given_label(slot, code):
    public = [n for n in definitions(code) if not n.startswith("_")]
    if public:
        return f"the given cell defining {_names(public)}"
    first = next((line.strip() for line in code.splitlines() if line.strip()), "")
    return f"the given cell that starts `{first[:60]}`"


def match(cells, template):
    """:class:`Match` of a submission's ``cells`` (parsed JSON) against the assignment's ``template``."""
    m = Match(cells)
    claimed = set()
    for i, cell in enumerate(cells):  # the course's cells: by id, else by their text
        gid = grade_id(cell) if grade_id(cell) in template.ids else \
            next(iter(template.known.get(fingerprint(cell_text(cell)), [])), None)
        if gid and not any(s.solution and s.grade_id == gid for s in template.slots):
            claimed.add(i)
            if any(s.grade_id == gid and not s.solution for s in template.slots):
                m.given.setdefault(gid, i)
    solutions = [s for s in template.slots if s.solution]
    for slot in solutions:  # by id
        carriers = [i for i, c in enumerate(cells) if grade_id(c) == slot.grade_id]
        claimed.update(carriers)
        m.parts[slot.grade_id] = _by_id(m, slot, carriers)
    found_by_content = []
    for slot in solutions:  # by what they define
        if slot.grade_id in m.problems:
            continue
        covered = {n for parts in m.parts.values() for p in parts for n in definitions(p.code)}
        missing = [n for n in slot.names if n not in covered]
        if not missing:
            continue
        pool = [i for i in range(len(cells)) if i not in claimed]
        chosen = _by_content(m, slot, missing, pool)
        if chosen:
            claimed.update(chosen)
            m.parts[slot.grade_id] += [Part(i, cell_text(cells[i]), cells[i].get("cell_type", "code"), "content")
                                       for i in chosen]
            m.parts[slot.grade_id].sort(key=lambda p: p.index)
            found_by_content.append(slot)
        if not m.parts[slot.grade_id] and slot.grade_id not in m.problems:
            names = _names(slot.names)
            m.problems[slot.grade_id] = (f"the solution cell defining {names} is missing from the submission: "
                                         f"no cell has its nbgrader id and none defines {names}")
    if found_by_content:
        m.notes.insert(0, ["content", "found by what they define, not by their nbgrader id (the cell metadata that "
                           "names each cell was lost or changed, e.g. by an editor other than Jupyter): your cells "
                           "defining " + "; ".join(_names(s.names) for s in found_by_content)])
    for slot in solutions:
        parts = m.parts[slot.grade_id]
        for p in parts:
            if p.cell_type != "code":
                m.notes.append(["type", f"your cell defining {_names(m._defines(p, slot))} is a {p.cell_type} cell, "
                                        f"not a code cell: graded as the code it holds (make it a code cell again)"])
        if len(parts) > 1:
            m.notes.append(["split", f"your solution defining {_names(slot.names)} is split over {len(parts)} cells ("
                                     + "; ".join(m.describe(p.index) for p in parts)
                                     + "): graded as one cell, in notebook order"])
    _note_shadows(m, solutions, claimed)
    _take_helpers(m, template, claimed)
    return m


def _note_shadows(m, solutions, claimed):
    """Say where a cell the grader does not run also defines what a solution cell found by its id defines
    (an old attempt, a scratch copy): in the kernel the cell run last wins, here the solution cell does."""
    others = [i for i in range(len(m.cells)) if i not in claimed]
    for slot in solutions:
        mine = {n for p in m.parts[slot.grade_id] if p.by == "id" for n in definitions(p.code) if n in slot.names}
        for i in others:
            also = [n for n in definitions(cell_text(m.cells[i]), strict=m.cells[i].get("cell_type") != "code")
                    if n in mine]
            if also:
                m.notes.append(["shadow", f"{_names(also)} {'is' if len(also) == 1 else 'are'} also defined in "
                                          f"{m.describe(i)}, which the grader does not run: it grades your solution "
                                          f"cell (the one with the nbgrader id), whatever your kernel ran last"])


def _by_id(m, slot, carriers):
    """The parts of a solution found by its id: one cell, or several that split it (each defining other names)."""
    cells = m.cells
    if not carriers:
        return []
    texts = {fingerprint(cell_text(cells[i])) for i in carriers}
    if len(texts) == 1:
        carriers = carriers[:1]  # the same code twice
    defined = {}
    for i in carriers:
        for name in definitions(cell_text(cells[i]), strict=cells[i].get("cell_type") != "code"):
            defined.setdefault(name, []).append(i)
    twice = {n: where for n, where in defined.items() if len(where) > 1 and n in slot.names}
    if twice:
        m.problems[slot.grade_id] = _ambiguous(m, twice, "carry the solution cell's nbgrader id")
        return []
    return [Part(i, cell_text(cells[i]), cells[i].get("cell_type", "code"), "id") for i in carriers]


def _by_content(m, slot, missing, pool):
    """Cells of ``pool`` that together define the ``missing`` names, each name in exactly one cell; [] and a
    problem where a name is defined in several."""
    defines = {i: set(definitions(cell_text(m.cells[i]), strict=m.cells[i].get("cell_type") != "code")) for i in pool}
    chosen, left = [], list(missing)
    while left:
        forced = sorted({where[0] for n in left if len(where := [i for i in pool if n in defines[i]]) == 1})
        if not forced:
            break
        chosen += forced
        left = [n for n in left if not any(n in defines[i] for i in forced)]
    twice = {n: where for n in left if len(where := [i for i in pool if n in defines[i]]) > 1}
    if twice:
        m.problems[slot.grade_id] = _ambiguous(m, twice, "")
        return []
    for n in missing:
        others = [i for i in pool if n in defines[i] and i not in chosen]
        if others:
            m.notes.append(["content", f"{n} is also defined in {'; '.join(m.describe(i) for i in others)}: "
                                       f"not graded (the cell that also defines what the solution cell defines is)"])
    return sorted(chosen)


def _ambiguous(m, twice, how):
    name, where = next(iter(twice.items()))
    more = f" (and {_names(list(twice)[1:])} likewise)" if len(twice) > 1 else ""
    return (f"{name} is defined in {len(where)} cells{' that ' + how if how else ''} ("
            + "; ".join(m.describe(i) for i in where)
            + f"){more}: the grader cannot tell which one is your solution and runs none of them; keep one "
              "(in the solution cell) and delete the others")


# ---------------------------------------------------------------------------- helpers in added cells
def _literal(node):
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False


def _binds(node, text):
    """``(names, is_definition)`` of a top-level statement of the cell ``text``: what it binds, and whether
    that is all it does (a def, class or import, or names given a literal or a lambda)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name], True
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"], True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        flat = [t for target in targets
                for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target])]
        if all(isinstance(t, ast.Name) for t in flat):
            return [t.id for t in flat], _literal(node.value) or isinstance(node.value, ast.Lambda)
    return sorted(scope_names(_statement_lines(text, node))[0]), False


def _statement_lines(text, node):
    lines = text.splitlines()
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(lines[first - 1:node.end_lineno])


def _take_helpers(m, template, claimed):
    """Take from added code cells the definitions of names the program uses and nothing it runs defines."""
    added = [i for i, c in enumerate(m.cells) if c.get("cell_type") == "code" and i not in claimed]
    trees = {i: _tree(cell_text(m.cells[i])) for i in added}
    statements = {}  # name -> [(cell, node, is_definition)]
    for i, tree in trees.items():
        for node in tree.body if tree else []:
            names, is_def = _binds(node, cell_text(m.cells[i]))
            for name in names:
                statements.setdefault(name, []).append((i, node, is_def))
    bound = {n for s in template.slots for n in s.names}  # a solution's own names: missing ones are said above
    used = set()
    for parts in m.parts.values():
        for p in parts:
            b, u = scope_names(p.code)
            bound |= b
            used |= u
    taken, wanted = {}, sorted(used - bound)  # cell -> [node]
    seen = set()
    while wanted:
        name = wanted.pop()
        if name in seen or name in bound:
            continue
        seen.add(name)
        found = statements.get(name, [])
        cells_with = sorted({i for i, _, _ in found})
        if len(cells_with) > 1:
            m.problems["+" + name] = (
                f"{name} (used by your solution) is defined in {len(cells_with)} cells you added ("
                + "; ".join(m.describe(i) for i in cells_with)
                + "): the grader cannot tell which one to use and takes none; keep one, best in the solution cell "
                  "that uses it")
            continue
        if not found:
            continue  # defined nowhere: the check that needs it says so
        i, node, is_definition = found[-1]  # the last one in that cell, as running the cell leaves it
        if not is_definition:
            m.problems["+" + name] = (
                f"{name} (used by your solution) is set in a cell you added ({m.describe(i)}) by code that the "
                "grader does not run (from added cells it takes only def, class, import, and constants written "
                "as literals): move it into the solution cell that uses it")
            continue
        taken.setdefault(i, [])
        if node not in taken[i]:
            taken[i].append(node)
        bound.add(name)
        wanted += sorted(scope_names(_statement_lines(cell_text(m.cells[i]), node))[1] - bound)
    for i in sorted(taken):
        nodes = sorted(taken[i], key=lambda n: n.lineno)
        text = cell_text(m.cells[i])
        names = [n for node in nodes for n in _binds(node, text)[0] if n in seen]
        rest = len(nodes) < len(trees[i].body)
        m.helpers.append(Helper(i, names, "\n\n".join(_statement_lines(text, node) for node in nodes), rest))
        it, its = ("it", "its definition") if len(names) == 1 else ("them", "their definitions")
        m.notes.append(["helper", f"{_names(names)} (used by your solution) {'is' if it == 'it' else 'are'} defined "
                                  f"in a cell you added ({m.describe(i)}): the grader took {its} from there (from "
                                  "added cells it takes only definitions"
                        + ("; the rest of that cell is not run" if rest else "")
                        + f"); moving {it} into the solution cell that uses {it} is safer"])


# ----------------------------------------------------------------------------- the shipped template
#: The assignment's template (:meth:`Template.table` of the source notebook), for ``nice_checks`` in
#: your kernel.  Written by ``python -m autograder hidden-cells``; a test keeps it equal to the source.
TABLE = {'slots': [['setup', False, ['H', 'math', 'np', 'plt', 'tf', 'time']],
           ['noise_scales', True, ['noise_scales']], ['score_model', True, ['ScoreModel']],
           ['dsm_loss', True, ['dsm_loss']], ['training', True, ['train']],
           ['langevin', True, ['langevin_step_size', 'langevin_update', 'annealed_langevin']],
           ['sampling', True, ['sample']],
           ['toy_data', False, ['RING_LIMS', 'ring_sigma_max', 'ring_sigmas', 'ring_test', 'ring_train']],
           ['noise_techniques', False,
            ['brentq', 'minimize_scalar', 'norm', 'technique2_ratio', 'technique4_eps']]],
 'known': {'08c0cbf4795d5671': ['before_submit'],
           '44642d62c033e2ba': ['before_submit_check'],
           '6403b09069217aaa': ['hidden_checks_intro'],
           '607740a235f18a6d': ['hidden_test_annealed_langevin_gaussian'],
           '5b51a30ca798e056': ['hidden_test_dsm_loss_exact_score'],
           '52260c6007882c7a': ['hidden_test_dsm_loss_score_model'],
           'e06b8bdc5961de48': ['hidden_test_langevin_step_size'],
           '85d1fc4f41cb7616': ['hidden_test_langevin_update'],
           '73f40365b75e738c': ['hidden_test_noise_scales_geometric'],
           'd79dc06954e1062b': ['hidden_test_sample_gaussian'],
           'e2379c08cab59c4e': ['hidden_test_score_model_divides_by_sigma'],
           '53803f67ac9c4828': ['hidden_test_score_model_no_output_activation'],
           '78cc70ef095dff92': ['hidden_test_score_model_shape'],
           'e4f1540e4e6acc62': ['hidden_test_training_draws_every_scale'],
           'fdd0f51f64e592ce': ['hidden_test_training_learns_the_scores'],
           '02999ac9906526ac': ['intro'],
           '31012a7a5decd831': ['langevin_intro'],
           'aac88c8d06035109': ['loss_intro'],
           'fb5b79e17209a370': ['mnist_data'],
           '7b13f7fe44984392': ['mnist_intro'],
           'e6b31f7c25de8029': ['mnist_train'],
           '9ae0bbc62a4328ba': ['noise_scales_intro'],
           '6709a260487607f6': ['noise_techniques'],
           'f41f3209833e38fb': ['question_batchnorm'],
           '99bced3e747aefe9': ['sampling_intro'],
           'e41a6c3bacd51750': ['score_model_intro'],
           'f67537aae3172eae': ['setup'],
           '1b8413dda86f7ead': ['test_dsm_loss'],
           'c0854afa1e2252be': ['test_langevin'],
           '4eb1199809714241': ['test_noise_scales'],
           '22be61b7efde3548': ['test_sampling'],
           '0770a4000fdfaa29': ['test_score_model'],
           'bf8af7f69fc9e386': ['test_training'],
           '492a3d949a578f55': ['toy_data'],
           'ca8045f90ea4a2bd': ['toy_intro'],
           '02dbecbcb7e2bfed': ['toy_plots'],
           '8618f98dd43f638a': ['toy_train'],
           'fffdc98d2f41c64b': ['training_intro']},
 'ids': ['answer_batchnorm', 'before_submit', 'before_submit_check', 'dsm_loss', 'hidden_checks_intro',
         'hidden_test_annealed_langevin_gaussian', 'hidden_test_dsm_loss_exact_score',
         'hidden_test_dsm_loss_score_model', 'hidden_test_langevin_step_size', 'hidden_test_langevin_update',
         'hidden_test_noise_scales_geometric', 'hidden_test_sample_gaussian',
         'hidden_test_score_model_divides_by_sigma', 'hidden_test_score_model_no_output_activation',
         'hidden_test_score_model_shape', 'hidden_test_training_draws_every_scale',
         'hidden_test_training_learns_the_scores', 'intro', 'langevin', 'langevin_intro', 'loss_intro',
         'mnist_data', 'mnist_intro', 'mnist_train', 'noise_scales', 'noise_scales_intro', 'noise_techniques',
         'question_batchnorm', 'sampling', 'sampling_intro', 'score_model', 'score_model_intro', 'setup',
         'test_dsm_loss', 'test_langevin', 'test_noise_scales', 'test_sampling', 'test_score_model',
         'test_training', 'toy_data', 'toy_intro', 'toy_plots', 'toy_train', 'training', 'training_intro']}
