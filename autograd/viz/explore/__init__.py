"""autograd.explore: a drawing with a slider per leaf, replayed on the widget's own numbers."""
