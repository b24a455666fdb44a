"""strandrisk.cli."""
