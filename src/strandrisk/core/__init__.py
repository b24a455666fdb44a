"""strandrisk.core."""
