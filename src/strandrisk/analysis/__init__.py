"""strandrisk.analysis."""
