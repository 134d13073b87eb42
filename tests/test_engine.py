"""The cached decode engine (consumer/generation/engine.py) writes what transformers' generate writes.

Two layers: a small Llama with random weights (the real transformers class, so the engine's
cache, packing, prefix and compaction are checked against `generate` token for token in
seconds), and the shipped model through Generator, processors and guards included.
"""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, LogitsProcessorList, StoppingCriteriaList

from consumer.generation.engine import DecodeEngine, native_bf16, supports
from consumer.generation.generator import PerRowBudget, pick_engine

PAD = 0
EOS = 1


def small_llama(seed: int = 0) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=97, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, max_position_embeddings=256, tie_word_embeddings=True, pad_token_id=PAD,
                         eos_token_id=EOS, bos_token_id=2)
    return LlamaForCausalLM(config).eval()


def with_generate(model, prompts: list[list[int]], budgets: list[int], processors=None) -> list[list[int]]:
    """transformers' generate on left-padded prompts, each row stopped at its own budget (as Generator did)."""
    length = max(len(p) for p in prompts)
    ids = torch.tensor([[PAD] * (length - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (length - len(p)) + [1] * len(p) for p in prompts])
    out = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=max(budgets), pad_token_id=PAD,
                         eos_token_id=EOS, logits_processor=processors,
                         stopping_criteria=StoppingCriteriaList([PerRowBudget(length, torch.tensor(budgets))]))
    return [[t for t in row.tolist() if t != PAD] for row in out[:, length:]]


def with_engine(engine: DecodeEngine, prompts, budgets, processors=None) -> list[list[int]]:
    out, length = engine.generate(prompts, budgets, processors, PAD, EOS)
    return [[t for t in row.tolist() if t != PAD] for row in out[:, length:]]


PREFIX = [5, 6, 7, 8, 9, 10]
PROMPTS = [PREFIX + [11, 12, 13], PREFIX + [20, 21, 22, 23, 24, 25, 26, 27], PREFIX + [30], [40, 41, 42, 43],  # the last shares nothing
           PREFIX + [50, 51, 52, 53, 54]]
BUDGETS = [12, 3, 20, 7, 15]


def test_engine_writes_the_tokens_generate_writes_prefix_shared_or_not():
    model = small_llama()
    expected = with_generate(model, PROMPTS, BUDGETS)
    engine = DecodeEngine(small_llama(), PREFIX)  # a fresh copy: the engine takes over the projection weights
    assert with_engine(engine, PROMPTS, BUDGETS) == expected
    assert [len(row) for row in expected] != BUDGETS[:1] * len(BUDGETS)  # rows of different lengths: the cache was compacted on the way


def test_processors_see_what_they_see_under_generate():
    """The left-padded prompt matrix with the generated tokens appended, one row per request."""
    seen: dict[str, list] = {"generate": [], "engine": []}

    class Recorder:
        def __init__(self, key):
            self.key = key

        def __call__(self, input_ids, scores):
            seen[self.key].append(input_ids.clone())
            scores[:, 3] = float("-inf")  # and what it does to the scores counts
            return scores

    model = small_llama()
    expected = with_generate(model, PROMPTS, BUDGETS, LogitsProcessorList([Recorder("generate")]))
    got = with_engine(DecodeEngine(small_llama(), PREFIX), PROMPTS, BUDGETS, LogitsProcessorList([Recorder("engine")]))
    assert got == expected and all(3 not in row for row in got)
    assert len(seen["engine"]) == len(seen["generate"])
    for ours, theirs in zip(seen["engine"], seen["generate"]):
        assert torch.equal(ours, theirs)


def test_a_prompt_gets_the_same_tokens_alone_and_in_any_batch():
    """A redelivered event lands in another batch: its text must not change (see MIN_DECODE_ROWS)."""
    engine = DecodeEngine(small_llama(), PREFIX)
    together = with_engine(engine, PROMPTS, BUDGETS)
    for index, prompt in enumerate(PROMPTS):
        assert with_engine(engine, [prompt], [BUDGETS[index]]) == [together[index]]
    assert with_engine(engine, PROMPTS[::-1], BUDGETS[::-1]) == together[::-1]


