"""Pictures of networks: node names for drawings, the diagram, matrix views, training curves."""
