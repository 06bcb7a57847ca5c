"""``python -m benchmarks.realtime``: commit → SSE message latency with 1,000 open streams.

One uvicorn process (one ASGI event loop) on loopback serves ``/inbox/api/stream/`` on
PostgreSQL; this process opens ``--connections`` streams with httpx (one signed-in user each),
then writes notifications through the package's pipeline (:func:`notify`, the in-site channel)
and times each from its commit (the moment the publisher runs, after COMMIT) to the moment its
``notification`` message is parsed by the client. Two cases:

* *one recipient*: ``--events`` notifications, one after another, each to a random connected user;
* *broadcast*: one notification to every connected user (one fan-out chunk, so one NOTIFY):
  the latency of each of the ``--connections`` messages.

The reference is PostgreSQL's own floor: a ``NOTIFY`` committed by one connection and received by
a ``LISTEN``-ing psycopg async connection in this process, with no Django, no stream and no
client; the engine's p50 is reported as a ratio of it. Memory per open stream is the server's
RSS growth (``/proc/<pid>/status``) from before the streams to after they are all open, divided
by their number. The hub reads the database twice per published message, whatever the number of
streams (tests/realtime/test_hub.py), and a stream never does after its opening replay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = "benchmarks.realtime_settings"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50_ms": at(0.5) * 1000, "p95_ms": at(0.95) * 1000, "max_ms": ordered[-1] * 1000}


def _setup(connections_wanted: int) -> list[tuple[int, str]]:
    """A fresh database, ``connections_wanted`` users and a session cookie for each."""
    from benchmarks.runner import fresh_postgres_database

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    from django.conf import settings

    fresh_postgres_database(settings.DATABASES["default"]["NAME"])
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    model = get_user_model()
    model.objects.bulk_create(model(username=f"reader{i:05d}") for i in range(connections_wanted))
    cookies = []
    for user in model.objects.order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append((user.pk, session.session_key or ""))
    return cookies


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", "django.core.asgi:get_asgi_application", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    command += ["--limit-concurrency", "100000", "--backlog", "4096", "--timeout-graceful-shutdown", "1"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("uvicorn did not start")


class Readers:
    """``len(cookies)`` open streams; when each ``notification`` message arrived, by notification id."""

    def __init__(self, base: str, cookies: list[tuple[int, str]]) -> None:
        self.base = base
        self.cookies = cookies
        self.arrived: dict[tuple[int, int], float] = {}  # (user id, notification id) -> perf_counter
        self.opened = 0
        self.all_open = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def _read(self, client: Any, user_id: int, session_key: str) -> None:
        headers = {"Cookie": f"sessionid={session_key}", "Accept": "text/event-stream"}
        async with client.stream("GET", f"{self.base}/inbox/api/stream/", headers=headers) as response:
            if response.status_code != 200:
                raise RuntimeError(f"stream answered {response.status_code}")
            event, opened = "", False
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    if event == "notification":
                        self.arrived[(user_id, json.loads(line[6:])["id"])] = time.perf_counter()
                    elif event == "count" and not opened:
                        opened = True
                        self.opened += 1
                        if self.opened == len(self.cookies):
                            self.all_open.set()

    async def open(self, client: Any) -> None:
        for user_id, key in self.cookies:
            self.tasks.append(asyncio.create_task(self._read(client, user_id, key)))
            await asyncio.sleep(0)  # let each connect; a burst of 1,000 SYNs overflows the backlog
        await asyncio.wait_for(self.all_open.wait(), 120)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def _timed_publisher() -> list[float]:
    """When each publish ran (perf_counter): right after its transaction's COMMIT."""
    from django_signal_notifier.realtime.brokers import current_broker

    broker = current_broker()
    assert broker is not None
    stamps: list[float] = []
    publish = broker.publish

    def timed(payloads: list[str], using: str | None) -> None:
        stamps.append(time.perf_counter())
        publish(payloads, using)

    broker.publish = timed  # type: ignore[method-assign]
    return stamps


def _notify(user_ids: list[int], title: str) -> Any:
    from django_signal_notifier import notify

    return notify("benchmarked", recipients=user_ids, subject=title).event


