"""The report stage: figures, summary.md and the comparison with the published numbers.

plots      the figures (PNG + PDF, names in `contracts.outputs.FIGURES`)
summary    summary.md: the convergence verdict per null and the controls, from the tables
published  the reference study's numbers, as data
cli        `sparsemotifs aggregate | figures | summary`
"""
