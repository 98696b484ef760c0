"""`python -m autograd` runs the valuegrad command."""

import sys

from .cli import main

sys.exit(main())
