"""made_from: a record names its command and hashes exactly its inputs; a changed input makes it stale."""
import pytest

from autograder.made_from import input_files, record, stale

INPUTS = ["source", "tool.py", "bank/bug_*.ipynb"]


@pytest.fixture
def root(tmp_path):
    for name in ("source/a.ipynb", "source/helpers.py", "source/__pycache__/helpers.pyc", "tool.py",
                 "bank/bug_x.ipynb", "bank/hostile_y.ipynb", "other.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    return tmp_path


def test_inputs_are_files_folders_and_globs_without_caches(root):
    assert [f.relative_to(root).as_posix() for f in input_files(INPUTS, root)] == [
        "bank/bug_x.ipynb", "source/a.ipynb", "source/helpers.py", "tool.py"]


def test_a_fresh_record_is_not_stale(root):
    made = record(INPUTS, "make it", root)
    assert made["command"] == "make it" and made["sha256"].startswith("sha256:") and len(made["files"]) == 4
    (root / "other.py").write_text("changed")  # not an input
    (root / "bank/hostile_y.ipynb").write_text("changed")
    assert stale("out.json", made, INPUTS, "make it", root) is None


@pytest.mark.parametrize("change, why", [
    (lambda root: (root / "source/helpers.py").write_text("edited"), "its inputs changed since it was made (source/helpers.py)"),
    (lambda root: (root / "bank/bug_z.ipynb").write_text("new"), "its inputs changed since it was made (bank/bug_z.ipynb)"),
    (lambda root: (root / "tool.py").unlink(), "its inputs changed since it was made (tool.py)"),
])
def test_a_changed_input_makes_it_stale_and_says_what_to_run(root, change, why):
    made = record(INPUTS, "make it", root)
    change(root)
    assert stale("out.json", made, INPUTS, "make it", root) == (
        f"out.json is stale: {why}; regenerate it with `make it` (README: Maintenance)")


def test_another_command_or_no_record_is_stale(root):
    quick = record(INPUTS, "make it --quick", root)
    assert "it was made by `make it --quick`" in stale("out.json", quick, INPUTS, "make it", root)
    assert "it has no record of its inputs" in stale("out.json", None, INPUTS, "make it", root)
    assert "it was made by" in stale("out.json", record(INPUTS[:2], "make it", root), INPUTS, "make it", root)
