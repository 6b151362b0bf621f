"""The monitoring shipped in deploy/: Prometheus accepts the alert rules and the example
configuration, every alert is proven by promtool's unit tests to fire when its objective
is broken and to stay quiet when it is kept, and the dashboard and the rules use only the
metrics the shop exports (deploy/metrics.txt)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
DASHBOARD = DEPLOY / "grafana" / "shop-dashboard.json"
METRICS = DEPLOY / "metrics.txt"

HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")
METRIC_NAME = re.compile(r"\b(shop_[a-z0-9_]+)")
SELECTOR = re.compile(r"\b(shop_[a-z0-9_]+)\{([^}]*)\}")
MATCHER_LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")


def promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail(
            "promtool is not installed, so the alert rules cannot be checked: "
            "apt-get install prometheus (./shop test installs it)"
        )
    return subprocess.run(
        [binary, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


@cache
def exported_metrics() -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (type, labels)} from deploy/metrics.txt."""
    metrics: dict[str, tuple[str, frozenset[str]]] = {}
    for line in METRICS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, labels = line.split()
        metrics[name] = (kind, frozenset() if labels == "-" else frozenset(labels.split(",")))
    return metrics


def metric_of(series: str) -> str:
    """The exported metric a series name belongs to (a histogram's `_bucket` is its own)."""
    for suffix in HISTOGRAM_SERIES:
        base = series.removesuffix(suffix)
        if base != series and exported_metrics().get(base, ("",))[0] == "histogram":
            return base
    return series


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            expressions.append(variable["definition"])
    return expressions


def test_prometheus_accepts_the_alert_rules() -> None:
    checked = promtool("check", "rules", str(ALERTS))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_prometheus_accepts_the_example_scrape_configuration() -> None:
    checked = promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_fires_on_its_synthetic_series_and_stays_quiet_otherwise() -> None:
    tested = promtool("test", "rules", str(ALERT_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_unit_tests_cover_each_alert_both_ways() -> None:
    cases = [
        case
        for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]
        for case in test["alert_rule_test"]
    ]
    for rule in alert_rules():
        outcomes = [
            bool(case["exp_alerts"]) for case in cases if case["alertname"] == rule["alert"]
        ]
        assert True in outcomes, f"no test shows {rule['alert']} firing"
        assert False in outcomes, f"no test shows {rule['alert']} staying quiet"


def test_the_service_objectives_have_their_alerts() -> None:
    rules = {rule["alert"]: " ".join(rule["expr"].split()) for rule in alert_rules()}
    assert "shop_http_request_duration_seconds_bucket" in rules["ShopApiLatencyP99High"]
    assert rules["ShopApiLatencyP99High"].startswith("histogram_quantile(0.99,")
    assert rules["ShopOutboxLagging"] == "max(shop_outbox_oldest_pending_age_seconds) > 60"
    assert rules["ShopDeadLetters"] == "max(shop_dead_letters) > 0"
    assert 'shop_payments_total{outcome="failed"}' in rules["ShopPaymentFailureRateHigh"]
    assert rules["ShopWorkerDown"] == 'up{job="shop-worker"} == 0'


def test_the_alerts_watch_jobs_the_example_configuration_scrapes() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = {scrape["job_name"]: scrape for scrape in config["scrape_configs"]}
    assert set(jobs) == {"shop-web", "shop-worker"}
    worker_targets = jobs["shop-worker"]["static_configs"][0]["targets"]
    assert worker_targets == ["127.0.0.1:9108"]  # WORKER_METRICS_PORT's default
    for rule in alert_rules():
        for job in re.findall(r'job="([^"]+)"', rule["expr"]):
            assert job in jobs, f"{rule['alert']} watches job {job}, which nothing scrapes"


def test_the_dashboard_shows_what_on_call_needs() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    expressions = " ".join(dashboard_expressions())
    for quantile in ("0.5", "0.95", "0.99"):
        assert (
            f"histogram_quantile({quantile}, sum by (le, route) "
            "(rate(shop_http_request_duration_seconds_bucket"
        ) in expressions
    for needed in (
        "shop_http_request_duration_seconds_count",  # traffic
        "shop_orders_placed_total",  # checkouts
        'shop_payments_total{outcome="failed"}',
        "shop_outbox_oldest_pending_age_seconds",
        "shop_dead_letters",
        "shop_job_queue_depth",
        'shop_emails_total{outcome="failed"}',
        "shop_websocket_connections",
    ):
        assert needed in expressions, f"no panel shows {needed}"


def test_the_dashboard_and_the_rules_use_only_exported_metrics_and_labels() -> None:
    expressions = dashboard_expressions() + [rule["expr"] for rule in alert_rules()]
    metrics = exported_metrics()
    for expression in expressions:
        for series in METRIC_NAME.findall(expression):
            assert metric_of(series) in metrics, f"{series} is not in deploy/metrics.txt"
        for series, matchers in SELECTOR.findall(expression):
            labels = set(MATCHER_LABEL.findall(matchers))
            allowed = metrics[metric_of(series)][1] | {"le", "job", "instance"}
            assert labels <= allowed, f"{series} has no label {labels - allowed}"
