"""`copydesk`: the consumer side's command line.

Each subcommand is a pydantic-settings class, so `copydesk serve --help` lists every option
with its default, and each option is also a COPYDESK_* environment variable.
"""

from __future__ import annotations

import os
import signal
import time

from consumer.ops.dispatch import Command, dispatch
from consumer.backfill.settings import BackfillSettings
from consumer.ingest.settings import IngestSettings
from consumer.ops.doctor import DoctorSettings
from consumer.ops.settings import AdaptSettings, BrokerSettings, CheckSettings, DemoSettings, PrepareSettings, ServeSettings
from consumer.writeback.settings import WritebackSettings

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def run_broker(settings: BrokerSettings) -> None:
    """Run the embedded broker in the foreground until SIGTERM / Ctrl-C."""
    from consumer.kafka.broker import EmbeddedBroker

    broker = EmbeddedBroker(port=settings.port, cert=settings.cert, key=settings.key)
    broker.start(create=settings.create_topics)
    print(f"copydesk broker ready on {broker.bootstrap_servers} (Ctrl-C or SIGTERM to stop)", flush=True)
    stop = {"now": False}

    def request_stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop["now"] and broker.process.poll() is None:
        time.sleep(0.2)
    broker.stop()
    print("copydesk broker stopped", flush=True)


def run_prepare(settings: PrepareSettings) -> None:
    from consumer.models.base_model import prepare_base_model

    prepared = prepare_base_model(settings.cache_dir, force=settings.force)
    state = "prepared" if prepared.prepared_now else "already prepared"
    print(f"{state}: {prepared.path} (weights sha256 {prepared.weights_sha256}) in {prepared.seconds:.1f}s")


def run_serve(settings: ServeSettings) -> int:
    from consumer.service.serve import run_serve as serve

    return serve(settings)


def run_demo(settings: DemoSettings) -> int:
    if settings.retrain:
        from consumer.demo.retrain import run_retrain_demo

        return run_retrain_demo(settings)
    from consumer.demo.run import run_demo as demo

    return demo(settings)


def run_adapt(settings: AdaptSettings) -> int:
    """Print the ProductEvents a platform payload becomes, one JSON line each, or why it has none."""
    import json
    import sys

    from consumer.adapters import adapt_json
    from consumer.adapters.writeback import render
    from consumer.service.validate import Rejected

    raw = sys.stdin.buffer.read() if str(settings.payload) == "-" else settings.payload.read_bytes()
    headers = dict(item.split("=", 1) for item in settings.header if "=" in item)
    result = adapt_json(raw, settings.input_format, settings.adapter_config(), headers, settings.fetcher())
    if isinstance(result, Rejected):
        print(f"copydesk adapt: {result.error_type}: {result.message}", file=sys.stderr)
        return 1
    if not result:
        print("copydesk adapt: no product events (a deletion or a message type that is not a description input)", file=sys.stderr)
    for item in result:
        print(item.event.model_dump_json())
        if item.writeback is not None:
            example = render(item.writeback, item.event, "<generated description>", "draft")
            print(f"# writeback: {json.dumps(example, ensure_ascii=False)}", file=sys.stderr)
    return 0


def run_ingest(settings) -> int:
    from consumer.ingest.app import run_ingest as ingest

    return ingest(settings)


def run_writeback(settings) -> int:
    from consumer.writeback.service import run_writeback as writeback

    return writeback(settings)


def run_doctor(settings) -> int:
    from consumer.ops.doctor import run_doctor as doctor

    return doctor(settings)


def run_backfill(settings) -> int:
    from consumer.backfill.run import run_backfill as backfill

    return backfill(settings)


def run_check(settings: CheckSettings) -> int:
    from consumer.generation.claims.audit import main_check

    return main_check(settings.input, settings.summary)


COMMANDS: dict[str, Command] = {
    "serve": Command(ServeSettings, run_serve, "Enrich product events into description drafts (the consumer).", log_to_stdout=True),
    "ingest": Command(IngestSettings, run_ingest, "Receive signed PIM webhooks (Shopify, Saleor, Akeneo, Adobe) and store them in Kafka.", log_to_stdout=True),
    "writeback": Command(WritebackSettings, run_writeback, "Apply drafts to the PIM's review field (live text only when asked, never needs_review).", log_to_stdout=True),
    "demo": Command(DemoSettings, run_demo, "Broker + model + consumer + sample events on the embedded default."),
    "adapt": Command(AdaptSettings, run_adapt, "Show the ProductEvents a PIM payload becomes (--from FORMAT PAYLOAD.json)."),
    "check": Command(CheckSettings, run_check, "Audit texts: which claims does the product data not support (--input ROWS.jsonl)."),
    "backfill": Command(BackfillSettings, run_backfill, "Send an existing catalog (a JSONL/CSV export or a platform's listing) to serve: filtered, rate-limited, resumable."),
    "doctor": Command(DoctorSettings, run_doctor, "Check the setup: broker and topics, model, each PIM's credentials and fields, webhook secrets."),
    "broker": Command(BrokerSettings, run_broker, "Run the embedded Kafka-protocol broker (Tansu) on 127.0.0.1."),
    "model prepare": Command(PrepareSettings, run_prepare, "Convert the packaged base model to safetensors, once."),
}


def main(argv: list[str] | None = None) -> None:
    dispatch("copydesk", COMMANDS, argv)


if __name__ == "__main__":
    main()
