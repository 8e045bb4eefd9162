"""The events `glimmer run` prints: one JSON object per line, the `event` key first."""

import json
import sys
from collections.abc import Callable
from typing import TextIO

Emit = Callable[[dict], None]


def json_lines(stream: TextIO = sys.stdout) -> Emit:
    """An emitter writing each event as one flushed JSON line to `stream`."""
    def emit(event: dict) -> None:
        ordered = {"event": event["event"], **{k: v for k, v in event.items() if k != "event"}}
        stream.write(json.dumps(ordered, ensure_ascii=False) + "\n")
        stream.flush()
    return emit
