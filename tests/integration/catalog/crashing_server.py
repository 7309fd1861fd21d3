"""A portal process that dies between a catalogue commit and the search-index update.

It serves normally, but the first index sync after a write records that the commit happened
and then hangs, so the test can SIGKILL the process exactly in that window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from waitress import serve

from catalog.indexing import Indexer
from portal.app import create_app

marker = Path(os.environ["CRASH_MARKER"])
armed = False
original_sync = Indexer.sync


def hanging_sync(self: Indexer) -> int:
    if armed:
        marker.write_text("committed")
        time.sleep(3600)
    return original_sync(self)


Indexer.sync = hanging_sync  # type: ignore[method-assign]
app = create_app()
armed = True
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4)
