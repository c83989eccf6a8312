"""typeset: a `Book` and its `Theme` -> laid-out pages, as typed drawing operations.

In: the model. Out: `layout.Document` (pages of placed `ops`, outline, the pages
of each talk). Fonts and fallback, formulas, right-to-left order, line breaking,
the talks, front and back matter, the timetable and the pocket programme,
pagination. Nothing here writes a file.
"""
