"""The broker (Redis) restarted under a Celery worker: nothing lost, nothing sent twice.

The machine's Redis is shared, so the test runs its OWN redis-server on a loopback port
(no persistence), kills it, and starts it again on the same port: events saved while it is down
cannot have their fan-out enqueued (the event stays unfinished in the outbox), the worker reconnects, and a
``signal_notifier redrive`` sends what the broker never saw.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.conftest import REQUIRE_SERVICES
from tests.integration.reliability.conftest import ROOT, wait_until
from tests.integration.reliability.figures import record
from tests.messengers.conftest import free_port
from tests.support.delivery_setup import configure
from tests.support.taskpaths import TASK_BACKENDS
from tests.testapp.models import Article, SentRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(240)]

WORKER_TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "celery": {"BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend"},
}
RECIPIENTS = 3


class OwnRedis:
    """A redis-server subprocess on 127.0.0.1:port that the test may kill and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(answers, 20, f"redis-server on port {self.port} to answer")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed; the broker-restart test starts its own"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message} and DSN_REQUIRE_SERVICES=1: service-backed tests are required here.")
        pytest.skip(f"SKIPPED LOUDLY: {message}")
    server = OwnRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def use_broker(app: Any, url: str) -> None:
    """Point the process's Celery app at ``url``, dropping connection pools bound to the previous broker."""
    app.conf.broker_url = url
    app._pool = None  # Celery caches its connection and producer pools on first use
    app.amqp._producer_pool = None


def sends_per_delivery() -> Counter[int]:
    return Counter(SentRecord.objects.values_list("delivery_id", flat=True))


def statuses() -> dict[str, int]:
    return dict(Counter(Delivery.objects.values_list("status", flat=True)))


def test_a_broker_restart_loses_and_duplicates_nothing(pg_only: None, own_redis: OwnRedis, tmp_path: Path) -> None:
    from django_signal_notifier.delivery.backends.celery import app

    broker = f"redis://127.0.0.1:{own_redis.port}/0"
    previous_broker = app.conf.broker_url
    use_broker(app, broker)
    settings_dict = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
        "DSN_TEST_DB": "postgres",
        "DSN_PG_NAME": str(settings_dict["NAME"]),
        "DSN_CELERY_BROKER": broker,
        "DSN_TASK_BACKEND": "celery",
        "DSN_FANOUT_RESUME_AFTER": "0",  # the sweeper resumes the event the broker never saw at once
        "PYTHONPATH": str(ROOT),
    }
    import os

    log = (tmp_path / "celery.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "django_signal_notifier.delivery.backends.celery",
            "worker",
            "-Q",
            "default",
        ]
        + ["--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def worker_log() -> str:
        return (tmp_path / "celery.log").read_text(errors="replace")[-3000:]

    try:
        with override_settings(TASKS=WORKER_TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "celery"}):
            configure(RECIPIENTS)
            Article.objects.create(title="before the restart")
            wait_until(lambda: statuses() == {"sent": RECIPIENTS}, 90, f"the worker to send; log:\n{worker_log()}")

            own_redis.kill()  # the broker goes away
            Article.objects.create(title="while the broker is down")  # enqueue fails: the outbox keeps the event
            assert statuses() == {"sent": RECIPIENTS}
            assert Event.objects.filter(fanout_done=False).count() == 1

            own_redis.start()  # back, empty: the queue it had is gone
            Article.objects.create(title="after the restart")
            wait_until(
                lambda: statuses().get("sent") == 2 * RECIPIENTS,
                90,
                f"the worker to reconnect and send; log:\n{worker_log()}",
            )
            redrive = subprocess.run(
                [sys.executable, "-m", "django", "signal_notifier", "redrive", "--json"],
                cwd=ROOT,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert redrive.returncode == 0, redrive.stderr[-2000:]
            wait_until(lambda: statuses() == {"sent": 3 * RECIPIENTS}, 90, f"everything sent; log:\n{worker_log()}")
    finally:
        use_broker(app, previous_broker)
        worker.kill()
        worker.wait(10)
        log.close()

    expected = 3 * RECIPIENTS
    sends = sends_per_delivery()
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    lost = len(deliveries - set(sends))
    duplicated = sum(count - 1 for count in sends.values())
    record("broker-restart", faults=1, deliveries=len(deliveries), lost=lost, duplicated=duplicated)
    assert len(deliveries) == expected
    assert (lost, duplicated) == (0, 0)
    assert statuses() == {DeliveryStatus.SENT: expected}
