"""docs/configuration.md is generated from the settings models: it may not drift from them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_configuration_reference_is_current():
    done = subprocess.run([sys.executable, str(REPO / "docs" / "configuration.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_reference_names_every_engine_setting():
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "| `--engine` | `COPYDESK_ENGINE` | `auto` |" in text
    assert text.count("## `copydesk") >= 8
