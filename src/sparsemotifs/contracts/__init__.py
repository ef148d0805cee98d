"""Shared contracts at the bottom of the import graph: every stage that reads or writes them
imports them from here, so a name, a column or a file format is defined once.

names    motif, null, split and pseudo-level names, their canonical orders, `ordered`/`sort_frame`
tables   column contracts of the tables passed between stages, and their validators
network  the per-network level file (`seed{s}/level{k}.npz`): path, save, load, validation
"""
