"""Untouched hidden test cells are not reported as changed (sanitize step, before ``OverwriteCells``).

``nbgrader generate_assignment`` records a locked cell's checksum before it removes the hidden test
regions, so every untouched submitted cell with hidden tests differs from the record, and
``OverwriteCells`` warns "Attribute 'checksum' for cell ... has changed!" and puts the recorded source
back (jupyter/nbgrader#1961): one false warning per hidden check cell and student, which buries a real
one.  A submitted cell that is exactly the release form of its recorded source gets the recorded source
here, first; any other change still warns in ``OverwriteCells``.
"""
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from .cells import release_source


class RestoreHiddenTests(NbGraderPreprocessor):
    """Give untouched cells their recorded source with the hidden tests, so their checksums match."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            try:
                cells = gb.find_notebook(info["notebook"], info["assignment"]).source_cells
            except MissingEntry:
                cells = []
            self._recorded = {c.name: c.source for c in cells if c.locked}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        recorded = self._recorded.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if recorded is not None and cell.source != recorded \
                and cell.source == release_source(cell, recorded, self, resources):
            cell.source = recorded
        return cell, resources
