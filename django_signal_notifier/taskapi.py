"""Django's Tasks API: ``django.tasks`` on Django 6, the django-tasks backport on 5.2."""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import task, task_backends  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2 with the backport
    from django_tasks import task, task_backends  # type: ignore[import-not-found,no-redef,assignment,unused-ignore]

__all__ = ["task", "task_backends"]
