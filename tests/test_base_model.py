"""Base model preparation: idempotent, hashed, and the result really generates."""

from __future__ import annotations

import json

import pytest

from consumer.models.base_model import MANIFEST, prepare_base_model, sha256_file
from consumer.generation.model_thread import MODEL_THREAD

pytestmark = pytest.mark.model


def test_prepare_is_idempotent_and_records_hashes(base_model_dir):
    again = prepare_base_model(base_model_dir.parent.parent)
    assert again.path == base_model_dir
    assert again.prepared_now is False
    manifest = json.loads((base_model_dir / MANIFEST).read_text())
    assert manifest["weights_sha256"] == sha256_file(base_model_dir / "model.safetensors")
    assert len(manifest["gguf_sha256"]) == 64


def test_prepared_model_loads_and_generates_a_few_tokens(base_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    def load_and_generate():  # on the model thread: one OpenMP team for the whole test process
        tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
        model = AutoModelForCausalLM.from_pretrained(base_model_dir, dtype=torch.float32).eval()
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": "Name one fruit."}], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            output = model.generate(**prompt, max_new_tokens=5, do_sample=False)
        return tokenizer, output[0, prompt["input_ids"].shape[1]:]

    tokenizer, new_tokens = MODEL_THREAD.run(load_and_generate)
    assert 1 <= len(new_tokens) <= 5
    assert tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
