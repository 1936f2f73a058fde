"""``python -m benchmarks.quality``: run the quality gate."""

import sys

from benchmarks.quality.gate import main

sys.exit(main())
