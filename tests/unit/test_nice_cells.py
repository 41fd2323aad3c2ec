"""nice_cells: a submission's cells are found by id, else by what they define; added cells give only the
definitions the solution needs; ambiguity is a problem, never a pick; the table shipped to students
is the source's."""
import copy
import sys
from pathlib import Path

import pytest

from autograder import notebook
from autograder.notebook import cells as nice_cells

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
import make_roundtrip as rt  # noqa: E402

TEMPLATE = notebook.template()
SLOTS = [s.grade_id for s in TEMPLATE.slots]


@pytest.fixture(scope="module")
def handed_in():
    return rt.handed_in()


def _match(nb, *edits):
    nb = copy.deepcopy(nb)
    for edit in edits:
        edit(nb)
    return nice_cells.match(nb["cells"], TEMPLATE), nb


def _code(m, key):
    return next(c.code for c in m.program(TEMPLATE) if c.key == key)


def _keys(m):
    return [c.key for c in m.program(TEMPLATE)]


def test_the_table_shipped_to_students_is_the_sources():
    assert nice_cells.TABLE == TEMPLATE.table(), "stale nice_cells.TABLE: python -m autograder hidden-cells"
    shipped = nice_cells.Template.from_table(nice_cells.TABLE)
    assert shipped.slots == tuple(nice_cells.Slot(s.grade_id, s.solution, s.names) for s in TEMPLATE.slots)


def test_the_handed_in_reference_is_found_by_id_and_says_nothing(handed_in):
    m, _ = _match(handed_in)
    assert _keys(m) == SLOTS and not m.problems and not m.notes and not m.helpers
    assert all(p.by == "id" for parts in m.parts.values() for p in parts)
    labels = {c.key: c.label for c in m.program(TEMPLATE)}
    assert labels["coupling_layer"] == "your cell defining CouplingLayer"
    assert labels["nice_model"] == "your cell defining make_prior and NICE"
    assert labels["coupling_base"] == "the given cell defining make_shift_network and CouplingLayerBase"
    assert labels["train_loop"] == "the given cell defining xla_pays_off, train and evaluate_nll"


@pytest.mark.parametrize("fixture", ["roundtrip_metadata_stripped", "roundtrip_metadata_stripped_new_ids",
                                     "roundtrip_stripped_reordered"])
def test_stripped_metadata_is_recovered_with_one_note(handed_in, fixture):
    entry = next(r for r in rt.BANK if r.name == fixture)
    m, _ = _match(handed_in, entry.transform)
    reference, _ = _match(handed_in)
    assert _keys(m) == SLOTS and not m.problems and not m.helpers
    assert [c.code for c in m.program(TEMPLATE)] == [c.code for c in reference.program(TEMPLATE)]
    assert [kind for kind, _ in m.notes] == ["content"] and "found by what they define" in m.notes[0][1]
    assert set(m.given) == {s.grade_id for s in TEMPLATE.slots if not s.solution}  # given cells by their text


@pytest.mark.parametrize("kind", ["raw", "markdown"])
def test_a_retyped_solution_cell_runs_as_the_code_it_holds(handed_in, kind):
    m, _ = _match(handed_in, rt._retype("log_likelihood", kind))
    assert "def log_likelihood(model, x):" in _code(m, "log_likelihood") and not m.problems
    assert m.notes == [["type", f"your cell defining log_likelihood is a {kind} cell, not a code cell: graded as "
                                "the code it holds (make it a code cell again)"]]


def test_markdown_prose_is_never_taken_for_code(handed_in):
    prose = {"cell_type": "markdown", "metadata": {}, "source": "class NICE(NICEBase): my notes on the model\n"}
    m, _ = _match(handed_in, rt._strip(), lambda nb: nb["cells"].insert(3, prose))
    assert not m.problems and all(p.index != 3 for p in m.parts["nice_model"])


def test_a_split_solution_runs_as_its_cells_in_order(handed_in):
    m, _ = _match(handed_in, rt._split("nice_model", "class NICE(NICEBase):"))
    assert [p.by for p in m.parts["nice_model"]] == ["id", "id"] and not m.problems
    assert _keys(m)[_keys(m).index("nice_model") + 1] == "nice_model+2"
    assert _code(m, "nice_model").startswith("def make_prior") and _code(m, "nice_model+2").startswith("class NICE")
    assert [kind for kind, _ in m.notes] == ["split"] and "split over 2 cells" in m.notes[0][1]
    labels = {c.key: c.label for c in m.program(TEMPLATE)}
    assert labels["nice_model+2"] == "your cell defining NICE"


