"""The call's data as strict, immutable models (no I/O here)."""
