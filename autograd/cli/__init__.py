"""The `valuegrad` command line: expressions, drawing and explaining from a shell."""
