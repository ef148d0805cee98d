"""What a pruned network still does: fly its predicted controls (closed-loop function, weighted.md)."""
