"""Trainer: data cleaning, the evaluator's metrics, and a tiny real fine-tune."""

from __future__ import annotations

import json

import pytest

from consumer.generation.guards import check_description
from schemas import Product
from tests.conftest import FIXTURES
from trainer.dataset import clean_description, length_bucket, load_examples
from trainer.evaluate import Scored, score

LAMP = Product(title="LED desk lamp", brand="Lumo", attributes={"power": "6 W", "dimmable": "yes"}, max_chars=300)


def test_training_targets_keep_only_grounded_sentences():
    text = "The Lumo lamp draws 6 W.\n-----\nIt lasts 50000 hours. Made by Philips and USB powered. Dimmable for reading. It is dimmable."
    assert clean_description(text, LAMP) == "The Lumo lamp draws 6 W. It is dimmable."  # "reading" is a use the data lacks


def test_targets_get_the_smallest_length_bucket_that_fits():
    assert [length_bucket(n) for n in (50, 200, 201, 480, 5000)] == [200, 200, 300, 500, 600]


def scored(text: str, reference: str = "A dimmable Lumo desk lamp that draws only 6 W of power.") -> Scored:
    return Scored(LAMP, reference, text, check_description(text, LAMP, 300).passed, 12)


def test_evaluator_scores_hand_made_cases():
    grounded = score([scored("A dimmable Lumo desk lamp that draws only 6 W of power.")], 300, 1.0)
    assert grounded["grounding"] == 1.0 and grounded["publishable"] == 1.0 and grounded["loops"] == 0.0
    assert grounded["similarity_cosine"] > 0.99 and grounded["rouge_l"] > 0.99

    invented = score([scored("A Lumo lamp that draws 60 W and lasts 20 years.")], 300, 1.0)
    assert invented["grounding"] < 1.0 and invented["publishable"] == 0.0
    assert "60" in invented["ungrounded_examples"][0]

    loop = score([scored("a great lamp for you, a great lamp for you, a great lamp for you.")], 300, 1.0)
    assert loop["loops"] == 1.0

    unrelated = score([scored("Waterproof hiking boots for wet trails.")], 300, 1.0)
    assert unrelated["similarity_cosine"] < grounded["similarity_cosine"] - 0.3


@pytest.mark.model
def test_fit_lowers_valid_loss_and_writes_a_loadable_adapter(tmp_path, base_model_dir):
    from consumer.generation.generator import Generator, Request
    from consumer.models.base_model import sha256_file
    from trainer.fit import fit
    from trainer.hyperparameters import Hyperparameters

    examples, _ = load_examples(FIXTURES / "products.jsonl", targets="facts")  # 11 rows; grounded keeps 8 under the closed-world checker
    train, valid = examples[:9], examples[9:]
    config = Hyperparameters(
        micro_batch_size=3, grad_accumulation=1, max_steps=6, eval_every=3, eval_rows=3,
        learning_rate=2e-3, lora_layers=4, lora_r=8, max_seq_len=256,
    )
    result = fit(train, valid, config, tmp_path, model_version="tiny-test", progress=False)
    assert result.best_valid_loss < result.first_valid_loss
    card = json.loads((result.adapter_dir / "model_card.json").read_text())
    assert card["adapter_sha256"] == sha256_file(result.adapter_dir / "adapter_model.safetensors")
    assert card["model_version"] == "tiny-test" and card["data"]["train_examples"] == 9
    assert (result.adapter_dir / "MODEL_CARD.md").is_file()

    generator = Generator.load(base_model_dir, result.adapter_dir, max_new_tokens=8)
    assert generator.version == "tiny-test"
    [draft] = generator.describe([Request(LAMP)])
    assert draft.new_tokens >= 1
