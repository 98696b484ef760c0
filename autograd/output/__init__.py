"""What valuegrad writes out: user text escaped for each markup, files saved kill-safe."""
