"""A counting SMTP sink for benchmarks, run as its own process so it does not share the sender's GIL.

python -m bench.smtp_sink PORT OUTFILE   (writes {message-id: count} as JSON on SIGTERM)
"""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from collections import Counter

from aiosmtpd.controller import Controller

_MSGID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.M | re.I)


class CountingHandler:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        match = _MSGID.search(envelope.original_content)
        self.ids[match.group(1).decode() if match else "?"] += 1
        return "250 OK"


def main() -> None:
    port, outfile = int(sys.argv[1]), sys.argv[2]
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print("ready", flush=True)
    done.wait()
    controller.stop()
    with open(outfile, "w") as fh:
        json.dump(dict(handler.ids), fh)


if __name__ == "__main__":
    main()
