"""`python -m abstractbook` runs the command line."""

from .cli import main

main()
