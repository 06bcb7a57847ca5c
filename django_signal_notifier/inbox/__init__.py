"""The in-site inbox: per-user cached counts, JSON endpoints, the inbox page and the live badge.

Include ``django_signal_notifier.inbox.urls`` in the project's URLconf to serve them.
"""
