from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tests.support.tasklog import connect_from_environment

        connect_from_environment()  # worker processes of the distributed tests log their tasks
