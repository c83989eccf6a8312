"""pdf: laid-out pages -> the bytes of a PDF file.

In: a `Document` and the settings. Out: the file, written object by object:
content streams, font subsets, images and drawings, links, outline, labels.
"""
