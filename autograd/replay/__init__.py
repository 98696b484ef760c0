"""Compiled replay: trace a function once, then replay its value and gradients fast."""
