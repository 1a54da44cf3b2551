"""Build the documentation site offline, without Quarto, into `_site/`.

    python tools/build_docs.py [--out _site] [--force] [--strict] [--workers N]

The work is done by the package `tools/nbsite/` (its docstring says how); this file is its command line.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `nbsite`, also for the spawned processing workers

from nbsite.build import main

if __name__ == '__main__':
    main()
