"""Explanations of a backward pass: tables, rules as text, chain-rule paths, LaTeX."""
