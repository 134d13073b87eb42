"""The resident model: batched, grounded, deterministic generation of description drafts.

Loaded once per process and kept on the device. One call writes a whole batch, through one of
two engines (`engine`): on CPU copydesk's cached engine (engine.py: the shared prompt prefix
computed once, no padding, bf16 matmuls where the CPU has them), on GPU transformers' `generate`
on left-padded prompts. Both take the same logits processors. Decoding is greedy and a row's
text does not depend on its batch (a redelivered event gets the same text), numbers are constrained to the
product data while decoding, and each row stops on its own token budget derived from the
field's max_chars. A draft that fails only on some sentences (a claim the data lacks, markup)
loses those sentences when what is left passes every guard; other failures get one retry with
stronger anti-repetition settings; a row that fails twice is published as needs_review, never
as a clean draft.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    AutoTokenizer,
    LogitsProcessor,
    LogitsProcessorList,
    MinNewTokensLengthLogitsProcessor,
    NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor,
    StoppingCriteria,
    StoppingCriteriaList,
)

from consumer.generation.grounding import BannedTermsProcessor, NumberGroundingProcessor, allowed_numbers  # noqa: E402
from consumer.generation.claims.checker import unsupported_phrases as claim_bans  # noqa: E402
from consumer.generation.claims.coverage import stated_attributes  # noqa: E402
from consumer.generation.copy import choose_lead, compose, lead_from_data  # noqa: E402
from consumer.generation.engine import DecodeEngine  # noqa: E402
from consumer.generation.loading import (  # noqa: E402,F401  (pick_device: trainer/fit.py reads it from here)
    adapter_locales,
    adapter_prompt_style,
    adapter_version,
    matmul_dtype,
    pick_device,
    pick_dtype,
    peft_without_deprecation_noise,
    pick_engine,
    shared_prefix,
)
from consumer.generation.guards import GuardReport, check_description, keep_grounded_sentences, ungrounded_terms  # noqa: E402
from consumer.generation.language import writes  # noqa: E402
from consumer.generation.model_thread import on_model_thread  # noqa: E402
from schemas.copy_fields import limit  # noqa: E402
from schemas.events import CheckResult, CopyFields, Product  # noqa: E402
from schemas.prompt import build_messages  # noqa: E402

CHARS_PER_TOKEN = 3.2
"""Conservative for English product copy, so a budget rarely ends before the field is full."""
MIN_LEAD_CHARS = 20
"""A lead as short as "A road bike from Pinarello." says what the product is; shorter says nothing."""
UNSUPPORTED_LOCALE = ("review", "bullets")
"""What a draft is for a locale the model does not write: held for review, or bullets from the data's own labels."""


def _loses_every_fact(text: str, kept: str, product) -> bool:
    """Dropping sentences would leave none of the key facts the text stated: a retry can do better.

    The closed-world checker drops a whole sentence for one word the data lacks ("a maximum print
    size of A4 and a language of en_US"): on the first attempt such a reduction is retried
    instead, the unexplained words banned; on the retry it is published, as the best there is.
    """
    keys, stated = stated_attributes(text, product)
    return bool(keys) and bool(stated) and not stated_attributes(kept, product)[1]


@dataclass(frozen=True)
class Decoding:
    """One attempt's decoding settings; all greedy, so the same input gives the same text.

    Both anti-repetition settings look at the generated tokens only. transformers' built-in
    versions also count the prompt, which penalises exactly what a grounded description must
    do - copy product names and model codes from the data - and made the model misspell them
    ("i-SENSY" for "i-SENSYS").
    """

    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    min_new_tokens: int = 0


# Failures that come from the input, not the text: regenerating cannot fix them.
UNFIXABLE_BY_RETRY = frozenset({"injection"})
# Failures confined to some sentences: dropping those sentences may leave a clean draft.
FIXABLE_BY_DROPPING = frozenset({"grounding", "markup"})

FIRST_ATTEMPT = Decoding(repetition_penalty=1.05)
RETRY = Decoding(repetition_penalty=1.2, no_repeat_ngram_size=4)
RETRY_LONGER = Decoding(repetition_penalty=1.2, no_repeat_ngram_size=4, min_new_tokens=24)
"""The retry of a draft that said nothing (it only repeated the title, or was too short) may not
stop before 24 tokens. Only that one: a lead that failed for a claim is retried with the claim
banned and free to stop, since forcing 24 tokens on a product whose data holds only its type
("Sony Walkman NWZ-B173F: an MP3 player.", 10 tokens) made the model run on past its sentence
into text about nothing in the data."""


