"""Step-through pages: a pass frame by frame on one drawing, in one self-contained HTML file."""
