"""The same integrity on every database, MySQL and MariaDB included.

Preferences: the two conditional unique constraints (which MySQL and MariaDB do not create) give
way to one plain constraint over a generated column, ``subscription_scope`` (the subscription's
id, 0 for "every subscription"). The partial indexes become ``PartialIndex``es: on PostgreSQL and
SQLite the same index as before, left as it is; on MySQL and MariaDB, where Django had created
them without their condition, they are rebuilt on their fallback columns.
"""

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Q

import django_signal_notifier.models.indexes

# (model, the index as 0001/0002 created it, the index that replaces it)
REPLACED_INDEXES = [
    (
        "event",
        models.Index(fields=["fanout_updated_at"], condition=Q(fanout_done=False), name="dsn_event_fanout_todo"),
        django_signal_notifier.models.indexes.PartialIndex(
            fields=["fanout_updated_at"],
            where=Q(fanout_done=False),
            fallback_fields=["fanout_done", "fanout_updated_at"],
            name="dsn_event_fanout_todo",
        ),
    ),
    (
        "notification",
        models.Index(fields=["recipient", "-created_at", "-id"], condition=Q(archived=False), name="dsn_inbox_newest"),
        django_signal_notifier.models.indexes.PartialIndex(
            fields=["recipient", "-created_at", "-id"],
            where=Q(archived=False),
            fallback_fields=["recipient", "archived", "-created_at", "-id"],
            name="dsn_inbox_newest",
        ),
    ),
    (
        "notification",
        models.Index(fields=["recipient"], condition=Q(unread=True, archived=False), name="dsn_inbox_unread"),
        django_signal_notifier.models.indexes.PartialIndex(
            fields=["recipient"],
            where=Q(unread=True, archived=False),
            fallback_fields=["recipient", "unread", "archived"],
            name="dsn_inbox_unread",
        ),
    ),
]


def keep_the_latest_preference(apps, schema_editor):
    """Without the old constraints (MySQL, MariaDB) a user may have several rows for one
    subscription and channel; the one updated last, the user's latest choice, stays."""
    preferences = apps.get_model("django_signal_notifier", "Preference").objects.using(schema_editor.connection.alias)
    duplicated = (
        preferences.values("user_id", "subscription_id", "channel").annotate(rows=Count("id")).filter(rows__gt=1)
    )
    for key in list(duplicated):
        same = preferences.filter(
            user_id=key["user_id"], subscription_id=key["subscription_id"], channel=key["channel"]
        )
        latest = same.order_by("-updated_at", "-id").values_list("id", flat=True)[0]
        same.exclude(id=latest).delete()


def rebuild_where_partial_indexes_are_missing(apps, schema_editor):
    if schema_editor.connection.features.supports_partial_indexes:
        return  # PostgreSQL, SQLite: the partial index already is what PartialIndex creates there
    for model_name, old, new in REPLACED_INDEXES:
        model = apps.get_model("django_signal_notifier", model_name)
        schema_editor.remove_index(model, old)
        schema_editor.add_index(model, new)


def restore_the_indexes_without_condition(apps, schema_editor):
    if schema_editor.connection.features.supports_partial_indexes:
        return
    for model_name, old, new in reversed(REPLACED_INDEXES):
        model = apps.get_model("django_signal_notifier", model_name)
        schema_editor.remove_index(model, new)
        schema_editor.add_index(model, old)


class Migration(migrations.Migration):
    dependencies = [
        ("django_signal_notifier", "0005_admin_declared_fields_and_sent_to"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_the_latest_preference, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(model_name="preference", name="dsn_preference_once"),
        migrations.RemoveConstraint(model_name="preference", name="dsn_preference_once_global"),
        migrations.AddField(
            model_name="preference",
            name="subscription_scope",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce("subscription", 0),
                output_field=models.BigIntegerField(),
                verbose_name="subscription",
            ),
        ),
        migrations.AddConstraint(
            model_name="preference",
            constraint=models.UniqueConstraint(
                fields=("user", "subscription_scope", "channel"), name="dsn_preference_unique"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                operation
                for model_name, old, new in REPLACED_INDEXES
                for operation in (
                    migrations.RemoveIndex(model_name=model_name, name=old.name),
                    migrations.AddIndex(model_name=model_name, index=new),
                )
            ],
            database_operations=[
                migrations.RunPython(rebuild_where_partial_indexes_are_missing, restore_the_indexes_without_condition)
            ],
        ),
    ]
