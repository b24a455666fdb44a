"""strandrisk.store: the DuckDB run store and exports of stored runs."""