@pytest.mark.skipif(not native_bf16(), reason="no native bf16 on this CPU: the engine multiplies in fp32 here")
def test_prepacked_bf16_weights_write_the_tokens_plain_bf16_matmuls_write(monkeypatch):
    import consumer.generation.engine as engine_module

    packed = DecodeEngine(small_llama(), PREFIX, torch.bfloat16)
    assert packed.packed == engine_module.packs_weights()
    monkeypatch.setattr(engine_module, "packs_weights", lambda: False)
    plain = DecodeEngine(small_llama(), PREFIX, torch.bfloat16)
    assert not plain.packed
    assert with_engine(packed, PROMPTS, BUDGETS) == with_engine(plain, PROMPTS, BUDGETS)


def test_auto_picks_the_cached_engine_on_cpu_and_refuses_what_it_cannot_run():
    model = small_llama()
    assert supports(model)
    assert pick_engine("auto", torch.device("cpu"), model) == "cached"
    assert pick_engine("generate", torch.device("cpu"), model) == "generate"
    model.config.model_type = "gpt2"
    assert pick_engine("auto", torch.device("cpu"), model) == "generate"
    with pytest.raises(ValueError, match="Llama-architecture"):
        pick_engine("cached", torch.device("cpu"), model)
    with pytest.raises(ValueError, match="unknown engine"):
        pick_engine("fast", torch.device("cpu"), model)


# -- the shipped model, through Generator ------------------------------------------------------


def sample_requests(count: int):
    from pathlib import Path

    from consumer.catalog import product_from_row, read_rows
    from consumer.generation.generator import Request

    sample = Path(__file__).resolve().parents[1] / "consumer" / "data" / "sample_products.jsonl"
    return [Request(product_from_row(row)) for row in read_rows(sample, None)[:count]]


@pytest.fixture(scope="module")
def shipped(base_model_dir):
    from consumer.generation.generator import Generator
    from consumer.models.resolve import DEFAULT_ADAPTER_DIR

    return lambda engine, dtype="auto": Generator.load(base_model_dir, DEFAULT_ADAPTER_DIR, engine=engine, dtype=dtype)


@pytest.mark.model
def test_the_fp32_cached_engine_drafts_exactly_what_generate_drafts(shipped):
    """Processors (number grounding, claim bans, repetition penalty) and the guards run on the cached engine unchanged."""
    requests = sample_requests(8)
    old, new = shipped("generate"), shipped("cached", "float32")
    assert new.engine_name == "cached-float32" and old.engine_name == "generate-float32"
    assert [(t, n) for t, n in new.generate_texts(requests)] == [(t, n) for t, n in old.generate_texts(requests)]
    assert [d.text for d in new.describe(requests)] == [d.text for d in old.describe(requests)]


@pytest.mark.model
def test_the_serving_engine_drafts_a_product_alike_alone_and_in_a_batch(shipped):
    generator = shipped("auto")
    requests = sample_requests(8)
    together = generator.describe(requests)
    for index in (0, 3, 7):
        [alone] = generator.describe([requests[index]])
        assert alone.text == together[index].text


@pytest.mark.model
@pytest.mark.skipif(not native_bf16(), reason="this CPU has no native bf16 matmuls: auto serves fp32 here")
def test_bf16_matmuls_keep_the_drafts_of_fp32(shipped):
    """Not token-identical by construction: on valid 155 of 165 drafts matched and claim-free, coverage,
    publishable and similarity agreed within their paired intervals (bench/engine_quality.py). Here
    6 of the 8 samples match word for word (measured), and every draft gets the same verdict."""
    requests = sample_requests(8)
    bf16, fp32 = shipped("cached"), shipped("cached", "float32")
    assert bf16.engine_name == "cached-bfloat16"
    ours, theirs = bf16.describe(requests), fp32.describe(requests)
    assert sum(a.text == b.text for a, b in zip(ours, theirs)) >= 6
    assert [a.status for a in ours] == [b.status for b in theirs]


@pytest.mark.model
def test_loading_the_shipped_model_logs_no_deprecation_warning(base_model_dir):
    """peft 0.21.2 read transformers' deprecated is_gradient_checkpointing on every start (a new user's first log line)."""
    import warnings

    from consumer.generation.generator import Generator
    from consumer.models.resolve import DEFAULT_ADAPTER_DIR

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Generator.load(base_model_dir, DEFAULT_ADAPTER_DIR)
    assert not [w for w in caught if "is_gradient_checkpointing" in str(w.message)]
