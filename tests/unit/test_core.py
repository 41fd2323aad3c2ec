"""The grading core serves any assignment: ``autograder/`` names none, and every pack loads."""
from conftest import ROOT
from autograder import packs

CORE = ROOT / "autograder"


def _core_files():
    return [p for p in CORE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_the_core_names_no_assignment():
    """No pack's id nor any word its pack.py lists as its own (``TERMS``) occurs in a file of the core."""
    words = {word for assignment in packs.ids() for word in (assignment, *packs.load(assignment).terms)}
    assert len(words) >= 10
    found = {}
    for path in _core_files():
        text = path.read_text(errors="replace")
        hits = sorted(w for w in words if w in text)
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert not found, f"the core names an assignment (move it into assignments/<id>/): {found}"


def test_every_pack_loads_with_its_files():
    for assignment in packs.ids():
        pack = packs.load(assignment)
        assert pack.notebook.is_file() and pack.release_notebook.is_file() and pack.graders.is_dir(), assignment
        assert (pack.source_dir / f"{pack.cells_module}.py").is_file() and pack.calls.functions, assignment
        assert all(p.is_file() for p in pack.helper_paths()), assignment
