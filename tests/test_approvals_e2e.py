"""Through the real consumer and broker: a draft, then the PIM's product update in which an
editor kept it, becomes one DescriptionApproved on the approvals topic, even delivered twice,
and a restarted consumer that sees it again adds none."""

from __future__ import annotations

import json
import uuid

import pytest
from prometheus_client import REGISTRY

from consumer.kafka.broker import create_topics
from tests.conftest import product_event
from tests.test_ingest import read_all

pytestmark = [pytest.mark.kafka, pytest.mark.model]


def test_an_editor_keeping_the_draft_in_the_pim_is_one_approval(broker, base_model_dir):
    from consumer.generation.generator import Generator
    from tests.harness import Harness

    harness = Harness(broker)
    approvals = f"appr-{uuid.uuid4().hex[:8]}"
    create_topics(broker.client_config, {approvals: 1})
    generator = Generator.load(base_model_dir, max_new_tokens=8)
    try:
        service = harness.start(generator, approvals_topic=approvals)
        harness.publish(product_event("tent-1", sequence=1))
        (draft,) = harness.drafts(1, timeout_s=300)
        kept_as_is = {"model_version": draft["model_version"], "le": "0.0"}
        before = REGISTRY.get_sample_value("copydesk_approval_edit_distance_ratio_bucket", kept_as_is) or 0.0
        # the editor pastes the draft into the description and saves: the PIM sends an update
        kept = product_event("tent-1", sequence=2, description=draft["description"], description_origin="human")
        harness.publish(kept)
        harness.publish(kept)  # delivered twice
        harness.wait_accounted(service, 3)
        first_run = [json.loads(r.value) for r in read_all(broker.client_config, approvals, settle_s=2)]
        # the dashboard's editors' edit distance: this draft, kept as is, once (the redelivery adds nothing)
        assert REGISTRY.get_sample_value("copydesk_approval_edit_distance_ratio_bucket", kept_as_is) == before + 1
        service.stop()
        harness.services[0][1].join(timeout=60)
        restarted = harness.start(generator, approvals_topic=approvals)  # re-reads drafts and approvals
        harness.publish(kept)  # redelivered after the restart
        harness.wait_accounted(restarted, 1)
        after_restart = [json.loads(r.value) for r in read_all(broker.client_config, approvals, settle_s=2)]
    finally:
        harness.stop_all()
    assert len(first_run) == 1 and after_restart == first_run, (first_run, after_restart)
    approval = first_run[0]
    assert approval["action"] == "approved_unchanged" and approval["causation_id"] == draft["event_id"]
    assert approval["approved_text"] == draft["description"] and approval["model_version"] == draft["model_version"]
    assert approval["product"]["description"] is None
