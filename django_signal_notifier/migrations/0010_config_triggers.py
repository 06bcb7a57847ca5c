"""Configuration written by any means reaches every process; receiver callables are registered names."""

from typing import Any

from django.db import migrations, models

from django_signal_notifier.models import config_triggers


def install_triggers(apps: Any, schema_editor: Any) -> None:
    config_triggers.install(schema_editor.connection)


def uninstall_triggers(apps: Any, schema_editor: Any) -> None:
    config_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("django_signal_notifier", "0009_workflow_steps"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="receiver_callable",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The name a function (event) -> users, user ids or a user queryset is registered under "
                    "with @django_signal_notifier.receiver(name)."
                ),
                max_length=255,
                verbose_name="receivers callable",
            ),
        ),
        migrations.RunPython(install_triggers, uninstall_triggers, elidable=False),
    ]