class OnGeneratedTokens(LogitsProcessor):
    """Apply a logits processor to the generated part of each row only (not the prompt)."""

    def __init__(self, inner: LogitsProcessor, prompt_length: int):
        self.inner = inner
        self.prompt_length = prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        generated = input_ids[:, self.prompt_length :]
        if generated.shape[1] == 0:
            return scores
        return self.inner(generated, scores)


def decoding_processors(decoding: Decoding, prompt_length: int, eos_token_id: int) -> list[LogitsProcessor]:
    processors: list[LogitsProcessor] = []
    if decoding.repetition_penalty != 1.0:
        processors.append(OnGeneratedTokens(RepetitionPenaltyLogitsProcessor(decoding.repetition_penalty), prompt_length))
    if decoding.no_repeat_ngram_size:
        processors.append(OnGeneratedTokens(NoRepeatNGramLogitsProcessor(decoding.no_repeat_ngram_size), prompt_length))
    if decoding.min_new_tokens:
        processors.append(MinNewTokensLengthLogitsProcessor(prompt_length, decoding.min_new_tokens, eos_token_id))
    return processors


@dataclass(frozen=True)
class Request:
    product: Product
    locale: str = "en_US"
    unsupported_locale: str = "review"

    @property
    def max_chars(self) -> int:
        """What the model writes within: the lead's limit (the bullets are built from the data)."""
        return limit(self.product, "lead")


@dataclass
class Draft:
    text: str
    status: str
    checks: list[CheckResult]
    attempts: int
    new_tokens: int
    raw_text: str = ""
    """The model's first attempt as generated, before any guard, retry or ban: what "raw" metrics grade."""
    reasons: list[str] = field(default_factory=list)
    fields: CopyFields | None = None
    lead: str = ""  # the model's lead as guarded, before the bullets were added (text is the whole description)
    failed_checks: list[tuple[int, str]] = field(default_factory=list)  # (attempt, check) of every failure seen


class PerRowBudget(StoppingCriteria):
    """Stop each row at its own token budget (a 200-char field needs fewer tokens than 1,000)."""

    def __init__(self, prompt_length: int, budgets: torch.Tensor):
        self.prompt_length = prompt_length
        self.budgets = budgets

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        generated = input_ids.shape[1] - self.prompt_length
        return torch.full((input_ids.shape[0],), generated, device=input_ids.device) >= self.budgets


