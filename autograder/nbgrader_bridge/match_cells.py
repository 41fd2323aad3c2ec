"""Submitted cells get the nbgrader metadata that ``grade`` found them by (sanitize step, first).

nbgrader knows a submission's cells by their nbgrader id alone.  A notebook whose cell metadata an
editor dropped has no grade cells left, so its hidden checks would record nothing; a solution split in
JupyterLab carries its id twice (``DeduplicateIds`` keeps the last half); a cell switched to raw is
switched back with a warning.  The grading runner finds cells by :func:`match` of the pack's cells module (by id, else
by what they define, else, for the course's locked cells, by their text); this step makes the notebook
say the same, before any of nbgrader's own steps look at it:

* each solution cell found: the source's nbgrader metadata on its first cell, a code cell again; no
  nbgrader metadata on the other cells of a split solution, nor on other cells that carry its id
  (copies, ambiguous ones: the first keeps it when none was taken);
* each locked cell of the course found by its text (hidden check cells by what the release shows of
  them): the source's nbgrader metadata;
* a written answer without its id: the markdown cell right after its question, if that one is no
  other cell of the course;
* a grade cell still missing: added back after the cell that comes before it in the source (a hidden
  check cell as the release shows it, a written answer empty), as nbgrader's ``add_missing_cells`` would.

Each student whose cells were matched gets one warning line.  No code runs: the cells are only parsed.
"""
import copy

from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import notebook, packs
from .cells import release_source

cells = notebook.cells
MISSING = "This cell (id:{gid}) was missing from the submission. It was added back by the autograder.\n\n"


def _source_cells(pack):
    """grade_id -> (position, cell) of every cell of ``pack``'s source notebook with an nbgrader id."""
    nb = notebook.read_notebook(pack.notebook)
    return {c["metadata"]["nbgrader"]["grade_id"]: (i, c) for i, c in enumerate(nb["cells"]) if cells.grade_id(c)}


def assignment(nb_cells, template, source):
    """position of a submitted cell -> the grade_id it stands for, by :func:`match` of the pack's cells module and the
    course's texts, and the positions whose id must go (other carriers of a solution's id)."""
    found = cells.match(nb_cells, template)
    ids, drop = {}, set()
    for gid, parts in found.parts.items():
        carriers = [i for i, c in enumerate(nb_cells) if cells.grade_id(c) == gid]
        keep = parts[0].index if parts else (carriers[0] if carriers else None)
        if keep is not None:
            ids[keep] = gid
        drop.update(i for i in carriers + [p.index for p in parts] if i != keep)
    taken = set(ids) | drop | {i for i, c in enumerate(nb_cells) if cells.grade_id(c) in template.ids}
    present = {cells.grade_id(c) for c in nb_cells} | set(ids.values())
    for i, cell in enumerate(nb_cells):  # the course's locked cells, by their text (cells alike in order)
        if i in taken:
            continue
        for gid in template.known.get(cells.fingerprint(cells.cell_text(cell)), []):
            if gid not in present:
                ids[i], present = gid, present | {gid}
                break
    by_position = {**{i: cells.grade_id(c) for i, c in enumerate(nb_cells) if cells.grade_id(c)}, **ids}
    order = sorted(source, key=lambda g: source[g][0])
    for k, gid in enumerate(order):  # written answers: right after their question
        nbg = source[gid][1]["metadata"]["nbgrader"]
        if gid in present or not (nbg.get("solution") and nbg.get("grade")) or k == 0:
            continue
        question = next((i for i, g in by_position.items() if g == order[k - 1]), None)
        after = question + 1 if question is not None else None
        if after is not None and after < len(nb_cells) and after not in by_position \
                and nb_cells[after].get("cell_type") == "markdown":
            ids[after] = by_position[after] = gid
            present.add(gid)
    return ids, drop - set(ids)


class MatchCells(NbGraderPreprocessor):
    """Give every submitted cell the nbgrader metadata of the cell ``grade`` took it for."""

    def preprocess(self, nb, resources):
        pack = packs.load(resources["nbgrader"]["assignment"])  # the assignment nbgrader autogrades
        source = _source_cells(pack)
        ids, drop = assignment(nb.cells, notebook.template(pack=pack), source)
        changed = 0
        for i, cell in enumerate(nb.cells):
            if i in drop and "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
                changed += 1
            gid = ids.get(i)
            if gid is None:
                continue
            kind = source[gid][1]["cell_type"]
            if cells.grade_id(cell) == gid and cell.cell_type == kind:
                continue
            cell.setdefault("metadata", {})["nbgrader"] = copy.deepcopy(source[gid][1]["metadata"]["nbgrader"])
            if cell.cell_type != kind and kind == "code":  # a solution in a markdown or raw cell: code again
                code = new_code_cell(cell.source)
                code.metadata, code.id = cell.metadata, cell.get("id", code.id)
                nb.cells[i] = code
            changed += 1
        changed += self._add_missing(nb, source, resources)
        if changed:
            info = resources["nbgrader"]
            self.log.warning("%s / %s: the nbgrader metadata of %d cells set as the grader matched them "
                             "(lost metadata, split, retyped or missing cells; the feedback says so)",
                             info["student"], info["notebook"], changed)
        return nb, resources

    def _add_missing(self, nb, source, resources):
        """Add back every grade cell the notebook lacks; returns how many."""
        present = {cells.grade_id(c) for c in nb.cells}
        added = 0
        for gid, (position, cell) in sorted(source.items(), key=lambda kv: kv[1][0]):
            nbg = cell["metadata"]["nbgrader"]
            if gid in present or not nbg.get("grade"):
                continue
            if nbg.get("solution"):  # a written answer: empty but for a note
                new = new_markdown_cell(MISSING.format(gid=gid))
            else:  # a check cell as the release shows it (RestoreHiddenTests then gives it its hidden tests back)
                new = new_code_cell()
                new.source = release_source(new, cells.cell_text(cell), self, resources)
            new.metadata["nbgrader"] = copy.deepcopy(nbg)
            earlier = {g for g, (p, _) in source.items() if p < position}
            before = [k for k, c in enumerate(nb.cells) if cells.grade_id(c) in earlier]
            nb.cells.insert(before[-1] + 1 if before else len(nb.cells), new)
            present.add(gid)
            added += 1
        return added
