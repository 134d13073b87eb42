"""How far the key facts' wording sits from the shop's texts, before any training.

The ceiling a model trained on a target shape can reach: for every valid product, the opening
plus every key fact, one fact a sentence (v2's targets) or joined up to three a sentence (v4's,
schemas/key_facts.fact_sentences), scored by MiniLM cosine against the human description, with
the title alone as the floor. No model generates here, so it runs in under a minute on a CPU.

    python bench/fact_prose.py [--data ../shared/data/catalog/valid.jsonl]
"""
import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from consumer.catalog import product_from_row, read_rows  # noqa: E402
from consumer.generation.guards import trim_to_sentences  # noqa: E402
from consumer.models.embedder import cosine_similarities  # noqa: E402
from schemas.key_facts import NO, YES, fact_sentences, key_attributes, opening_sentence, readable_name, readable_value  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default=str(ROOT.parent / "shared/data/catalog/valid.jsonl"))
args = parser.parse_args()

pairs = [(product, row["description"]) for row in read_rows(Path(args.data))
         if (product := product_from_row(row)) and (row.get("description") or "").strip()]
references = [text for _, text in pairs]


def facts(product):
    return [(name, product.attributes[name]) for name in key_attributes(product)]


def v2_sentence(name, value):
    """The one-fact template v2 was trained on (schemas/key_facts.py before commit 33e6aeb)."""
    label, text = readable_name(name), readable_value(value)
    if isinstance(value, bool) or text.lower() in YES | NO:
        return f"It has {'no ' if (value is False or text.lower() in NO) else ''}{label}."
    if label.lower() in {"tags", "tag", "other categories", "collections"}:
        return f"It is listed under {text}."
    if label.lower() in {"color", "colour"}:
        return f"It comes in {text}."
    if label.lower() in {"material", "materials", "fabric"}:
        return f"It is made of {text}."
    if all(word in text.lower() for word in label.lower().split()):
        return f"It comes with {text[:1].lower() + text[1:]}."
    return f"The {label} {'are' if label.endswith('s') or label.startswith('dimensions') else 'is'} {text}."


shapes = {
    "title alone": lambda p: p.title,
    "opening + one fact a sentence (v2)": lambda p: " ".join([opening_sentence(p)] + [v2_sentence(*fact) for fact in facts(p)]),
    "opening + facts joined (up to 3)": lambda p: " ".join([opening_sentence(p)] + fact_sentences(facts(p))),
}
print(f"{len(pairs)} products of {args.data}; MiniLM cosine to the human text, mean")
for name, shape in shapes.items():
    texts = [trim_to_sentences(shape(p), 400) or p.title for p, _ in pairs]
    print(f"{name:34s} {statistics.fmean(cosine_similarities(texts, references)):.3f}")
