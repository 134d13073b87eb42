"""The trainer's command bodies (kept apart from cli.py so `--help` never imports torch)."""

from __future__ import annotations

import json

from trainer.settings import EvalSettings, FitSettings


def fit_command(settings: FitSettings) -> int:
    from trainer.dataset import file_fingerprint, load_examples
    from trainer.fit import FitConfig, fit, write_card_markdown

    train, dropped_train = load_examples(settings.data, settings.limit)
    valid, dropped_valid = load_examples(settings.valid)
    print(f"examples: {len(train)} train ({dropped_train} rows without a grounded sentence), {len(valid)} valid ({dropped_valid})")
    config = FitConfig(
        out=settings.out,
        lora_r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=tuple(name.strip() for name in settings.target_modules.split(",") if name.strip()),
        learning_rate=settings.learning_rate,
        micro_batch_size=settings.micro_batch_size,
        grad_accumulation=settings.grad_accumulation,
        epochs=settings.epochs,
        max_steps=settings.max_steps,
        max_seq_len=settings.max_seq_len,
        eval_every=settings.eval_every,
        eval_rows=settings.eval_rows,
        patience=settings.patience,
        seed=settings.seed,
        device=settings.device,
        bf16_autocast=settings.bf16_autocast,
        lora_layers=settings.lora_layers,
        init_adapter=settings.init_adapter,
        model_version=settings.model_version,
    )
    result = fit(train, valid, config, data_files=[file_fingerprint(settings.data), file_fingerprint(settings.valid)])
    if not result.card:
        return 0  # not rank 0 under torchrun
    if settings.evaluate_rows:
        from trainer.evaluate import evaluate_model

        report = evaluate_model(str(result.adapter_dir), settings.valid, settings.evaluate_rows, cache_dir=settings.cache_dir)
        result.card["eval"] = {"data": str(settings.valid), "rows": report["rows"], **report["metrics"]}
        (result.adapter_dir / "model_card.json").write_text(json.dumps(result.card, indent=2) + "\n")
        write_card_markdown(result.adapter_dir, result.card)
    print(json.dumps({
        "adapter": str(result.adapter_dir), "model_version": result.card["model_version"],
        "valid_loss_initial": result.card["valid_loss_initial"], "valid_loss_best": result.card["valid_loss_best"],
        "steps": result.steps, "wall_seconds": result.card["wall_seconds"],
    }))
    return 0


def eval_command(settings: EvalSettings) -> int:
    from trainer.evaluate import run_eval

    return run_eval(settings)
