"""`copydesk-trainer eval`: score a model by what the service would actually publish.

Drafts come from consumer.generation.generator.Generator.describe - the serving code, its prompt, its
grounding processor and its guards - so there is no train/serve skew between what we measure
and what merchants get. The seed recipe column (the project's starting point: a plain prompt,
beam search, no guards, one product at a time) is scored by the same functions.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
import time
from dataclasses import dataclass
from pathlib import Path

from consumer.generation.claims.checker import extract_claims
from consumer.generation.claims.coverage import stated_attributes
from consumer.generation.guards import check_description, claimed_terms, repeated_ngram
from consumer.generation.model_thread import on_model_thread
from consumer.catalog import product_from_row, read_rows
from consumer.models.embedder import cosine_similarities
from trainer.copy_metrics import copy_measures, field_measures
from schemas.events import Product

SEED_PROMPT = "Title: {title}\nDescription:"


@dataclass
class Scored:
    """One generated text with what the evaluator needs to score it."""

    product: Product
    reference: str
    text: str
    publishable: bool
    new_tokens: int
    raw_text: str = ""  # the model's output before guards dropped anything ("" = same as text)
    lead: str = ""  # the model's guarded lead (text adds the bullets built from the data)
    fields: object = None  # schemas.events.CopyFields
    locale: str = "en_US"
    lead_from_data: bool = False  # the model's lead failed (copy.choose_lead) and the data's was published


# -- similarity ----------------------------------------------------------------------------


def rouge_l(texts: list[str], references: list[str]) -> list[float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return [scorer.score(reference, text)["rougeL"].fmeasure for text, reference in zip(texts, references)]


def edit_similarities(texts: list[str], references: list[str]) -> list[float]:
    """1 - normalised Levenshtein distance (rapidfuzz): how little an editor had to change."""
    from rapidfuzz.distance import Levenshtein

    return [Levenshtein.normalized_similarity(text, reference) for text, reference in zip(texts, references)]


# -- metrics --------------------------------------------------------------------------------


def coverage_metrics(items: list[Scored]) -> dict:
    """Mean share of key attributes stated, and the share of drafts that state none, raw and published."""
    result = {}
    for suffix, text_of in (("", lambda item: item.text), ("_raw", lambda item: item.raw_text or item.text)):
        shares, empty = [], 0
        for item in items:
            keys, stated = stated_attributes(text_of(item), item.product)
            if keys:
                shares.append(len(stated) / len(keys))
                empty += not stated
        result[f"key_attribute_coverage{suffix}"] = statistics.fmean(shares) if shares else float("nan")
        result[f"drafts_stating_no_fact{suffix}"] = empty / len(shares) if shares else float("nan")
    return result


def score(items: list[Scored], max_chars: int, seconds: float) -> dict:
    """Every metric over a list of generated texts; shares are in [0, 1]."""
    claims = ungrounded = 0
    ungrounded_examples: list[str] = []
    for item in items:
        found, missing = claimed_terms(item.text, item.product)
        claims += len(found)
        ungrounded += len(missing)
        if missing and len(ungrounded_examples) < 5:
            ungrounded_examples.append(f"{item.product.title[:40]}: {', '.join(missing[:4])}")
    texts = [item.text or "-" for item in items]
    references = [item.reference for item in items]
    claims_published = [extract_claims(item.text, item.product) for item in items]
    claims_raw = [extract_claims(item.raw_text or item.text, item.product) for item in items]
    return {
        # draft level, the headline: the share of drafts that state nothing the data lacks, graded
        # on what is published and on the raw model output (before any sentence was dropped)
        "claim_free": sum(all(c.supported for c in found) for found in claims_published) / len(items),
        "claim_free_raw": sum(all(c.supported for c in found) for found in claims_raw) / len(items),
        "claims_per_draft": statistics.fmean(len(found) for found in claims_published),
        "unsupported_by_kind": dict(Counter(c.kind for found in claims_published for c in found if not c.supported)),
        "unsupported_by_kind_raw": dict(Counter(c.kind for found in claims_raw for c in found if not c.supported)),
        # fact coverage: the share of each product's key attributes the draft states (coverage.py)
        **coverage_metrics(items),
        "grounding": 1.0 - ungrounded / claims if claims else 1.0,
        "claims": claims,
        "ungrounded_examples": ungrounded_examples,
        "loops": sum(repeated_ngram(item.text) is not None for item in items) / len(items),
        "publishable": sum(item.publishable for item in items) / len(items),
        "length_ok": sum(len(item.text) <= max_chars for item in items) / len(items),
        "similarity_cosine": statistics.fmean(cosine_similarities(texts, references)),
        # the prose alone (a description is the lead, then "Label: value" bullets no catalog text has)
        "similarity_cosine_lead": statistics.fmean(cosine_similarities([item.lead or item.text or "-" for item in items], references)),
        "rouge_l": statistics.fmean(rouge_l(texts, references)),
        "edit_similarity": statistics.fmean(edit_similarities(texts, references)),
        "mean_new_tokens": statistics.fmean(item.new_tokens for item in items),
        "descriptions_per_second": len(items) / seconds if seconds else float("nan"),
        # copy a merchant publishes (copy_metrics.py): on the raw first attempt and on the published text
        **{f"{key}_raw": value for key, value in copy_measures([item.raw_text or item.text for item in items], items).items()},
        **copy_measures([item.text if item.publishable else "" for item in items], items),
        "lead_coverage": coverage_metrics([Scored(i.product, i.reference, i.lead, i.publishable, 0) for i in items if i.lead])
        .get("key_attribute_coverage", float("nan")),
        **field_measures(items),
        "leads_from_data": (sum(i.lead_from_data for i in items if i.lead) / n_leads) if (n_leads := sum(bool(i.lead) for i in items)) else None,
    }


def per_product(items: list[Scored]) -> dict[str, list[float | None]]:
    """The gate's veto measures for each product (None where one does not apply), so the gate can
    compare two models product by product (paired intervals) instead of by their means alone."""
    coverage = []
    for item in items:
        keys, stated = stated_attributes(item.text, item.product)
        coverage.append(len(stated) / len(keys) if keys else None)
    return {
        "similarity_cosine": cosine_similarities([item.text or "-" for item in items], [item.reference for item in items]),
        "claim_free": [float(all(claim.supported for claim in extract_claims(item.text, item.product))) for item in items],
        "key_attribute_coverage": coverage,
        "publishable": [float(item.publishable) for item in items],
    }


# -- generation -------------------------------------------------------------------------------


def generate_with_service(model: str, pairs: list[tuple[Product, str]], cache_dir: Path, batch_size: int, max_new_tokens: int = 192,
                          locales: list[str] | None = None, unsupported_locale: str = "review",
                          engine: str = "auto") -> tuple[list[Scored], float, str]:
    """Drafts exactly as `copydesk serve` would write them, batched like the service (each row in its
    own locale), on the engine serve uses (`engine`, as serve's setting: no train/serve skew)."""
    from consumer.generation.generator import Generator
    from consumer.models.resolve import resolve_model

    base_dir, adapter_dir = resolve_model(model, cache_dir)
    generator = Generator.load(base_dir, adapter_dir, max_new_tokens=max_new_tokens, engine=engine)
    scored: list[Scored] = []
    started = time.perf_counter()
    locales = locales or ["en_US"] * len(pairs)
    for start in range(0, len(pairs), batch_size):
        scored += describe_batch(generator, pairs[start : start + batch_size], locales[start : start + batch_size], unsupported_locale)
    return scored, time.perf_counter() - started, generator.version


def describe_batch(generator, chunk: list[tuple[Product, str]], locales: list[str], unsupported_locale: str = "review") -> list[Scored]:
    """One batch through Generator.describe, as serve calls it, scored against each row's reference."""
    from consumer.generation.generator import Request

    drafts = generator.describe([Request(product, locale, unsupported_locale) for (product, _), locale in zip(chunk, locales)])
    return [Scored(p, ref, d.text, d.status == "draft", d.new_tokens, d.raw_text, d.lead, d.fields, locale, any(c.name == "lead" for c in d.checks))
            for (p, ref), d, locale in zip(chunk, drafts, locales)]


@on_model_thread
def generate_seed_recipe(pairs: list[tuple[Product, str]], cache_dir: Path) -> tuple[list[Scored], float]:
    """The starting point: `Title: ...\\nDescription:`, num_beams=5, max_length=512, no guards."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from consumer.models.base_model import prepare_base_model

    base = prepare_base_model(cache_dir).path
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).eval()
    scored = []
    started = time.perf_counter()
    for product, reference in pairs:
        input_ids = tokenizer(SEED_PROMPT.format(title=product.title), return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            output = model.generate(input_ids, max_length=512, num_beams=5, early_stopping=True, pad_token_id=tokenizer.pad_token_id)
        new = output[0, input_ids.shape[1]:]
        text = tokenizer.decode(new, skip_special_tokens=True).strip()
        publishable = check_description(text, product, product.max_chars or 400).passed and len(text) <= (product.max_chars or 400)
        scored.append(Scored(product, reference, text, publishable, int(new.numel())))
    return scored, time.perf_counter() - started


def load_pairs(path: Path, limit: int | None, max_chars: int) -> list[tuple[Product, str]]:
    return [(product_from_row(row, max_chars=max_chars), row.get("description") or "") for row in read_rows(path, limit)]


def evaluate_model(model: str, data: Path, limit: int | None = None, cache_dir: Path | None = None, max_chars: int = 400, batch_size: int = 16,
                   engine: str = "auto") -> dict:
    from consumer.ops.settings import default_cache_dir

    pairs = load_pairs(data, limit, max_chars)
    scored, seconds, version = generate_with_service(model, pairs, cache_dir or default_cache_dir(), batch_size, engine=engine)
    return {"model": model, "model_version": version, "rows": len(pairs), "metrics": score(scored, max_chars, seconds), "items": scored}


# -- the command ------------------------------------------------------------------------------

TABLE_ROWS = [
    ("claim_free", "drafts with no unsupported claim (published)", "{:.1%}"),
    ("claim_free_raw", "drafts with no unsupported claim (raw output)", "{:.1%}"),
    ("claims_per_draft", "claims per draft", "{:.1f}"),
    ("key_attribute_coverage", "key attributes stated (published)", "{:.1%}"),
    ("key_attribute_coverage_raw", "key attributes stated (raw output)", "{:.1%}"),
    ("drafts_stating_no_fact", "drafts stating no key attribute (published)", "{:.1%}"),
    ("drafts_stating_no_fact_raw", "drafts stating no key attribute (raw output)", "{:.1%}"),
    ("grounding", "grounding (claims in the data)", "{:.1%}"),
    ("loops", "loops (4-gram x3)", "{:.1%}"),
    ("publishable", "publishable (every guard)", "{:.1%}"),
    ("length_ok", "within max_chars", "{:.1%}"),
    ("similarity_cosine", "similarity (MiniLM cosine)", "{:.3f}"),
    ("similarity_cosine_lead", "similarity of the lead alone (MiniLM cosine)", "{:.3f}"),
    ("rouge_l", "ROUGE-L F1", "{:.3f}"),
    ("edit_similarity", "edit similarity", "{:.3f}"),
    ("template_share", "drafts opening like >10% of drafts (published)", "{:.1%}"),
    ("template_share_raw", "drafts opening like >10% of drafts (raw output)", "{:.1%}"),
    ("top_opening_share", "most shared opening pattern (published)", "{:.1%}"),
    ("label_frame", "'has a <label> of' (published)", "{:.1%}"),
    ("label_frame_raw", "'has a <label> of' (raw output)", "{:.1%}"),
    ("leaked_codes", "leaked attribute codes (published)", "{:.1%}"),
    ("lost_units", "lost units (published)", "{:.1%}"),
    ("lead_coverage", "key attributes stated in the lead alone", "{:.1%}"),
    ("leads_from_data", "leads written from the data (the model's failed)", "{:.1%}"),
    ("seo_fields_within_limits", "SEO title and meta description within limits", "{:.1%}"),
    ("fields_in_wrong_language", "published fields in another language than the locale", "{:.0f}"),
    ("published_fields", "published fields (lead, bullets, meta description)", "{:.0f}"),
    ("mean_new_tokens", "mean new tokens", "{:.1f}"),
    ("descriptions_per_second", "descriptions/s", "{:.2f}"),
]


def format_table(columns: list[tuple[str, dict, int]]) -> str:
    """columns: (name, metrics, rows)."""
    header = ["metric"] + [f"{name} (n={rows})" for name, _, rows in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, label, fmt in TABLE_ROWS:
        lines.append("| " + " | ".join([label] + [fmt.format(metrics.get(key, float("nan"))) if metrics.get(key) is not None else "-"
                                                  for _, metrics, _ in columns]) + " |")
    return "\n".join(lines)


def run_eval(settings) -> int:
    pairs = load_pairs(settings.data, settings.limit, settings.max_chars)
    columns: list[tuple[str, dict, int]] = []
    reports = {}
    if settings.seed_recipe:
        seed_pairs = pairs[: settings.seed_limit]
        scored, seconds = generate_seed_recipe(seed_pairs, settings.cache_dir)
        columns.append(("seed recipe", score(scored, settings.max_chars, seconds), len(seed_pairs)))
        reports["seed recipe"] = scored
    compared = [name.strip() for name in (settings.compare or "").split(",") if name.strip()]
    locales = [row.get("locale") or "en_US" for row in read_rows(settings.data, settings.limit)]
    for model in [*compared, settings.model]:
        scored, seconds, version = generate_with_service(model, pairs, settings.cache_dir, settings.batch_size, settings.max_new_tokens,
                                                         locales, settings.unsupported_locale, settings.engine)
        columns.append((f"{model}: {version}", score(scored, settings.max_chars, seconds), len(pairs)))
        reports[model] = scored
    if settings.score_human:  # the people's text through the same scorer: what the claim and coverage numbers mean
        human = [Scored(product, reference, reference, True, 0) for product, reference in pairs]
        columns.append(("human text", score(human, settings.max_chars, 0.0), len(pairs)))
    if settings.output:
        settings.output.parent.mkdir(parents=True, exist_ok=True)
        ids = [str(row.get("id", "")) for row in read_rows(settings.data, settings.limit)]  # the rows of `pairs`, in order
        with open(settings.output, "w") as sink:
            for name, scored in reports.items():
                for product_id, item, (_, reference) in zip(ids, scored, pairs):
                    sink.write(json.dumps({"model": name, "id": product_id, "title": item.product.title, "text": item.text, "raw_text": item.raw_text,
                                           "reference": reference,
                                           "lead": item.lead, "lead_from_data": item.lead_from_data, "fields": item.fields.model_dump() if item.fields else None, "locale": item.locale,
                                           "publishable": item.publishable,
                                           "unsupported": [[c.claim, c.kind] for c in extract_claims(item.text, item.product) if not c.supported],
                                           "stated": stated_attributes(item.text, item.product)[1],
                                           "attributes": item.product.attributes}, ensure_ascii=False) + "\n")
    if settings.json_output:
        print(json.dumps({name: {"rows": rows, **metrics} for name, metrics, rows in columns}, indent=2))
    else:
        print(f"data: {settings.data} ({len(pairs)} rows, max_chars {settings.max_chars}), {time.strftime('%Y-%m-%d')}")
        print(format_table(columns))
        for name, metrics, _ in columns:
            if metrics["ungrounded_examples"]:
                print(f"\nungrounded in {name}: " + " | ".join(metrics["ungrounded_examples"]))
    return 0
