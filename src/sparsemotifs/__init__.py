"""sparsemotifs: do differently seeded sparse networks converge to the same wiring motifs?

Pipeline: simulate hawkmoth flight -> train and prune an ensemble of MLPs -> count motifs
against null models -> aggregate over seeds. See README.md.
"""

__version__ = "0.1.0"


class SparsemotifsError(Exception):
    """A user-facing error: bad config, bad input file, bad argument. The CLI prints it and exits 2."""
