"""`python -m autograd` runs the valuegrad command."""

import sys

from .cli.main import main

sys.exit(main())
