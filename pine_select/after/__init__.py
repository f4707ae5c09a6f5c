"""What follows the panel's decision (SPEC 11): letters to applicants, the grants as open data.

``letters.py`` prepares one letter per applicant (pure), ``letter_render.py`` renders it
(Jinja, sandboxed for a funder's own template), ``letters_folder.py`` writes them all or
nothing; ``grants.py`` makes the funded grants into 360Giving records, ``giving_schema.py``
validates them against the standard's own schema (shipped in ``schema/``), and
``giving_csv.py`` flattens them under the standard's column titles.
"""
