"""``python -m fieldapp.sample``: the ``teren-sample`` command."""

from fieldapp.sample.cli import main

main()
