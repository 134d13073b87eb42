"""`copydesk doctor` finds what a new user gets wrong, one line each with the fix.

Against the session broker, the real model, and loopback PIMs that answer as the vendors do
(tests/fake_pims.py): a setup that is right reads all ok; each mistake a user makes (no broker,
a missing topic, a bad model folder, refused credentials, a missing attribute or product-type
attribute, a platform without its webhook secret) is one FAIL line naming the fix.
"""

from __future__ import annotations

import pytest

from consumer.ops.doctor import DoctorSettings, run_doctor
from tests.fake_pims import PROJECT, FakePIMs
from tests.test_writeback_safety import PLATFORMS, seed


def settings_for(pims: FakePIMs | None, broker=None, **overrides) -> DoctorSettings:
    values = dict(bootstrap_servers=broker.bootstrap_servers if broker else "127.0.0.1:1", check_model=False, broker_timeout_seconds=2,
                  attempts=1, request_timeout_seconds=5)
    if pims is not None:
        values.update(
            **pims.api_settings(), shopify_webhook_secret="whsec", saleor_webhook_secret="sk", akeneo_webhook_secret="ak",
            adobe_public_key_files=__file__, adobe_client_id="client")
    values.update(overrides)
    return DoctorSettings(**values)


def doctor(settings: DoctorSettings) -> tuple[int, list[str]]:
    lines: list[str] = []
    status = run_doctor(settings, out=lines.append)
    return status, lines


def line_of(lines: list[str], check: str) -> str:
    found = [line for line in lines if line.split(":", 1)[0].split(None, 1)[-1] == check]
    assert found, f"no {check!r} line in:\n" + "\n".join(lines)
    return found[0]


@pytest.fixture
def pims():
    with FakePIMs() as running:
        for platform in PLATFORMS:
            seed(running, platform)
        yield running


def test_no_broker_is_one_line_with_the_fix_and_a_failing_status():
    status, lines = doctor(settings_for(None))
    assert status == 1
    assert line_of(lines, "broker").startswith("FAIL  broker: nothing listens at 127.0.0.1:1 -> fix: start one (`copydesk broker`")
    assert lines[-1] == "1 ok, 1 to fix"


@pytest.mark.kafka
def test_a_missing_topic_is_named_with_the_command_that_creates_it(broker):
    status, lines = doctor(settings_for(None, broker, required_topics="copydesk.product-events,copydesk.not-created-yet"))
    assert status == 1
    assert line_of(lines, "broker").startswith("ok    broker:")
    topics = line_of(lines, "topics")
    assert "missing: copydesk.not-created-yet" in topics and "kafka-topics.sh --create --topic copydesk.not-created-yet" in topics
    assert "copydesk.product-events," not in topics.split("fix:")[0]


@pytest.mark.kafka
def test_a_right_setup_reads_all_ok_on_every_platform(broker, pims):
    status, lines = doctor(settings_for(pims, broker))
    assert status == 0, "\n".join(lines)
    for platform in PLATFORMS:
        assert line_of(lines, f"{platform} api") == f"ok    {platform} api: read one product"
    for platform in ("akeneo", "commercetools", "adobe-commerce"):
        assert line_of(lines, f"{platform} write-back fields").startswith("ok")
    for platform in ("shopify", "saleor", "akeneo", "adobe-commerce"):
        assert line_of(lines, f"{platform} webhooks").startswith("ok")
    listed = {path for _, path, _ in pims.requests}
    assert "/akeneo/api/rest/v1/products-uuid" in listed and f"/ct/{PROJECT}/products" in listed  # it read through the listings


def test_each_setup_mistake_is_one_fail_line_naming_its_fix(pims):
    pims.token_refused.add("akeneo")
    pims.failures["saleor"] = [401]
    pims.adobe_attributes = {"description"}
    pims.ct_product_types.append({"id": "pt-2", "key": "furniture", "attributes": [{"name": "material"}]})
    settings = settings_for(pims, shopify_webhook_secret=None, adobe_client_id=None)
    status, lines = doctor(settings)
    assert status == 1
    assert line_of(lines, "akeneo api") == ("FAIL  akeneo api: the token endpoint refused the credentials -> fix: check "
                                            "COPYDESK_AKENEO_CLIENT_ID, _SECRET, _USERNAME, _PASSWORD (or COPYDESK_AKENEO_TOKEN)")
    assert line_of(lines, "saleor api").startswith("FAIL  saleor api: the product listing was refused (credentials) -> fix: check the credentials: COPYDESK_SALEOR_TOKEN")
    adobe = line_of(lines, "adobe-commerce write-back fields")
    assert "missing attributes: copydesk_description_draft, copydesk_draft_info" in adobe and "Stores > Attributes > Product" in adobe
    ct = line_of(lines, "commercetools write-back fields")
    assert "product types without copydesk-description-draft / copydesk-draft-info: furniture" in ct and "addAttributeDefinition" in ct
    assert line_of(lines, "shopify webhooks") == "FAIL  shopify webhooks: ingest cannot verify them (answers 503) -> fix: set COPYDESK_SHOPIFY_WEBHOOK_SECRET_FILE"
    assert line_of(lines, "adobe-commerce webhooks").endswith("fix: set COPYDESK_ADOBE_CLIENT_ID")
    assert line_of(lines, "shopify api").startswith("ok") and line_of(lines, "commercetools api").startswith("ok")
    assert all(" -> fix: " in line for line in lines if line.startswith("FAIL"))


def test_a_missing_akeneo_attribute_is_named(pims):
    pims.akeneo_attributes = {"description", "copydesk_description_draft"}
    status, lines = doctor(settings_for(pims, platforms="akeneo"))
    assert status == 1
    assert line_of(lines, "akeneo write-back fields").startswith("FAIL  akeneo write-back fields: missing attributes: copydesk_draft_info -> fix: create them in Akeneo")
    assert [line for line in lines if "api:" in line] == ["ok    akeneo api: read one product"]  # only the platform asked for


def test_an_unreachable_pim_says_so():
    status, lines = doctor(settings_for(None, platforms="shopify", shopify_shop_url="http://127.0.0.1:1/shopify", shopify_admin_token="x"))
    assert status == 1
    assert line_of(lines, "shopify api").startswith("FAIL  shopify api: no answer from http://127.0.0.1:1/shopify")


@pytest.mark.model
def test_the_model_check_loads_the_model_and_names_a_bad_folder(tmp_path, base_model_dir):
    good = settings_for(None, check_model=True, cache_dir=base_model_dir.parent.parent)
    _, lines = doctor(good)
    assert line_of(lines, "model").startswith("ok    model: copydesk-default")
    (tmp_path / "adapter_config.json").write_text("{}")
    _, lines = doctor(settings_for(None, check_model=True, model=str(tmp_path), cache_dir=base_model_dir.parent.parent))
    assert line_of(lines, "model").startswith(f"FAIL  model: --model '{tmp_path}' does not load")
