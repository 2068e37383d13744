"""`python -m creditlens` = the `creditlens` command."""

from creditlens.cli import main

main()
