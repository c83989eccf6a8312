"""abstractbook: typeset a scientific meeting's abstract book from YAML records."""

__version__ = "0.1.0"
