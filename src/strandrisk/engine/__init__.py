"""strandrisk.engine: composes the core over a batch of scenarios."""
