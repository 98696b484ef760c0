"""valuegrad's neural-network layer: modules, losses, optimisers and training on autograd Values."""
