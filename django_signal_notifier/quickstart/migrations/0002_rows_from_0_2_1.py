from django.db import migrations

from django_signal_notifier.migrations._from_0_2_1 import adopt_rows


def move_demo_rows(apps, schema_editor):
    """0.2.1 kept TestModel1 and TestModel2 in its own app: their rows (and the triggers on them) move here."""
    for model_name in ("testmodel1", "testmodel2"):
        adopt_rows(
            apps,
            schema_editor,
            old_table=f"django_signal_notifier_{model_name}",
            old_model_name=model_name,
            model=("signal_notifier_quickstart", model_name),
            columns={"id": "id", "name": "name", "extra_field": "COALESCE(extra_field, '')"},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("signal_notifier_quickstart", "0001_initial"),
        ("django_signal_notifier", "0002_event_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_demo_rows, migrations.RunPython.noop)]
