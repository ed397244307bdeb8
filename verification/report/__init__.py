"""Presentation: LaTeX, Markdown and text renderers, prose typesetting, the families that name laws, progress
bars and the terminal.  Nothing here computes a result."""
