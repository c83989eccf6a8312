"""`python -m abstractbook` runs the command line."""

from .console import main

main()
