"""strandrisk.scenarios: the typed scenario and its parameters."""
