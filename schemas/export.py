"""Write the JSON Schema of every contract to schemas/json/ (``python -m schemas.export``).

Non-Python producers (a PIM connector in PHP or Java) validate against these files; a test
fails when a file and its model disagree, so they can't drift.
"""

from __future__ import annotations

import json
from pathlib import Path

from schemas.events import ALL_CONTRACTS

JSON_DIR = Path(__file__).parent / "json"


def schema_files() -> dict[Path, str]:
    """Path -> the exact text the file must hold."""
    return {
        JSON_DIR / f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in ALL_CONTRACTS.items()
    }


def main() -> None:
    JSON_DIR.mkdir(exist_ok=True)
    for path, text in schema_files().items():
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
