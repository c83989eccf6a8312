"""load and validate: a book project's folder -> a checked, frozen `Book`.

In: book.yaml, program.yaml, the abstract records (YAML, read with line and
column kept) and the figures they name. Out: `model.Book` with its talks, sessions,
programme times and settings, the bodies parsed from Markdown into blocks and runs,
or an `InputError` holding every problem found. Nothing here draws or writes
(but `scaffold`, which writes the starter project of `new`).
"""
