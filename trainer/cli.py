"""`copydesk-trainer`: the learning side's command line (fit, eval, replay-train)."""

from __future__ import annotations

import os

from consumer.ops.dispatch import Command, dispatch
from trainer.settings import EvalSettings, FitSettings, ReplayTrainSettings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

def run_fit(settings: FitSettings) -> int:
    from trainer.commands import fit_command

    return fit_command(settings)


def run_eval(settings: EvalSettings) -> int:
    from trainer.commands import eval_command

    return eval_command(settings)


def run_replay_train(settings: ReplayTrainSettings) -> int:
    import json

    from trainer.retrain import replay_train

    print(json.dumps(replay_train(settings)))
    return 0


COMMANDS: dict[str, Command] = {
    "fit": Command(FitSettings, run_fit, "LoRA fine-tune the base model on catalog rows; writes adapter + model card."),
    "eval": Command(EvalSettings, run_eval, "Generate through the serving path and report grounding, loops, similarity."),
    "replay-train": Command(ReplayTrainSettings, run_replay_train, "Replay approvals, fine-tune a candidate, gate it, store and publish it."),
}


def main(argv: list[str] | None = None) -> None:
    dispatch("copydesk-trainer", COMMANDS, argv)


if __name__ == "__main__":
    main()
