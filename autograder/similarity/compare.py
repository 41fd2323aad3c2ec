"""Fingerprints of written code (winnowing, by copydetect, as MOSS does) and the score of every pair.

A cell's written lines form blocks (runs not interrupted by a given line); in each block every run of
:data:`K` normalised tokens (:mod:`.normalize`) is hashed, the hashes are winnowed with a window of
:data:`WINDOW` by ``copydetect.utils.winnow`` (the robust winnowing of MOSS), and every run the
release's code has in any cell (boilerplate) is dropped.  Fingerprinting blocks apart makes the order
of methods irrelevant.  Hashes depend on the tokens only (CRC-32 of each, a tuple hash of the run), not
on Python's per-process string hashing, so a report is the same on every run.

The score of a pair in one cell is the Jaccard index of their fingerprint sets (0: nothing in common,
1: the same fingerprints).  The overall score weighs each cell by how much there is to write in it: the
number of tokens of the reference's written lines (:attr:`Fingerprinter.weights`), so that a one-line
answer that everybody writes alike counts for little.
"""
import zlib
from dataclasses import dataclass, field

import numpy as np
from copydetect.utils import winnow
from scipy import sparse

from .normalize import defined_names, given_bound, tokens

K = 9        # tokens: a shorter common run is noise (copydetect's noise threshold, in tokens)
WINDOW = 3   # winnowing window: every common run of K + WINDOW - 1 = 11 tokens is found (its guarantee)


class Fingerprinter:
    """Fingerprints of submissions against one :class:`~.written.Template`."""

    def __init__(self, template, k=K, window=WINDOW):
        self.k, self.window = k, window
        self._ids = {}
        self.api = frozenset(defined_names(template.source_code))
        self.given_names = frozenset(given_bound(template.release_code))
        self._boilerplate = {h for text in template.release_code for h in self._hashes(self._tokens(text.splitlines()))}
        self.cell_ids = template.cell_ids
        self.weights = {gid: len(self._written_tokens(template.reference.cells[gid])) for gid in self.cell_ids}

    def _hashes(self, toks):
        """The hash of every run of K tokens (``toks``: ``[(token, line)]``)."""
        ids = [self._ids.get(t) or self._ids.setdefault(t, zlib.crc32(t.encode())) for t, _ in toks]
        return [hash(tuple(ids[i:i + self.k])) for i in range(len(ids) - self.k + 1)]

    def _tokens(self, lines):
        return tokens("\n".join(lines), self.api, self.given_names)

    def _written_tokens(self, cell):
        return [(t, line) for t, line in self._tokens(cell.lines) if line in cell.written]

    def _blocks(self, cell):
        """The cell's written tokens, split wherever a given line comes between two of them."""
        given_before, count = [], 0   # given_before[i]: given lines above line i
        for i, line in enumerate(cell.lines):
            given_before.append(count)
            count += bool(line.strip()) and i not in cell.written
        blocks = {}
        for tok, line in self._written_tokens(cell):
            blocks.setdefault(given_before[line], []).append((tok, line))
        return list(blocks.values())

    def cell(self, cell):
        """``{hash: mask}``: the fingerprints of a cell's written code, and the lines each covers
        (bit i of ``mask`` set: line i)."""
        prints = {}
        for block in self._blocks(cell):
            hashes = self._hashes(block)
            if not hashes:
                continue
            chosen, where = winnow(np.array(hashes, np.int64), self.window, remove_duplicates=False)
            for h, i in zip(chosen.tolist(), where.tolist()):
                if h not in self._boilerplate:
                    mask = prints.get(h, 0)
                    for _, line in block[i:i + self.k]:
                        mask |= 1 << line
                    prints[h] = mask
        return prints

    def submission(self, sub):
        """``{grade_id: fingerprints}`` of a :class:`~.written.Submission` (empty for a missing cell)."""
        return {gid: self.cell(sub.cells[gid]) if gid in sub.cells else {} for gid in self.cell_ids}


@dataclass
class Pair:
    """Two submissions' written code compared."""
    a: str
    b: str
    kind: str                                     # "class", "reference" (b is the reference) or "archive"
    overall: float                                # weighted mean of the cell scores
    cells: dict = field(default_factory=dict)     # grade_id -> score in [0, 1]


def jaccard(prints, gid):
    """The matrix of Jaccard indices of cell ``gid``'s fingerprint sets between all of ``prints`` (a list).

    Membership is a sparse matrix: memory grows with the fingerprints there are, not with students x
    distinct fingerprints.
    """
    index, rows, cols = {}, [], []
    for row, p in enumerate(prints):
        for h in p.get(gid, ()):
            rows.append(row)
            cols.append(index.setdefault(h, len(index)))
    member = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                               shape=(len(prints), max(len(index), 1)))
    common = (member @ member.T).toarray()          # exact: counts far below 2**24
    size = np.asarray(member.sum(axis=1)).ravel()
    union = size[:, None] + size[None, :] - common
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


def matched_lines(prints_a, prints_b):
    """``(lines of a, lines of b)``: bit masks of the lines that one cell's common fingerprints cover."""
    mask_a = mask_b = 0
    for h in prints_a.keys() & prints_b.keys():
        mask_a |= prints_a[h]
        mask_b |= prints_b[h]
    return mask_a, mask_b


def line_runs(mask):
    """``[(first, last)]``: the runs of set bits of a line mask (0-based, inclusive)."""
    runs, offset = [], 0
    while mask:
        skip = (mask & -mask).bit_length() - 1      # zeros below the next run
        mask >>= skip
        length = (~mask & (mask + 1)).bit_length() - 1
        runs.append((offset + skip, offset + skip + length - 1))
        mask >>= length
        offset += skip + length
    return runs


def all_pairs(prints, weights, reference=None, archive=None, reference_name="reference"):
    """Every pair of ``prints`` (``{name: fingerprints}``), then each against the reference and the archive.

    Returns:
        [Pair], highest overall score first (ties by name).
    """
    names = sorted(prints)
    others = ([(reference_name, reference, "reference")] if reference is not None else []) + [
        (old, old_prints, "archive") for old, old_prints in sorted((archive or {}).items())]
    everyone = [prints[n] for n in names] + [p for _, p, _ in others]
    total = sum(weights.values()) or 1
    scores = {gid: jaccard(everyone, gid) for gid in weights}
    overall = sum(weights[gid] * scores[gid] for gid in weights) / total
    scores = {gid: m.tolist() for gid, m in scores.items()}
    overall = overall.tolist()

    def pair(i, j, b, kind):
        return Pair(names[i], b, kind, overall[i][j], {gid: scores[gid][i][j] for gid in weights})

    pairs = [pair(i, j, names[j], "class") for i in range(len(names)) for j in range(i + 1, len(names))]
    pairs += [pair(i, len(names) + k, other, kind) for k, (other, _, kind) in enumerate(others)
              for i in range(len(names))]
    return sorted(pairs, key=lambda p: (-p.overall, p.a, p.b))
