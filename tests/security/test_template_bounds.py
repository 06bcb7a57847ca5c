"""Stored templates cannot exhaust memory or time: output, loop work and time are bounded per render.

Each case is a denial of service found against the sandbox (issue 17): a padding format, nested
loops, a filter that doubles its input, a huge body sent to many users. The delivery ends dead with
a clear reason, the user's save() is untouched, and the admin preview shows the same reason.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import Delivery, DeliveryStatus, StoredTemplate, Trigger
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

LOOPS = (
    "{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)
EMPTY_LOOPS = (
    "{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}{% for e in l %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)
LETTERS = "abcdefghijklmnopqrstuvwxyz"
DOUBLING = "{% with a=instance.title|add:instance.title %}" + "".join(
    f"{{% with {n}={p}|add:{p} %}}" for p, n in zip(LETTERS[:-1], LETTERS[1:], strict=True)
)
DOUBLING += "{{ z|length }}" + "{% endwith %}" * 26

DENIALS = {
    "stringformat width": ('{{ 1|stringformat:"0100000000d" }}', "stringformat"),
    "stringformat precision": ('{{ 1|stringformat:".100000000f" }}', "stringformat"),
    "floatformat precision": ("{{ 1|floatformat:100000000 }}", "floatformat"),
    "four nested loops": ("{% with l=instance.title|make_list %}" + LOOPS + "{% endwith %}", "TEMPLATE_MAX_STEPS"),
    "five nested empty loops": (
        "{% with l=instance.title|make_list %}" + EMPTY_LOOPS + "{% endwith %}",
        "TEMPLATE_MAX_STEPS",
    ),
    "doubling with add": (DOUBLING, "TEMPLATE_MAX_OUTPUT"),
    "join of a long text with itself": (
        "{{ instance.body|make_list|join:instance.body }}",
        "TEMPLATE_MAX_OUTPUT",
    ),
    "join in a filter block": (
        "{% filter make_list|join:instance.body %}{{ instance.body }}{% endfilter %}",
        "TEMPLATE_MAX_OUTPUT",
    ),
}


@pytest.fixture
def reader() -> Any:
    return get_user_model().objects.create_user("reader", "reader@example.org", "pw")


def _save_article(run_on_commit: Any, **fields: Any) -> tuple[Article, float]:
    started = time.monotonic()
    with run_on_commit():
        article = Article.objects.create(**fields)
    return article, time.monotonic() - started


@pytest.mark.parametrize("name", sorted(DENIALS))
def test_a_denial_of_service_ends_dead_quickly_and_the_save_stands(name, reader, run_on_commit, recorded, settings):
    settings.SIGNAL_NOTIFIER = {"TEMPLATE_MAX_SECONDS": 60}  # the bound named below stops it (tracemalloc is slow)
    source, named = DENIALS[name]
    StoredTemplate.objects.create(name="dos", subject="dos", text=source)
    subscribe("post_save", Article, users=[reader], template="db:dos")
    tracemalloc.start()
    try:
        article, seconds = _save_article(run_on_commit, title="<abcdefghijklmnopqrstuvwxyz>" * 4, body="y" * 3000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Article.objects.filter(pk=article.pk).exists()  # the user's save() is untouched
    assert recorded == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error.startswith("template error:")
    assert named in delivery.last_error, delivery.last_error
    assert seconds < 10, f"{name} took {seconds:.1f} s"
    assert peak < 50_000_000, f"{name} allocated {peak / 1e6:.0f} MB"


def test_the_output_cap_names_the_setting_and_its_value(reader, run_on_commit, recorded, settings):
    settings.SIGNAL_NOTIFIER = {"TEMPLATE_MAX_OUTPUT": 1000}
    StoredTemplate.objects.create(name="big", subject="big", text="{{ instance.body }}")
    subscribe("post_save", Article, users=[reader], template="db:big")
    _save_article(run_on_commit, title="t", body="z" * 1001)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "output exceeds 1,000 characters (TEMPLATE_MAX_OUTPUT)" in delivery.last_error, delivery.last_error
    Delivery.objects.all().delete()
    _save_article(run_on_commit, title="t", body="z" * 999)
    assert [len(message.text) for message in recorded] == [999]  # below the cap nothing changes


def test_a_two_megabyte_body_to_fifty_users_writes_no_hundred_megabytes(run_on_commit, recorded):
    users = [get_user_model().objects.create_user(f"u{i}") for i in range(50)]
    StoredTemplate.objects.create(name="body", subject="{{ instance.title }}", text="{{ instance.body }}")
    subscribe("post_save", Article, users=users, template="db:body")
    _save_article(run_on_commit, title="huge", body="b" * 2_000_000)
    stored = sum(len(str(content)) for content in Delivery.objects.values_list("content", flat=True))
    assert stored < 1_000_000, f"{stored:,} characters stored"
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DEAD}
    assert recorded == []


def test_the_time_budget_stops_a_slow_render(reader, run_on_commit, recorded, settings):
    settings.SIGNAL_NOTIFIER = {"TEMPLATE_MAX_SECONDS": 0.05, "TEMPLATE_MAX_STEPS": 10_000_000}
    loops = "{% for a in l %}{% for b in l %}{% for c in l %}{{ a }}{{ b|upper }}{% endfor %}{% endfor %}{% endfor %}"
    StoredTemplate.objects.create(
        name="slow", subject="s", text="{% with l=instance.body|make_list %}" + loops + "{% endwith %}"
    )
    subscribe("post_save", Article, users=[reader], template="db:slow")
    _, seconds = _save_article(run_on_commit, title="t", body="y" * 300)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "TEMPLATE_MAX_SECONDS" in delivery.last_error, delivery.last_error
    assert seconds < 5


def test_legitimate_loops_and_filters_still_render(reader, run_on_commit, recorded):
    StoredTemplate.objects.create(
        name="ok",
        subject='{{ instance.priority|stringformat:"03d" }} {{ 3.14159|floatformat:2 }}',
        text="{% for c in instance.title|make_list %}{{ c|upper }}{% endfor %} {{ instance.title|add:'!' }}",
    )
    subscribe("post_save", Article, users=[reader], template="db:ok")
    _save_article(run_on_commit, title="abc", priority=7)
    [message] = recorded
    assert message.subject == "007 3.14"
    assert message.text == "ABC abc!"


def test_the_admin_preview_shows_the_same_bound(admin_client):
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    article = Article.objects.create(title="abcdefghijklmnopqrstuvwxyz" * 4)
    record = StoredTemplate.objects.create(name="p", subject="p", text="x")
    started = time.monotonic()
    response = admin_client.post(
        f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/",
        {
            "trigger": trigger.pk,
            "object_id": article.pk,
            "subject": "p",
            "text": "{% with l=instance.title|make_list %}" + LOOPS + "{% endwith %}",
            "preview": "1",
        },
    )
    assert time.monotonic() - started < 10
    page = response.content.decode()
    assert response.status_code == 200
    assert "TEMPLATE_MAX_STEPS" in page
    padded = admin_client.post(
        f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/",
        {
            "trigger": trigger.pk,
            "object_id": article.pk,
            "subject": '{{ 1|stringformat:"0100000000d" }}',
            "preview": "1",
        },
    )
    assert "stringformat" in padded.content.decode() and len(padded.content) < 1_000_000


def test_a_template_past_its_work_bound_costs_one_render_per_fan_out_not_one_per_recipient(run_on_commit, settings):
    settings.SIGNAL_NOTIFIER = {"TEMPLATE_MAX_SECONDS": 60}
    users = [get_user_model().objects.create_user(f"u{i}") for i in range(100)]
    # It reads the recipient, so it is rendered once per recipient.
    text = "{{ recipient.username }}{% with l=instance.title|make_list %}" + LOOPS + "{% endwith %}"
    StoredTemplate.objects.create(name="loops", subject="s", text=text)
    subscribe("post_save", Article, users=users, template="db:loops")
    _, seconds = _save_article(run_on_commit, title="abcdefghijklmnopqrstuvwxyz" * 4)
    errors = set(Delivery.objects.values_list("last_error", flat=True))
    assert Delivery.objects.filter(status=DeliveryStatus.DEAD).count() == 100
    assert len(errors) == 1 and "TEMPLATE_MAX_STEPS" in errors.pop()
    assert seconds < 8, f"{seconds:.1f} s for 100 recipients"  # about 25 s when each render pays the bound
