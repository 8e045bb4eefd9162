"""`python -m assistant.cli` is `glimmer`."""

import sys

from assistant.cli import main

sys.exit(main())
