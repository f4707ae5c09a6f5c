"""``python -m pine_select``: the same as the ``pine-select`` command."""

from pine_select.cli import main

main()
