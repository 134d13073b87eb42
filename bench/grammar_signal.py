"""Share of sentences link-grammar cannot parse completely: a grammar signal for drafts, offline.

Debian's `link-grammar` (`apt-get install link-grammar`, the `link-parser` program) parses each
sentence with its English dictionary; in batch mode it reports a sentence that has no complete
linkage. Not a gate (it is not installed by `make install`, and human shop copy fails it too: a
spec fragment is no sentence), a measure to put next to the human text:

    python bench/grammar_signal.py --eval OUT.jsonl [--eval OTHER.jsonl ...] [--field lead|description|reference]

OUT.jsonl is `copydesk-trainer eval --output`; `reference` scores the human texts of the same rows.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from consumer.generation.sentences import split_sentences  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--eval", action="append", required=True, help="an eval --output JSONL (repeatable)")
parser.add_argument("--field", action="append", default=None, help="which text: lead, description, reference (repeatable)")
args = parser.parse_args()
if not shutil.which("link-parser"):
    sys.exit("link-parser not found: apt-get install link-grammar")


def unparsed(sentences: list[str]) -> list[bool]:
    """One flag per sentence: True when link-grammar finds no complete linkage."""
    lines = [re.sub(r"\s+", " ", s).strip() for s in sentences]
    run = subprocess.run(["link-parser", "en", "-batch", "-echo", "-graphics=0", "-timeout=5"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, timeout=3600)
    out = [line for line in run.stdout.splitlines() if line.strip()]
    flags, index = [False] * len(lines), -1
    for line in out:
        if line.startswith("+++++ error"):
            if index >= 0:
                flags[index] = True
        elif index + 1 < len(lines) and line.strip() == lines[index + 1]:
            index += 1
    return flags


groups: dict[str, list[dict]] = {}
for path in args.eval:
    for line in open(path):
        if line.strip():
            row = json.loads(line)
            groups.setdefault(row.get("model") or Path(path).name, []).append(row)
for model, rows in groups.items():
    for field in args.field or ["lead", "description", "reference"]:
        texts = [(row.get("text" if field == "description" else field) or "") for row in rows]
        sentences = [s for text in texts for s in split_sentences(text.replace("\n- ", ". ")) if re.search(r"[A-Za-z]", s)]
        if not sentences:
            continue
        flags = unparsed(sentences)
        print(f"{model} {field}: {sum(flags)}/{len(flags)} sentences without a complete parse "
              f"({100 * sum(flags) / len(flags):.1f}%)")
