"""`python -m console` runs the same command as `realtime-console`."""

import sys

from console.cli import main

sys.exit(main())
