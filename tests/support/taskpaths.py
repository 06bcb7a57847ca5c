"""Where the Tasks API's built-in backends live: django.tasks on Django 6, the backport before."""

import django

TASK_BACKENDS = "django.tasks.backends" if django.VERSION >= (6, 0) else "django_tasks.backends"