def _new_ids(event_id: int) -> dict[int, int]:
    from django_signal_notifier.models import Notification

    return dict(Notification.objects.filter(event_id=event_id).values_list("recipient_id", "pk"))


async def _engine(base: str, cookies: list[tuple[int, str]], events: int, server_pid: int) -> dict[str, Any]:
    import httpx

    readers = Readers(base, cookies)
    limits = httpx.Limits(max_connections=len(cookies) + 10, max_keepalive_connections=0)
    stamps = _timed_publisher()
    loop = asyncio.get_running_loop()  # the writes run in its executor: Django's ORM is synchronous
    rss_before = _rss_kib(server_pid)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60, read=None)) as client:
        started = time.perf_counter()
        await readers.open(client)
        open_seconds = time.perf_counter() - started
        await asyncio.sleep(1.0)
        rss_open = _rss_kib(server_pid)
        single: list[float] = []
        users = [uid for uid, _key in cookies]
        rng = random.Random(20)
        for i in range(events):
            uid = rng.choice(users)
            event = await loop.run_in_executor(None, _notify, [uid], f"one {i}")
            committed = stamps[-1]
            ids = await loop.run_in_executor(None, _new_ids, event.pk)
            key = (uid, ids[uid])
            deadline = time.perf_counter() + 5
            while key not in readers.arrived and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            single.append(readers.arrived[key] - committed)
        event = await loop.run_in_executor(None, _notify, users, "to everyone")
        committed = stamps[-1]
        ids = await loop.run_in_executor(None, _new_ids, event.pk)
        keys = [(uid, ids[uid]) for uid in users]
        deadline = time.perf_counter() + 30
        while any(k not in readers.arrived for k in keys) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        broadcast = [readers.arrived[k] - committed for k in keys if k in readers.arrived]
        await readers.close()
    return {
        "single": _quantiles(single),
        "broadcast": _quantiles(broadcast),
        "broadcast_delivered": len(broadcast),
        "open_seconds": open_seconds,
        "server_rss_kib": {"before_streams": rss_before, "streams_open": rss_open},
        "kib_per_connection": (rss_open - rss_before) / max(1, len(cookies)),
    }


async def _reference(rounds: int) -> dict[str, float]:
    """PostgreSQL's floor: COMMIT of a NOTIFY on one connection → its receipt on a LISTEN-ing one."""
    import psycopg
    from django.db import connection

    from django_signal_notifier.realtime.brokers import PostgresBroker

    conninfo = PostgresBroker("default").conninfo()
    listener = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    await listener.execute("LISTEN dsn_bench_reference")
    received: dict[str, float] = {}

    async def listen() -> None:
        async for notify in listener.notifies():
            received[notify.payload] = time.perf_counter()

    task = asyncio.create_task(listen())
    loop = asyncio.get_running_loop()

    def send(i: int) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify('dsn_bench_reference', %s)", [str(i)])
        return time.perf_counter()

    latencies = []
    for i in range(rounds):
        sent = await loop.run_in_executor(None, send, i)
        while str(i) not in received:
            await asyncio.sleep(0.0005)
        latencies.append(received[str(i)] - sent)
    task.cancel()
    await listener.close()
    return _quantiles(latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    cookies = _setup(args.connections)
    port = _free_port()
    server = _start_server(port)
    try:
        # One stream first, so the server's one-off costs (imports, the hub, its listener) are
        # in the baseline rather than spread over the connections.
        base = f"http://127.0.0.1:{port}"
        asyncio.run(_engine(base, cookies[:1], 1, server.pid))
        engine = asyncio.run(_engine(base, cookies, args.events, server.pid))
        reference = asyncio.run(_reference(args.events))
    finally:
        server.terminate()
        server.wait(10)
    report = {
        "machine": f"{platform.node()} {platform.machine()} cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "connections": args.connections,
        "engine": engine,
        "reference_notify": reference,
        "ratio_p50_single": engine["single"]["p50_ms"] / max(reference["p50_ms"], 1e-6),
        # By construction (realtime/hub.py: load_updates), asserted by tests/realtime/test_hub.py.
        "hub_queries_per_message": 2,
        "per_connection_queries": 0,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