class Generator:
    """A loaded model plus everything needed to turn product data into guarded drafts."""

    locales: tuple[str, ...] = ("en",)  # the languages the model writes (its card's "locales")

    def __init__(self, model, tokenizer, version: str, device: torch.device, max_new_tokens: int = 192, prompt_style: str = "plain",
                 locales: tuple[str, ...] = ("en",), engine: DecodeEngine | None = None):
        self.model = model  # None under the cached engine, which holds the weights
        self.engine = engine
        self.locales = locales  # languages the model writes: other locales never reach it
        self.prompt_style = prompt_style  # served exactly as trained: schemas/prompt.py
        self.tokenizer = tokenizer
        self.version = version
        self.device = device
        self.max_new_tokens = max_new_tokens

    @classmethod
    @on_model_thread
    def load(
        cls,
        base_dir: Path,
        adapter_dir: Path | None = None,
        device: str = "auto",
        dtype: str = "auto",
        max_new_tokens: int = 192,
        engine: str = "auto",
    ) -> Generator:
        torch_device = pick_device(device)
        torch_dtype = pick_dtype(torch_device, dtype)
        tokenizer = AutoTokenizer.from_pretrained(base_dir)
        tokenizer.padding_side = "left"
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch_dtype)
        base_manifest = json.loads((base_dir / "copydesk-base.json").read_text()) if (base_dir / "copydesk-base.json").is_file() else {}
        version = f"base-{base_manifest.get('weights_sha256', 'unknown')[:12]}"
        if adapter_dir is not None:
            from peft import PeftModel

            # Merged into the base weights: serving pays no adapter overhead per token.
            with peft_without_deprecation_noise():
                model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
            version = adapter_version(adapter_dir)
        model.to(torch_device).eval()
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        style = adapter_prompt_style(adapter_dir)
        cached = None
        if pick_engine(engine, torch_device, model) == "cached":
            cached = DecodeEngine(model, shared_prefix(tokenizer, style), matmul_dtype(dtype, torch_dtype))
            model = None  # the engine took over its weights
        return cls(model, tokenizer, version, torch_device, max_new_tokens, style, adapter_locales(adapter_dir), cached)

    @property
    def engine_name(self) -> str:
        """What writes the tokens: 'cached-bfloat16', 'cached-float32' or 'generate-float32' (for logs, metrics and cards)."""
        if self.engine is not None:
            return f"cached-{str(self.engine.matmul_dtype).removeprefix('torch.')}"
        return f"generate-{str(self.model.dtype).removeprefix('torch.')}"

    def token_budget(self, max_chars: int) -> int:
        return min(self.max_new_tokens, math.ceil(max_chars / CHARS_PER_TOKEN) + 8)

    def render_prompts(self, requests: list[Request]) -> list[str]:
        return [
            self.tokenizer.apply_chat_template(build_messages(r.product, r.locale, self.prompt_style), add_generation_prompt=True, tokenize=False)
            for r in requests
        ]

    @on_model_thread
    @torch.inference_mode()
    def generate_texts(
        self,
        requests: list[Request],
        decoding: Decoding = FIRST_ATTEMPT,
        budgets: list[int] | None = None,
        banned_terms: list[list[str]] | None = None,
    ) -> list[tuple[str, int]]:
        """Raw model text and new-token count for each request, in one batched pass of the engine."""
        prompts = self.render_prompts(requests)
        budgets = budgets or [self.token_budget(r.max_chars) for r in requests]
        if self.engine is not None:
            ids = [self.tokenizer(prompt, add_special_tokens=False)["input_ids"] for prompt in prompts]
            prompt_length = max(len(row) for row in ids)
        else:
            encoded = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
            prompt_length = encoded["input_ids"].shape[1]
        processors = [*decoding_processors(decoding, prompt_length, self.tokenizer.eos_token_id)]
        processors.append(NumberGroundingProcessor(self.tokenizer, [allowed_numbers(r.product) for r in requests]))
        # Per row: the phrases its data denies (a false flag's name), plus what a failed attempt invented.
        banned = [claim_bans(r.product) + (banned_terms[i] if banned_terms else []) for i, r in enumerate(requests)]
        processors.append(BannedTermsProcessor(self.tokenizer, banned))
        if self.engine is not None:
            output, prompt_length = self.engine.generate(ids, budgets, LogitsProcessorList(processors), self.tokenizer.pad_token_id,
                                                         self.tokenizer.eos_token_id)
            return self._decoded(output, prompt_length)
        output = self.model.generate(
            **encoded,
            do_sample=False,
            max_new_tokens=max(budgets),
            logits_processor=LogitsProcessorList(processors),
            stopping_criteria=StoppingCriteriaList([PerRowBudget(prompt_length, torch.tensor(budgets, device=self.device))]),
            pad_token_id=self.tokenizer.pad_token_id,
        )
        return self._decoded(output, prompt_length)

    def _decoded(self, output: torch.Tensor, prompt_length: int) -> list[tuple[str, int]]:
        results = []
        for row in output[:, prompt_length:]:
            tokens = row[row != self.tokenizer.pad_token_id]
            results.append((self.tokenizer.decode(tokens, skip_special_tokens=True), int(tokens.numel())))
        return results

    @on_model_thread
    def describe(self, requests: list[Request]) -> list[Draft]:
        """Each request's draft: the model's guarded lead (locales it writes) and the fields built around it."""
        written = [i for i, r in enumerate(requests) if writes(r.locale, self.locales)]
        leads = dict(zip(written, self.write_leads([requests[i] for i in written]))) if written else {}
        return [self._with_fields(requests[i], leads.get(i)) for i in range(len(requests))]

    def _with_fields(self, request: Request, lead: Draft | None) -> Draft:
        """The description (lead, then bullets) and every field, checked; a failed blocking check holds it for review."""
        if lead is None:  # a locale the model does not write: never English text under another locale
            copy = compose(request.product, request.locale, None)
            reason = f"locale_unsupported: the model writes {', '.join(self.locales)}, the event asks {request.locale}"
            usable = request.unsupported_locale == "bullets" and bool(copy.fields.bullets) and not copy.blocking_failures
            checks = [c for c in copy.checks if c.name != "language"] + [CheckResult(name="language", passed=usable, reason=reason)]
            return Draft(copy.description, "draft" if usable else "needs_review", checks, 1, 0, "", [] if usable else [f"language: {reason}"],
                         fields=copy.fields)
        text, source, lead_status, reasons = lead.text, None, lead.status, lead.reasons
        if lead.status == "draft":
            text, source = choose_lead(lead.text, request.product, request.max_chars)
        elif not {name for _, name in lead.failed_checks} & UNFIXABLE_BY_RETRY:
            # both attempts failed a check of the text itself: the data's own lead, which states
            # only what the data says, rather than no draft (raw_text still shows what the model wrote)
            rescued = lead_from_data(request.product, request.max_chars, f"both attempts failed: {'; '.join(lead.reasons)[:300]}")
            if rescued is not None:
                (text, source), lead_status, reasons = rescued, "draft", []
        copy = compose(request.product, request.locale, text, follows_tone=False)
        if source is not None:
            copy.checks.append(source)
        blocking = copy.blocking_failures
        status = "needs_review" if lead_status != "draft" or blocking else "draft"
        reasons = reasons + [f"{c.name}: {c.reason}" for c in blocking]
        return Draft(copy.description, status, lead.checks + copy.checks, lead.attempts, lead.new_tokens, lead.raw_text, reasons,
                     fields=copy.fields, lead=text, failed_checks=lead.failed_checks + [(lead.attempts, c.name) for c in blocking])

    def write_leads(self, requests: list[Request]) -> list[Draft]:
        """Generate, guard, retry the failures once, and mark what still fails as needs_review."""
        drafts: list[Draft | None] = [None] * len(requests)
        pending = list(range(len(requests)))
        tokens_used = [0] * len(requests)
        last_report: dict[int, tuple[GuardReport, str]] = {}
        banned: dict[int, list[str]] = {}
        failed: dict[int, list[tuple[int, str]]] = {index: [] for index in range(len(requests))}
        fallback: dict[int, GuardReport] = {}
        first_raw: dict[int, str] = {}
        for attempt in (1, 2):
            if not pending:
                break
            if attempt == 1:
                texts = self.generate_texts([requests[i] for i in pending], FIRST_ATTEMPT, banned_terms=[[] for _ in pending])
            else:  # the rows that said nothing retry longer; the others only without their banned claims
                longer = [i for i in pending if any(name == "empty" for _, name in failed[i])]
                pending = longer + [i for i in pending if i not in longer]
                texts = [text for group, decoding in ((longer, RETRY_LONGER), (pending[len(longer):], RETRY)) if group
                         for text in self.generate_texts([requests[i] for i in group], decoding, banned_terms=[banned.get(i, []) for i in group])]
            still_failing = []
            for index, (raw, new_tokens) in zip(pending, texts):
                first_raw.setdefault(index, raw)
                tokens_used[index] += new_tokens
                report = check_description(raw, requests[index].product, requests[index].max_chars, MIN_LEAD_CHARS)
                failed[index] += [(attempt, check.name) for check in report.failures]
                if not report.passed and {check.name for check in report.failures} <= FIXABLE_BY_DROPPING:
                    kept, dropped = keep_grounded_sentences(report.text, requests[index].product)
                    reduced = check_description(kept, requests[index].product, requests[index].max_chars, MIN_LEAD_CHARS)
                    if dropped and reduced.passed and (attempt > 1 or not _loses_every_fact(report.text, kept, requests[index].product)):
                        report = reduced  # cheaper than a retry, and grounded by construction
                    elif dropped and reduced.passed:
                        fallback[index] = reduced  # published if the retry does no better
                last_report[index] = (report, raw)
                if report.passed:
                    drafts[index] = Draft(report.text, "draft", report.checks, attempt, tokens_used[index], raw)
                elif {check.name for check in report.failures} <= UNFIXABLE_BY_RETRY:
                    reasons = [f"{check.name}: {check.reason}" for check in report.failures]
                    drafts[index] = Draft(report.text, "needs_review", report.checks, attempt, tokens_used[index], raw, reasons)
                else:
                    still_failing.append(index)
                    banned[index] = ungrounded_terms(report.text, requests[index].product)
            pending = still_failing
        for index in pending:
            if index in fallback:  # the retry failed: the first attempt's fact-less but clean reduction
                report = fallback[index]
                drafts[index] = Draft(report.text, "draft", report.checks, 2, tokens_used[index], last_report[index][1])
                continue
            report, raw = last_report[index]
            reasons = [f"{check.name}: {check.reason}" for check in report.failures]
            drafts[index] = Draft(report.text, "needs_review", report.checks, 2, tokens_used[index], raw, reasons)
        for index, draft in enumerate(drafts):
            draft.failed_checks = failed[index]
            draft.raw_text = first_raw[index]  # not the retry's: that one was written with bans
        return drafts  # type: ignore[return-value]

