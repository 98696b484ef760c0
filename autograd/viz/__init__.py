"""Drawing graphs: which nodes, where they go, how edges run, rendering and Jupyter display."""
