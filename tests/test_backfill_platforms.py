"""`copydesk backfill` from each platform's listing API, against loopback PIMs that page as the vendors document.

Per platform: eight products (the fixture product and seven copies), pages of three, one copy
with a person's description. The backfill sends the seven others once each, with ``source:
backfill``, a deterministic event id and the write-back target, through the real broker; a
draft for the fixture product, written by `copydesk writeback` from that target, lands in the
platform's review field. A platform that fails mid-listing stops the run with its checkpoint
saved, and the next run resumes at the failed page without sending a product twice.
"""

from __future__ import annotations

import base64
import copy
import json

import pytest
from kafka import KafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from consumer.adapters import adapt_record
from consumer.adapters.common import AdapterConfig, with_reading
from consumer.backfill.run import run_backfill
from consumer.backfill.settings import BackfillSettings
from tests.fake_pims import FakePIMs
from tests.test_writeback import draft_of
from tests.test_writeback_safety import PLATFORMS, fields, seed, service

pytestmark = pytest.mark.kafka
COPIES = 7
PERSON = "Written by our own copywriter, word for word."


def clone(pims: FakePIMs, platform: str, number: int, description: str | None = None) -> str:
    """A copy of the platform's fixture product under a new id (its description: none, or a person's)."""
    if platform == "akeneo":
        base = next(iter(pims.akeneo.values()))
        new = copy.deepcopy(base)
        new["uuid"], new["identifier"] = f"{base['uuid'][:-2]}{number:02d}", f"{base['identifier']}-{number}"
        new["values"]["description"] = [{"locale": "en_US", "scope": "ecommerce", "data": description}] if description else []
        pims.akeneo[new["uuid"]] = new
        return new["uuid"]
    if platform == "commercetools":
        base = pims.ct[min(pims.ct)]
        new = copy.deepcopy(base)
        new["id"] = f"{base['id'][:-2]}{number:02d}"
        for side in ("current", "staged"):
            new["masterData"][side]["description"] = {"en-GB": description, "en-US": description} if description else {}
        pims.ct[new["id"]] = new
        return new["id"]
    if platform == "shopify":
        base = next(iter(pims.shopify.values()))
        new = copy.deepcopy(base)
        new["rest"]["id"] = base["rest"]["id"] + number
        new["gid"] = new["rest"]["admin_graphql_api_id"] = f"gid://shopify/Product/{new['rest']['id']}"
        new["rest"]["body_html"] = f"<p>{description}</p>" if description else ""
        pims.shopify[str(new["rest"]["id"])] = new
        return str(new["rest"]["id"])
    if platform == "saleor":
        base = next(iter(pims.saleor.values()))
        new = copy.deepcopy(base)
        new["id"] = base64.b64encode(f"Product:{1000 + number}".encode()).decode()
        blocks = [{"type": "paragraph", "data": {"text": description}}] if description else []
        new["description"] = json.dumps({"time": 1740916798000, "blocks": blocks, "version": "2.24.3"})
        pims.saleor[new["id"]] = new
        return new["id"]
    base = next(iter(pims.adobe.values()))
    new = copy.deepcopy(base)
    new["id"], new["sku"] = base["id"] + number, f"{base['sku']}-{number}"
    new["custom_attributes"] = [a for a in new["custom_attributes"] if a["attribute_code"] != "description"]
    new["custom_attributes"].append({"attribute_code": "description", "value": description or ""})
    pims.adobe[new["sku"]] = new
    return str(new["id"])


def settings(pims: FakePIMs, broker, platform: str, topic: str, checkpoint, **overrides) -> BackfillSettings:
    values = dict(
        source=platform, topic=topic, group_id=f"serve-of-{topic}", bootstrap_servers=broker.bootstrap_servers, checkpoint=checkpoint,
        rate=1000, max_lag=10_000, page_size=3, checkpoint_every=2, progress=False, attempts=1,
        **pims.api_settings(), akeneo_token="ak", adobe_store_codes="1=default", store_locales="1=en_GB", adobe_store_id="1")
    values.update(overrides)
    return BackfillSettings(**values)


def read_topic(broker, topic: str) -> list[dict]:
    consumer = KafkaConsumer(**broker.client_config, group_id=None, enable_auto_commit=False, consumer_timeout_ms=3000)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    found = [json.loads(record.value) for record in consumer]
    consumer.close()
    return found


