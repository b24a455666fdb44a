"""strandrisk.tco: total cost of ownership of inference options."""
