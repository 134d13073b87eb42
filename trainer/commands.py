"""The trainer's command bodies (kept apart from cli.py so `--help` never imports torch)."""

from __future__ import annotations

import json

from trainer.settings import EvalSettings, FitSettings


def fit_command(settings: FitSettings) -> int:
    from trainer.dataset import file_fingerprint, load_examples, read_voice_sentences
    from trainer.fit import fit, write_card_markdown

    if settings.targets == "voice" and settings.voice_sentences is None:
        raise SystemExit("--targets voice needs --voice-sentences PATH.jsonl (drafts of the training rows: copydesk-trainer eval --output)")
    voice = read_voice_sentences(settings.voice_sentences) if settings.targets == "voice" else None
    train, dropped_train = load_examples(settings.data, settings.limit, settings.targets, voice)
    valid, dropped_valid = load_examples(settings.valid, targets=settings.targets, voice_drafts=voice)
    print(f"examples: {len(train)} train ({dropped_train} rows without a grounded sentence), {len(valid)} valid ({dropped_valid})")
    result = fit(
        train, valid, settings.hyperparameters(), settings.out, init_adapter=settings.init_adapter,
        model_version=settings.model_version, data_files=[file_fingerprint(path) for path in (settings.data, settings.valid, settings.voice_sentences) if path],
        cache_dir=settings.cache_dir,
    )
    if not result.card:
        return 0  # not rank 0 under torchrun
    result.card["locales"] = training_languages(settings.data)  # the languages it writes: serving sends it no others
    (result.adapter_dir / "model_card.json").write_text(json.dumps(result.card, indent=2) + "\n")
    write_card_markdown(result.adapter_dir, result.card)
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


def training_languages(path) -> list[str]:
    """The languages of the training rows' locales ("en_US" -> "en"); rows without one are English (the catalog's)."""
    from consumer.catalog import read_rows
    from consumer.generation.language import language_of_locale

    return sorted({language_of_locale(row.get("locale") or "en") for row in read_rows(path)})


def eval_command(settings: EvalSettings) -> int:
    from trainer.evaluate import run_eval

    return run_eval(settings)
