"""The engine's core: Value, the op table, the walk, backward, modes, the functional face."""
