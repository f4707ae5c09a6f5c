"""The review round (SPEC 9): reviewers.csv in, reviews.csv out, never typed by hand.

- ``reviewers``: reviewers.csv, and how reviewers and organisations are compared;
- ``assign`` (with ``assign_problem`` and ``assign_solver``): who reviews what, proven
  optimal, with the reasons when it is impossible;
- ``assignments``: assignments.csv, read and written;
- ``sheets`` and ``workbook``: one Excel scoresheet per reviewer (``workbook`` is the only
  module that imports openpyxl), read back by ``collect`` into reviews.csv.
"""
