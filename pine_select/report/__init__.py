"""Rendering results for people and scripts: one module per command's output.

Nothing here computes a result: renderers take the library's result objects and turn them
into terminal tables, CSV or JSON-ready data.
"""
