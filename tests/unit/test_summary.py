"""Class summary: statistics, text histogram and pass rates from grades.csv rows, and the PNG."""
from _results import CHECKS, result

from autograder.grade.report import grades_row
from autograder.grade.summary import histogram, plural, summarize, summary_text, write_summary

POINTS = [(name, points) for name, points, _ in CHECKS]  # 6 points in all


def _rows():
    return [grades_row(r) for r in (result("a"), result("b", failed=("test_b",)),
                                    result("c", failed=("test_a", "test_b")), result("d", failed=("test_b",)))]


def test_statistics_and_pass_rates():
    s = summarize(_rows(), POINTS)
    assert s.n == 4 and s.totals == [6, 3, 1, 3] and s.max_total == 6
    assert s.pass_rates == {"test_a": (3, 4), "test_b": (1, 4), "test_c": (4, 4)}
    text = summary_text(s)
    assert "4 students, totals out of 6" in text and "mean 3.2, median 3, min 1, max 6" in text
    assert "  B   25%  (1/4)" in text and "  C  100%  (4/4)" in text  # each check's readable name


def test_histogram_bins_cover_zero_to_max_and_count_everybody():
    bins = histogram([0, 28, 35, 35, 17.5], 35)
    assert [(lo, hi) for lo, hi, _ in bins] == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 25), (25, 30), (30, 35)]
    assert [c for _, _, c in bins] == [1, 0, 0, 1, 0, 1, 2]
    assert sum(c for _, _, c in histogram([40, 1, 39.5], 40)) == 3
    bars = [line for line in summary_text(summarize(_rows(), POINTS)).splitlines() if line.startswith("  [")]
    assert len(bars) == len(histogram([], 6)) and bars[-1].split()[-1] == "1" and "#" * 40 in bars[3]


def test_write_summary(tmp_path):
    text = write_summary(tmp_path, _rows(), POINTS)
    assert (tmp_path / "summary.txt").read_text() == text
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no students" in write_summary(empty, [], POINTS) and not (empty / "summary.png").exists()


def test_counts_are_singular_for_one():
    assert [plural(1, "student"), plural(2, "student"), plural(0, "pair"), plural(1.5, "point"), plural(1.0, "point")] == [
        "1 student", "2 students", "0 pairs", "1.5 points", "1 point"]
    assert "Class summary: 1 student, totals out of 6" in summary_text(summarize(_rows()[:1], POINTS))


def test_notebooks_to_look_at_are_listed_with_their_students():
    rows = _rows()
    rows[0]["notebook"] = "cells matched by content"
    rows[2]["notebook"] = "cells matched by content; helpers taken from added cells"
    text = summary_text(summarize(rows, POINTS))
    assert "Notebooks to look at" in text and "  2 students: cells matched by content (a, c)\n" in text
    assert "  1 student: helpers taken from added cells (c)\n" in text
    many = [dict(rows[0], student=f"s{i}") for i in range(12)]
    assert "(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, and 2 more: grades.csv's notebook column)" in summary_text(
        summarize(many, POINTS))
    assert "Notebooks to look at" not in summary_text(summarize(_rows(), POINTS))