def test_a_copy_with_the_same_code_is_no_problem_and_a_different_one_is_ambiguous(handed_in):
    def copy_cell(change):
        def edit(nb):
            cell = rt._cell_by_id(nb, "outlier_score")
            twin = copy.deepcopy(cell)
            twin["source"] = change("".join(twin["source"]))
            nb["cells"].append(twin)
        return edit
    same, _ = _match(handed_in, copy_cell(lambda text: text + "\n"))
    assert not same.problems and len(same.parts["outlier_score"]) == 1
    other, _ = _match(handed_in, copy_cell(lambda text: text.replace("return -", "return ")))
    assert other.parts["outlier_score"] == [] and "outlier_score" not in _keys(other)
    assert other.problems["outlier_score"].startswith("outlier_score is defined in 2 cells that carry the solution")


def test_two_cells_defining_one_class_are_ambiguous_and_neither_runs(handed_in):
    entry = next(r for r in rt.BANK if r.name == "roundtrip_duplicate_definition")
    m, nb = _match(handed_in, entry.transform)
    assert m.parts["coupling_layer"] == [] and "coupling_layer" not in _keys(m)
    problem = m.problems["coupling_layer"]
    assert problem.startswith("CouplingLayer is defined in 2 cells (cell 5, which starts `class CouplingLayer(")
    assert "runs none of them" in problem and list(m.problems) == ["coupling_layer"]  # no second complaint
    assert "# first try" not in "".join(c.code for c in m.program(TEMPLATE))


def test_a_cell_defining_more_of_the_solution_wins_over_a_partial_copy(handed_in):
    scratch = "class NICE(NICEBase):\n    pass  # scratch\n"
    m, nb = _match(handed_in, rt._add("log_likelihood", scratch), rt._strip())
    assert "pass  # scratch" not in _code(m, "nice_model") and "def make_prior" in _code(m, "nice_model")
    assert not m.problems and any("NICE is also defined in cell" in text and "not graded" in text
                                  for _, text in m.notes)


def test_a_missing_solution_is_said_in_the_students_terms(handed_in):
    m, _ = _match(handed_in, rt._strip(), lambda nb: nb["cells"].remove(
        next(c for c in nb["cells"] if "def inpainting_step(" in "".join(c["source"]))))
    assert m.problems == {"inpainting": "the solution cell defining inpainting_step is missing from the submission: "
                                        "no cell has its nbgrader id and none defines inpainting_step"}


def test_a_helper_in_an_added_cell_gives_its_definition_only(handed_in):
    entry = next(r for r in rt.BANK if r.name == "roundtrip_helper_cell_trains")
    m, nb = _match(handed_in, entry.transform)
    assert not m.problems and [h.names for h in m.helpers] == [["as_batch"]] and m.helpers[0].rest
    code = _code(m, f"+added-{m.helpers[0].index + 1}")
    assert code.startswith("def as_batch(x):") and "train(" not in code and "print(" not in code
    keys = _keys(m)
    assert keys.index("train_loop") + 1 == keys.index(f"+added-{m.helpers[0].index + 1}")  # where the cell sits
    assert m.notes[0][0] == "helper" and "as_batch" in m.notes[0][1] and "rest of that cell is not run" in m.notes[0][1]


ADDED = '''import scipy.special as sps
from math import pi as PI
EPS = 1e-6
SHAPE = (2, -3)
double = lambda v: 2 * v
SCALE = np.log(2.0)
UNUSED = 3


def _inner(x):
    return x + EPS


@staticmethod
def outer(x):
    return _inner(x) * SHAPE[0]


class Helper:
    value = 1


model = NICE(2)
train(model, H.parabola(100), steps=10)
'''


def _uses(*names):
    return rt._replace("outlier_score", "    return -log_likelihood(",
                       f"    _ = ({', '.join(names)},)\n    return -log_likelihood(")


def test_only_definitions_and_literal_constants_are_taken_transitively(handed_in):
    m, nb = _match(handed_in, rt._add("setup", ADDED),
                   _uses("sps", "PI", "double", "outer", "Helper", "SCALE"))
    helper = m.helpers[0]
    assert sorted(helper.names) == ["EPS", "Helper", "PI", "SHAPE", "_inner", "double", "outer", "sps"] and helper.rest
    for kept in ("import scipy.special as sps", "EPS = 1e-6", "SHAPE = (2, -3)", "@staticmethod\ndef outer(x):",
                 "class Helper:"):
        assert kept in helper.code
    for left in ("SCALE", "UNUSED", "NICE(2)", "train("):
        assert left not in helper.code
    assert m.problems == {"+SCALE": m.problems["+SCALE"]} and "by code that the grader does not run" in m.problems["+SCALE"]


