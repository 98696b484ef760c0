"""The PyTorch twin of a Value graph, and the crosscheck against it."""
