"""version: the grader's version is a hash of exactly the files that grade, and the bundle carries those files."""
import zipfile

from conftest import ROOT
from autograder import packs

from autograder.version import grader_version, grading_files

version = grader_version.__wrapped__  # uncached: the tests below change files between calls


def _course(root):
    for name, text in {"assignments/assignment07/graders/test_x.py": "def test_x(): pass\n", "assignments/assignment07/calibration.json": "{}",
                       "source/assignment07/assignment07.ipynb": "{}", "requirements.txt": "numpy==2.1.3\n",
                       "nbgrader_config.py": "c = 1\n", "autograder/__pycache__/x.pyc": "compiled",
                       "assignments/assignment07/examples/reference.ipynb": "{}", "tests/test_y.py": "", "grades/alice/x": ""}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_version_hashes_the_grading_files_only(tmp_path):
    root = _course(tmp_path)
    assert [f.relative_to(root).as_posix() for f in grading_files(root)] == [
        "assignments/assignment07/calibration.json", "assignments/assignment07/graders/test_x.py", "source/assignment07/assignment07.ipynb",
        "requirements.txt", "nbgrader_config.py"]
    first = version(root)
    assert first.startswith("sha256:") and len(first) == 7 + 16 and version(root) == first
    for outside in ("autograder/__pycache__/x.pyc", "assignments/assignment07/examples/reference.ipynb", "tests/test_y.py"):
        (root / outside).write_text("changed")
    assert version(root) == first
    (root / "assignments/assignment07/calibration.json").write_text('{"threshold": 4.4}')  # a recalibration is another version
    assert version(root) != first


def test_the_bundle_carries_the_files_the_version_hashes(tmp_path, monkeypatch):
    from autograder import gradescope, secret
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "secret"))
    with zipfile.ZipFile(gradescope.bundle(tmp_path / "b.zip")) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "source")  # where Gradescope unpacks it
    graded = {f.relative_to(ROOT).as_posix() for f in grading_files()}
    assert names - graded == {"setup.sh", "run_autograder", secret.FILE_NAME, gradescope.ASSIGNMENT_FILE}
    assert graded <= names and gradescope.bundled_assignment(tmp_path / "source") == packs.default_id()
    assert version(tmp_path / "source") == version(ROOT)  # a container states the course's version


def test_a_bundle_grades_the_assignment_it_was_built_for(tmp_path, monkeypatch):
    """The bundle names its assignment; the container prefers that assignment's notebook among the submitted files."""
    from autograder import gradescope, secret
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "secret"))
    pack = packs.load("assignment08")
    with zipfile.ZipFile(gradescope.bundle(tmp_path / "b.zip", pack)) as zf:
        zf.extractall(tmp_path / "source")
    assert gradescope.bundled_assignment(tmp_path / "source") == "assignment08"
    submission = tmp_path / "submission"
    for name in ("a_scratch.ipynb", "assignment07.ipynb", "assignment08.ipynb"):
        (submission / "sub").mkdir(parents=True, exist_ok=True)
        (submission / "sub" / name).write_text("{}")
    assert gradescope.find_notebook(submission, pack).name == "assignment08.ipynb"
    assert gradescope.find_notebook(submission, packs.load("assignment07")).name == "assignment07.ipynb"
    assert gradescope.default_zip("assignment08").as_posix() == "dist/assignment08_autograder.zip"
    assert gradescope.default_zip().as_posix() == "dist/assignment07_autograder.zip"
