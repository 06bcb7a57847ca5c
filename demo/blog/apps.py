from django.apps import AppConfig


class BlogConfig(AppConfig):
    """A small blog: articles, comments and follows, wired to django-signal-notifier."""

    name = "blog"
    verbose_name = "Blog (demo)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog import notifications, signals

        signals.connect()
        notifications.register()
