"""What a backfill will cost, before it runs: products, hours, tokens.

Time is the slower of the rate limit and serve's throughput. The throughput is measured, not
assumed: bench/generation.py --rounds 2 on the 2-core CPU of bench/RESULTS.md (2026-12-06,
copydesk-default-v5, batch 16) served 3.74 descriptions/s on the cached engine and 1.12 on
transformers' generate, writing 84.6 and 25.3 new tokens/s (~23 new tokens per description,
the lead; bullets and SEO fields are built from it). On a GPU, or another CPU, pass what your
replicas reach (--descriptions-per-second; rate(copydesk_drafts_published_total) on the dashboard).
Prompt tokens are counted exactly, with the model's own tokenizer and prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

MEASURED_DESCRIPTIONS_PER_SECOND = {"cached": 3.74, "generate": 1.12}
NEW_TOKENS_PER_DESCRIPTION = 23


@dataclass(frozen=True)
class Estimate:
    products: int
    descriptions_per_second: float
    rate_limit: float
    prompt_tokens: int
    new_tokens: int

    @property
    def seconds(self) -> float:
        return self.products / min(self.descriptions_per_second, self.rate_limit) if self.products else 0.0

    def lines(self) -> list[str]:
        pace = "the rate limit" if self.rate_limit < self.descriptions_per_second else "serve's throughput"
        return [
            f"would send: {self.products} products",
            f"time: {duration(self.seconds)} at {min(self.rate_limit, self.descriptions_per_second):.2f} products/s "
            f"(set by {pace}: --rate {self.rate_limit:g}, serve ~{self.descriptions_per_second:.2f} descriptions/s)",
            f"tokens: {self.prompt_tokens:,} prompt + ~{self.new_tokens:,} generated "
            f"({self.prompt_tokens / max(1, self.products):.0f} + ~{NEW_TOKENS_PER_DESCRIPTION} per product)",
        ]


def duration(seconds: float) -> str:
    """'15 s', '12 min', '5 h 08 min': as precise as a plan needs."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min"


def serve_throughput(engine: str, device: str, given: float | None, replicas: int) -> float:
    """Descriptions per second serve will manage: the figure given, else the one measured for this engine on CPU."""
    if given is not None:
        return given * replicas
    if device.startswith("cuda"):
        raise ValueError("no measured GPU throughput ships with copydesk: pass --descriptions-per-second "
                         "(rate(copydesk_drafts_published_total[5m]) of your replicas)")
    resolved = "cached" if engine in ("auto", "cached") else "generate"
    return MEASURED_DESCRIPTIONS_PER_SECOND[resolved] * replicas


class PromptCounter:
    """Prompt tokens of an event, as serve's model would see them (the shipped adapter's prompt style)."""

    def __init__(self, cache_dir):
        from transformers import AutoTokenizer

        from consumer.generation.loading import adapter_prompt_style
        from consumer.models.resolve import resolve_model

        base_dir, adapter_dir = resolve_model("default", cache_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(base_dir)
        self.style = adapter_prompt_style(adapter_dir)

    def __call__(self, event) -> int:
        from schemas.prompt import build_messages

        messages = build_messages(event.product, event.locale, self.style)
        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
