"""`python -m nn` runs the valuegrad command, demo included."""

import sys

from .cli import main

sys.exit(main())