def test_a_helper_defined_in_two_added_cells_is_taken_from_neither(handed_in):
    m, _ = _match(handed_in, rt._add("setup", "def h(x):\n    return x\n"), rt._add("coupling_base", "def h(x):\n    return -x\n"),
                  _uses("h"))
    assert not m.helpers and m.problems["+h"].startswith("h (used by your solution) is defined in 2 cells you added")


def test_added_cells_never_replace_what_the_grader_runs(handed_in):
    """Ids intact: an added cell redefining a solution or given name, or defining what nothing uses, adds nothing."""
    added = ("def log_likelihood(model, x):\n    return 0.0\n\n\ndef train(*a, **k):\n    return {}\n\n\n"
             "def unused():\n    import os\n    os.system('true')\n\nimport os\nos.system('true')\n")
    m, _ = _match(handed_in, rt._add("outlier_score", added))
    reference, _ = _match(handed_in)
    assert not m.helpers and not m.problems and [kind for kind, _ in m.notes] == ["shadow"]
    assert m.notes[0][1].startswith("log_likelihood is also defined in cell")  # said; train is given: nothing to say
    assert [c.code for c in m.program(TEMPLATE)] == [c.code for c in reference.program(TEMPLATE)]


def test_code_that_does_not_parse_is_found_by_its_def_lines(handed_in):
    m, _ = _match(handed_in, rt._replace("outlier_score", "    return -log_likelihood(", "    return -log_likelihood(("),
                  rt._strip())
    assert "def outlier_score" in _code(m, "outlier_score") and not m.problems
    assert nice_cells.definitions("x = (\n" + "def f():\n    pass\n") == ("f",)
    assert nice_cells.definitions("x = (\ndef f():", strict=True) == ()
    assert nice_cells.definitions("def f():\n    pass\n" * (nice_cells.MAX_PARSED // 10)) == ("f",)


def test_magics_are_comments_line_for_line():
    text = "%timeit f()\nx = 1\n  !pip list"
    assert nice_cells.python_source(text).splitlines() == ["pass  # %timeit f()", "x = 1", "pass  #   !pip list"]
    assert nice_cells.definitions("%matplotlib inline\ndef f():\n    pass\n") == ("f",)


def test_a_solution_also_defined_in_an_added_cell_is_graded_from_its_own_cell_and_said(handed_in):
    """The stub left in the solution cell, the answer written in a new cell below: the solution cell counts."""
    stub = "def outlier_score(model, x):\n    raise NotImplementedError()\n"
    def edit(nb):
        cell = rt._cell_by_id(nb, "outlier_score")
        answer = "".join(cell["source"])
        cell["source"] = stub
        rt._add("outlier_score", answer)(nb)
    m, _ = _match(handed_in, edit)
    assert _code(m, "outlier_score") == stub and not m.problems and not m.helpers
    assert [kind for kind, _ in m.notes] == ["shadow"]
    assert m.notes[0][1].startswith("outlier_score is also defined in cell ") and "which the grader does not run" in m.notes[0][1]


@pytest.mark.parametrize("code", [
    "x = " + "+".join(["1"] * 900) + "\ny = (" * 300,          # deep expressions, then code that does not parse
    "x = " + "+".join(["1"] * 900),                             # parses, deeper than most recursion limits
    "for i in range(3):\n    z = i\nw = [q for q in z]; v = 2\nclass K(" + "object, " * 2000 + "): pass\n",
    "\0\ufeff\\", "from m import *\nimport a.b.c\ndel x\nglobal g\n" * 100,
])
def test_any_added_cell_gets_a_match_never_an_exception(handed_in, code):
    uses = _uses("x", "y", "z", "w", "v", "K", "a", "g")
    m, _ = _match(handed_in, rt._add("setup", code), uses)
    assert m.program(TEMPLATE) and m.parts["coupling_layer"][0].by == "id"


def test_a_helper_rebound_by_other_code_in_its_cell_is_not_taken(handed_in):
    """The cell leaves my_merge wrapped: taking the def alone would grade other code than the kernel ran."""
    added = "def my_merge(parts):\n    return tf.concat(parts, axis=1)\n\nmy_merge = tf.function(my_merge)\n"
    m, _ = _match(handed_in, rt._add("coupling_base", added), rt._replace(*rt.USES_MY_MERGE))
    assert not m.helpers and m.problems["+my_merge"].startswith("my_merge (used by your solution) is set in a cell you added")