def quiet(*args, **kwargs) -> None:
    pass


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_listing_is_sent_once_per_product_with_its_write_back_target(platform, broker, new_topic, tmp_path):
    with FakePIMs() as pims:
        seed(pims, platform)
        copies = [clone(pims, platform, number) for number in range(1, COPIES)]
        person = clone(pims, platform, COPIES, description=PERSON)
        topic = new_topic(prefix="backfill")
        lines: list[str] = []
        status = run_backfill(settings(pims, broker, platform, topic, tmp_path / "ck.json"), out=lambda text, **_: lines.append(text))
        assert status == 0, lines
        events = read_topic(broker, topic)
        product_ids = [event["product_id"] for event in events]
        assert len(product_ids) == len(set(product_ids)) == COPIES, lines  # the fixture product and six copies; not the person's
        assert person not in product_ids and set(copies) <= set(product_ids)
        assert {event["source"] for event in events} == {"backfill"}
        assert {event["writeback"]["platform"] for event in events} == {platform}
        assert lines[-1].startswith(f"backfill done: {COPIES + 1} read, {COPIES} sent") and "1 human_text" in lines[-1]
        paged = [query for method, path, query in pims.requests if method == "GET" or path.endswith(("graphql.json", "graphql/", "graphql"))]
        assert paged, "the listing was never read"

        again = tmp_path / "again.json"  # a second run of the same catalog: the same event ids, so serve adds nothing
        assert run_backfill(settings(pims, broker, platform, topic, again), out=quiet) == 0
        repeats = read_topic(broker, topic)[len(events):]
        assert sorted(e["event_id"] for e in repeats) == sorted(e["event_id"] for e in events)

        fixture = next(e for e in events if e["product_id"] not in copies)
        config = AdapterConfig(store_locales={"1": "en_GB"}) if platform == "adobe-commerce" else AdapterConfig()
        [adapted] = adapt_record(fixture["product_id"].encode(), json.dumps(fixture).encode(), [], "copydesk", config)
        assert adapted.writeback is not None and adapted.writeback.platform == platform
        item = type(adapted)(adapted.event, with_reading(adapted.writeback, AdapterConfig(locales=("xx_XX",))))
        assert item.writeback.context["reading"]["locales"] != ["xx_XX"], "serve's options must not replace the backfill's reading"
        outcome = service(pims).handle(draft_of(item, "draft", text="A tent for two, 2.1 kg."))
        assert outcome == "applied", outcome
        assert fields(pims, platform)["review"].startswith("A tent for two, 2.1 kg.")


def test_paging_follows_each_vendors_cursor(broker, new_topic, tmp_path):
    with FakePIMs() as pims:
        for platform in PLATFORMS:
            seed(pims, platform)
            for number in range(1, COPIES):
                clone(pims, platform, number)
        for platform in PLATFORMS:
            pims.requests.clear()
            topic = new_topic(prefix="paging")
            assert run_backfill(settings(pims, broker, platform, topic, tmp_path / f"{platform}.json"), out=quiet) == 0
            assert len(read_topic(broker, topic)) == COPIES
            queries = [query for _, _, query in pims.requests]
            if platform == "akeneo":
                afters = [q.get("search_after") for q in queries if q.get("pagination_type") == "search_after"]
                assert afters[0] is None and len(set(afters[1:])) == len(afters) - 1 >= 2
            elif platform == "commercetools":
                wheres = [q.get("where") for q in queries if q.get("sort") == "id asc"]
                assert wheres[0] is None and all(w.startswith('id > "') for w in wheres[1:]) and len(wheres) == 3
            elif platform == "adobe-commerce":
                pages = [q.get("searchCriteria[currentPage]") for q in queries if q.get("searchCriteria[pageSize]") == "3"]
                assert pages == ["1", "2", "3"]  # stops at total_count: Magento would answer page 4 with page 3 again


def test_a_platform_failing_mid_listing_stops_with_a_checkpoint_and_the_next_run_resumes_there(broker, new_topic, tmp_path):
    with FakePIMs() as pims:
        seed(pims, "akeneo")
        for number in range(1, COPIES):
            clone(pims, "akeneo", number)
        topic = new_topic(prefix="resume")
        checkpoint = tmp_path / "ck.json"
        pims.failures["akeneo"] = [0, 0, 503, 503]  # the count and page 1 answer; page 2 fails (attempts=2: both tries)
        sent_before = REGISTRY.get_sample_value("copydesk_backfill_sent_total") or 0
        lines: list[str] = []
        status = run_backfill(settings(pims, broker, "akeneo", topic, checkpoint, attempts=2), out=lambda text, **_: lines.append(text))
        assert status == 1
        assert any("failed after retries" in line and "run the same command again to resume" in line for line in lines), lines
        saved = json.loads(checkpoint.read_text())
        assert saved["sent"] == 3 and saved["position"]["index"] == 0 and saved["position"]["cursor"] and not saved["done"]
        assert REGISTRY.get_sample_value("copydesk_backfill_sent_total") - sent_before == 3
        assert REGISTRY.get_sample_value("copydesk_backfill_running") == 0
        assert run_backfill(settings(pims, broker, "akeneo", topic, checkpoint), out=quiet) == 0
        product_ids = [event["product_id"] for event in read_topic(broker, topic)]
        assert len(product_ids) == len(set(product_ids)) == COPIES
        assert json.loads(checkpoint.read_text())["done"] is True
        lines.clear()
        assert run_backfill(settings(pims, broker, "akeneo", topic, checkpoint), out=lambda text, **_: lines.append(text)) == 0
        assert lines[0].startswith("already complete: 7 sent")
        killed_after_the_last = {**json.loads(checkpoint.read_text()), "done": False}  # kill -9 between the last product and the end
        assert killed_after_the_last["position"]["done"] is True
        checkpoint.write_text(json.dumps(killed_after_the_last))
        lines.clear()
        assert run_backfill(settings(pims, broker, "akeneo", topic, checkpoint), out=lambda text, **_: lines.append(text)) == 0
        assert lines[0].startswith("already complete: 7 sent"), lines  # not a second pass over the whole catalog
        lines.clear()
        assert run_backfill(settings(pims, broker, "akeneo", "copydesk.not-created", tmp_path / "other.json"),
                            out=lambda text, **_: lines.append(text)) == 1
        assert lines == ["copydesk backfill: topic copydesk.not-created does not exist: create it (kafka-topics.sh --create "
                         "--topic copydesk.not-created --partitions 3) and add it to serve's --input-topic"]
