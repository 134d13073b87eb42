"""Target shapes compared on the valid split before training: what a model trained on each would learn.

No model generates here (a minute on a CPU): each shape is built for every valid product and
scored as the evaluator scores drafts - opening-pattern repetition, the "has a <label> of"
frame, claim-free (the claim checker), key attributes stated, MiniLM cosine to the human text -
alone and as the published description (the shape as the lead, then the bullets built from the
data). The shapes:

- v4's target: "The X is from our Y range." plus facts "It has a <label> of <value>";
- the data lead (schemas/lead_prose.py) alone;
- the data lead, then the human sentences the claim checker supports (the chosen ``lead`` target);
- the supported human sentences alone (what is left of a person's text).

    python bench/lead_targets.py [--data ../shared/data/catalog/valid.jsonl]
"""
import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from consumer.catalog import product_from_row, read_rows  # noqa: E402
from consumer.generation.claims.checker import extract_claims  # noqa: E402
from consumer.generation.claims.coverage import stated_attributes  # noqa: E402
from consumer.generation.guards import trim_to_sentences  # noqa: E402
from consumer.models.embedder import cosine_similarities  # noqa: E402
from schemas.copy_fields import assemble, bullets  # noqa: E402
from schemas.key_facts import fact_sentences, key_attributes, opening_sentence  # noqa: E402
from schemas.lead_prose import lead  # noqa: E402
from trainer.copy_metrics import label_frame, template_repetition  # noqa: E402
from trainer.dataset import _grounded_sentences, _supported  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default=str(ROOT.parent / "shared/data/catalog/valid.jsonl"))
args = parser.parse_args()

pairs = [(product, row["description"]) for row in read_rows(Path(args.data))
         if (product := product_from_row(row)) and (row.get("description") or "").strip()]
references = [text for _, text in pairs]


def human(product, text):
    return " ".join(s for s in _grounded_sentences(text, product) if _supported(s, product))


shapes = {
    "v4 target (opening + label frame)": lambda p, t: " ".join([opening_sentence(p)] + fact_sentences(
        [(n, p.attributes[n]) for n in key_attributes(p)])),
    "data lead alone": lambda p, t: lead(p),
    "data lead + supported human (chosen)": lambda p, t: " ".join(filter(None, [lead(p), human(p, t)])),
    "supported human sentences alone": human,
}
names = [[p.title, p.brand or ""] for p, _ in pairs]
print(f"{len(pairs)} products of {args.data}")
print("| shape | top opening | drafts in >10% openings | 'has a <label> of' | claim-free | key attrs stated | cosine | cosine lead+bullets |")
print("|---|---|---|---|---|---|---|---|")
for name, shape in shapes.items():
    texts = [trim_to_sentences(shape(p, t), 320) for p, t in pairs]
    published = [assemble(text, bullets(p), 600)[0] or p.title for text, (p, _) in zip(texts, pairs)]
    repetition = template_repetition(texts, names)
    claim_free = statistics.fmean(all(c.supported for c in extract_claims(text, p)) for text, (p, _) in zip(texts, pairs))
    shares = [len(stated) / len(keys) for text, (p, _) in zip(texts, pairs) for keys, stated in [stated_attributes(text, p)] if keys]
    cosine = statistics.fmean(cosine_similarities([t or p.title for t, (p, _) in zip(texts, pairs)], references))
    cosine_published = statistics.fmean(cosine_similarities(published, references))
    print(f"| {name} | {repetition['top_opening']!r} {repetition['top_opening_share']:.1%} | {repetition['template_share']:.1%} | "
          f"{statistics.fmean(map(label_frame, texts)):.1%} | {claim_free:.1%} | {statistics.fmean(shares):.1%} | {cosine:.3f} | {cosine_published:.3f} |")
