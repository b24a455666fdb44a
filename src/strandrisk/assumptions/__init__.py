"""strandrisk.assumptions."""
