"""Run by test_retrain under torchrun: a tiny 2-rank DDP fit; each rank writes its weights' hash."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import torch.distributed as dist

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import FIXTURES  # noqa: E402
from trainer.dataset import load_examples  # noqa: E402
from trainer.fit import fit  # noqa: E402
from trainer.hyperparameters import Hyperparameters  # noqa: E402

out = Path(sys.argv[1])
examples, _ = load_examples(FIXTURES / "products.jsonl", targets="facts")  # 11 rows; grounded keeps 8 under the closed-world checker
config = Hyperparameters(micro_batch_size=2, grad_accumulation=1, max_steps=4, eval_every=2, eval_rows=3,
                         learning_rate=2e-3, lora_layers=2, lora_r=4, max_seq_len=192)
result = fit(examples[:8], examples[9:], config, out, model_version="ddp-test", progress=False)
digest = hashlib.sha256()
for name, parameter in sorted(result.model.named_parameters()):
    if parameter.requires_grad:
        digest.update(name.encode())
        digest.update(parameter.detach().cpu().numpy().tobytes())
rank = dist.get_rank()
(out / f"rank{rank}.json").write_text(json.dumps({
    "weights_sha256": digest.hexdigest(), "best_valid_loss": result.best_valid_loss, "first_valid_loss": result.first_valid_loss,
}))
dist.destroy_process_group()
