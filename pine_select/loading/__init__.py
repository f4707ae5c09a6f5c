"""Reading a call from files: the only place that touches YAML and CSV input."""
