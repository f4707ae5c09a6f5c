"""What follows the panel's decision (SPEC 11): letters to applicants, the grants as open data.

Letters: ``letters.py`` prepares each applicant's letter as plain data (pure), with
``redaction.py`` keeping other applicants and reviewers out of it; ``letter_render.py``
renders it (Jinja, sandboxed, for a funder's own template too); ``letters_folder.py``
writes them all or nothing. Open data: ``grants.py`` makes the funded grants into
360Giving records, ``giving_schema.py`` validates them against the standard's own schema
(shipped in ``schema/``), ``giving_csv.py`` flattens them under the standard's column
titles and ``publish.py`` writes the file. ``steps.py`` holds what the commands call.
"""
