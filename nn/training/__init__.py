"""Training tooling: fit(), validation, early stopping, data splits and accuracy metrics."""
