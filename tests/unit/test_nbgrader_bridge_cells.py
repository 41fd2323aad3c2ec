"""The hidden check cells find the course root themselves, wherever a kernel runs them."""
import sys

import pytest

from autograder.nbgrader_bridge import cells as hidden_cells
from autograder.wire.names import COURSE_ENV

TEST = {"name": "test_x[a]", "points": 3.0, "description": "does x"}


def _course(folder):
    (folder / "autograder").mkdir(parents=True)
    (folder / "autograder" / "__init__.py").write_text("")
    (folder / "nbgrader_config.py").write_text("")
    return folder


@pytest.fixture
def path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv(COURSE_ENV, raising=False)
    return sys.path


def _run_bootstrap():
    exec(hidden_cells.FIND_ROOT, {})


def test_walks_up_from_the_working_directory(tmp_path, monkeypatch, path):
    course = _course(tmp_path / "course")
    for where in (course / "source" / "assignment07", course / "autograded" / "alice" / "assignment07"):
        where.mkdir(parents=True)
        monkeypatch.chdir(where)
        _run_bootstrap()
        assert path[0] == str(course.resolve()) and path.count(str(course.resolve())) == 1


def test_the_environment_wins_when_it_names_a_course(tmp_path, monkeypatch, path):
    here, there = _course(tmp_path / "here"), _course(tmp_path / "there")
    monkeypatch.chdir(here)
    monkeypatch.setenv(COURSE_ENV, str(there))
    _run_bootstrap()
    assert path[0] == str(there)
    monkeypatch.setenv(COURSE_ENV, str(tmp_path / "not-a-course"))
    _run_bootstrap()
    assert path[0] == str(here.resolve())


def test_nothing_found_leaves_sys_path_alone(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    before = list(path)
    _run_bootstrap()
    assert path == before


def test_cell_shape():
    header, cell = hidden_cells.build_cells([TEST])
    assert hidden_cells.is_check_cell(cell) and not hidden_cells.is_check_cell(header)
    lines = cell["source"].splitlines()
    assert lines[0] == hidden_cells.description_line(TEST) == "# Hidden check (3 points): does x"
    assert lines[1] == hidden_cells.BEGIN and lines[-1] == hidden_cells.END
    assert lines[-2] == "check('test_x[a]')" and cell["metadata"]["nbgrader"]["points"] == 3.0
