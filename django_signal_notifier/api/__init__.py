"""The HTTP API (v1): the inbox and the preferences as JSON, described by an OpenAPI 3.1 document.

Include ``django_signal_notifier.api.urls`` in the project's URLconf to serve it.
"""
