"""What the browser tests share: Debian's Chromium, the flags it needs offline, and skip-or-fail when it is missing."""
import os, shutil
from pathlib import Path

import pytest

# Headless, sandbox off (root in CI), and no background traffic to Google's hosts on a closed network.
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']

def chromium_path() -> str | None:
    "The Chromium executable: $NST_NB_CHROMIUM, else `chromium` on the PATH, else /usr/bin/chromium; None if absent."
    p = os.environ.get('NST_NB_CHROMIUM') or shutil.which('chromium') or '/usr/bin/chromium'
    return p if Path(p).exists() else None

def missing(why: str, module: bool = False):
    "Skip (the test, or the whole module), or fail when NST_NB_REQUIRE_BROWSER=1, as in CI."
    if os.environ.get('NST_NB_REQUIRE_BROWSER') == '1': pytest.fail(why, pytrace=False)
    pytest.skip(why, allow_module_level=module)
