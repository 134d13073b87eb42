"""Where a backfill is: a small JSON file replaced atomically after every flushed chunk.

Written only after the producer has flushed (every event before the position is acknowledged by
the brokers), so after kill -9 the next run resumes at most one chunk early; the repeats carry
the same event ids and serve answers them with nothing. The file is replaced with a rename, so
it is always either the old or the new state, never half of one.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path


def default_path(cache_dir: Path, source: str, topic: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{Path(source).name}-{topic}")[:150]
    return cache_dir / "backfill" / f"{name}.json"


class Checkpoint:
    def __init__(self, path: Path, source: str, topic: str):
        self.path, self.source, self.topic = path, source, topic

    def load(self) -> dict | None:
        """The saved state of this source and topic; None when there is none (or it is another run's)."""
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as error:
            raise ValueError(f"checkpoint {self.path} is not JSON ({error}); remove it or pass --restart") from error
        if state.get("source") != self.source or state.get("topic") != self.topic:
            raise ValueError(f"checkpoint {self.path} is of source {state.get('source')!r} to {state.get('topic')!r}, "
                             f"not {self.source!r} to {self.topic!r}; give another --checkpoint or pass --restart")
        return state

    def save(self, state: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {**state, "source": self.source, "topic": self.topic, "saved_at": datetime.now(UTC).isoformat()}
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
