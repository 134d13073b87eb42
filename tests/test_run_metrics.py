"""Trainer run metrics: the outcome gauge names exactly one outcome, and export writes a readable file."""

from prometheus_client.parser import text_string_to_metric_families

from trainer.run_metrics import OUTCOMES, export_run_metrics, outcome_of


def test_outcome_follows_the_summary():
    assert outcome_of({"approvals": 3, "promoted": False, "reason": "not enough approvals"}) == "skipped"
    assert outcome_of({"version": "v2", "promoted": True}) == "promoted"
    assert outcome_of({"version": "v2", "promoted": False}) == "rejected"
    assert outcome_of({"failed": True}) == "failed"


def test_export_writes_one_outcome_and_the_similarities(tmp_path):
    summary = {"version": "v2", "promoted": True, "approvals": 40, "train_examples": 30, "held_out_examples": 8,
               "live": {"similarity_cosine": 0.61, "edit_distance_median": 0.43, "approved_unchanged": 0.0},
               "candidate": {"similarity_cosine": 0.66, "edit_distance_median": 0.18, "approved_unchanged": 0.41}}
    path = tmp_path / "trainer.prom"
    export_run_metrics(summary, 12.5, path, pushgateway=None)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(path.read_text()) for s in family.samples}
    assert samples[("copydesk_trainer_run_duration_seconds", ())] == 12.5
    assert [o for o in OUTCOMES if samples[("copydesk_trainer_last_run_outcome", (("outcome", o),))] == 1] == ["promoted"]
    assert samples[("copydesk_trainer_similarity", (("model", "candidate"),))] == 0.66
    assert samples[("copydesk_trainer_edit_distance_median", (("model", "live"),))] == 0.43  # the gate's measure, per model
    assert samples[("copydesk_trainer_approved_unchanged_ratio", (("model", "candidate"),))] == 0.41


def test_an_unreachable_pushgateway_is_logged_not_raised(tmp_path, capsys):
    from consumer.kafka.broker import free_port

    export_run_metrics({"failed": True}, 1.0, None, pushgateway=f"127.0.0.1:{free_port()}")
    captured = capsys.readouterr()
    assert "pushgateway_unreachable" in captured.out + captured.err
