"""Weighted views of pruned networks: link weights, node strength, layer fluctuation (weighted.md)."""
