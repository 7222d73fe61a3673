"""Regional comparisons of accepted returns."""
