"""strandrisk.io."""
