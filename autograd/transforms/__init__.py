"""Transforms above the core: forward mode, Jacobians and Hessians, forward against reverse."""
