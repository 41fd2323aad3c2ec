"""Output files are replaced whole or not at all; what a killed writer left is swept by the next run."""
import os
import subprocess

import pytest

from autograder.grade.atomic import replace_folder, sweep, write_file


def test_write_file_replaces_the_file_in_one_rename(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("old\n")
    inode = path.stat().st_ino
    write_file(path, "new\n")
    assert path.read_text() == "new\n" and path.stat().st_ino != inode
    write_file(path, b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG" and os.listdir(tmp_path) == ["grades.csv"]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_file(path, None)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["summary.txt"]


def test_replace_folder_swaps_in_exactly_the_new_files(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "stale.txt").write_text("from an earlier run")
    replace_folder(folder, {"results.json": "{}", "feedback.md": "# hi\n"})
    assert sorted(os.listdir(folder)) == ["feedback.md", "results.json"] and os.listdir(tmp_path) == ["alice"]
    replace_folder(tmp_path / "bob", {"results.json": "{}"})
    assert (tmp_path / "bob" / "results.json").read_text() == "{}"
    (tmp_path / "mallory").symlink_to(folder)
    with pytest.raises(FileExistsError):
        replace_folder(tmp_path / "mallory", {"results.json": "{}"})
    assert sorted(os.listdir(folder)) == ["feedback.md", "results.json"]


def _dead_pid():
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_sweep_removes_what_dead_writers_left_and_nothing_else(tmp_path):
    dead = _dead_pid()
    left = [f".grades.csv.partial-{dead}", f".alice.partial-{dead}.new", f".alice.partial-{dead}.old"]
    for name in left[:1]:
        (tmp_path / name).write_text("half")
    for name in left[1:]:
        (tmp_path / name).mkdir()
    kept = [f".grades.csv.partial-{os.getpid()}", ".hidden", "alice.partial-1", "grades.csv"]
    for name in kept:
        (tmp_path / name).write_text("x")
    sweep(tmp_path)
    assert sorted(os.listdir(tmp_path)) == sorted(kept)
