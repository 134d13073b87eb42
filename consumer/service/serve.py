"""`copydesk serve`: load the model once, join the group, enrich until SIGTERM."""

from __future__ import annotations

import signal
import time

from consumer.ops import metrics
from consumer.generation.generator import Generator
from consumer.ops.health import HealthState, serve_health
from consumer.ops.logs import get_logger
from consumer.models.watcher import ModelWatcher
from consumer.models.resolve import resolve_model
from consumer.service.loop import EnrichmentService, ServiceConfig
from consumer.ops.settings import ModelSettings, ServeSettings

log = get_logger("copydesk.serve")


def load_generator(settings: ModelSettings) -> Generator:
    started = time.perf_counter()
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars would break a JSON log
    base_dir, adapter_dir = resolve_model(settings.model, settings.cache_dir)
    generator = Generator.load(base_dir, adapter_dir, settings.device, settings.dtype, settings.max_new_tokens, settings.engine)
    seconds = time.perf_counter() - started
    metrics.MODEL_LOAD_SECONDS.set(seconds)
    metrics.set_model_info(generator.version)
    log.info("model_loaded", model_version=generator.version, device=str(generator.device), engine=generator.engine_name,
             seconds=round(seconds, 2))
    return generator


def service_config(settings: ServeSettings) -> ServiceConfig:
    return ServiceConfig(
        input_topic=settings.input_topic,
        output_topic=settings.output_topic,
        dead_letter_topic=settings.dead_letter_topic,
        group_id=settings.group_id,
        max_batch_size=settings.max_batch_size,
        max_wait_ms=settings.max_wait_ms,
        poll_timeout_ms=settings.poll_timeout_ms,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        max_poll_interval_ms=settings.max_poll_interval_ms,
        input_format=settings.input_format,
        topic_formats=tuple(settings.topic_formats().items()),
        adapter=settings.adapter_config(),
        publish_skips=settings.publish_skips,
        approvals_topic=settings.approvals_topic,
        approval_threshold=settings.approval_threshold,
        own_editors=tuple(item.strip() for item in settings.own_editors.split(",") if item.strip()),
        live_platforms=tuple(item.strip() for item in settings.live_platforms.split(",") if item.strip()),
        unsupported_locale=settings.unsupported_locale,
    )


def adapter_loader(settings: ModelSettings):
    """How the model watcher turns a verified store folder into a ready generator."""

    def load(folder, version: str) -> Generator:
        base_dir, _ = resolve_model("base", settings.cache_dir)
        generator = Generator.load(base_dir, folder, settings.device, settings.dtype, settings.max_new_tokens, settings.engine)
        generator.version = version
        return generator

    return load


def run_serve(settings: ServeSettings, generator: Generator | None = None) -> int:
    health = HealthState()
    server = serve_health(health, settings.health_port) if settings.health_port else None
    watcher = None
    if settings.follow_models:
        watcher = ModelWatcher(settings.client_config(), settings.models_topic, adapter_loader(settings), offer=lambda _: None)
        newest = watcher.newest_promoted()  # a restarted consumer starts on the newest promoted version
        if generator is None and newest is not None:
            generator = watcher.try_load(newest)
            if generator is not None:
                metrics.set_model_info(generator.version)
    generator = generator or load_generator(settings)
    service = EnrichmentService(service_config(settings), settings.client_config(), generator, health, fetcher=settings.fetcher())
    if watcher is not None:
        watcher.serving_version, watcher.offer = generator.version, service.offer_generator
        watcher.start()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: service.stop())
    try:
        service.run()
    finally:
        if watcher is not None:
            watcher.stop()
        if server:
            server.shutdown()
    return 0
