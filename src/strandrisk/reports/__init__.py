"""strandrisk.reports: figures, the HTML report and PNG copies; no model maths."""
