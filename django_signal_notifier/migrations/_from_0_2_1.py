"""django-signal-notifier 0.2.1's tables, converted in place by migration 0002.

A database migrated by 0.2.1 recorded ``django_signal_notifier.0001_initial`` too (0.2.1's, with
``0002_auto_20191201_1040`` … ``0005_auto_20210321_1132`` after it), so Django takes this
package's 0001 for applied although its tables are 0.2.1's: a backend, trigger and subscription
table of another shape, and none of the other tables. :class:`UpgradeFrom021Tables`, the first
operation of 0002, finds that case (0.2.1's trigger table without the event table 0001 creates)
and turns those three tables into 0001's, keeping every row, then creates 0001's other tables.
On any other database it does nothing.

0.2.1's ``DSN_Profile`` rows are moved by 0003 (to :class:`~django_signal_notifier.models.Profile`)
and its demo models' rows by the quickstart app's 0002; their tables are left alone here.

The schema below is 0.2.1's after its migration 0005, written down as model states; it never
changes, so this module is as frozen as a migration. (A module whose name starts with ``_`` is
not a migration to Django's loader.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import models
from django.db.migrations.operations import AddField, AlterField, CreateModel, RemoveConstraint
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState, ProjectState

APP = "django_signal_notifier"

# 0.2.1's tables that this package keeps (with their rows), and the tables 0001 adds.
CONVERTED = ("backend", "trigger", "subscription")
CREATED = ("configstamp", "storedtemplate", "event", "notification", "preference", "delivery")


def _legacy_id() -> models.AutoField:
    return models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")


def legacy_operations() -> list[CreateModel]:
    """0.2.1's Backend, Trigger and Subscription as its migrations 0001-0005 left them."""
    return [
        CreateModel(
            name="Backend",
            fields=[
                ("id", _legacy_id()),
                ("messenger", models.CharField(default="BaseMessanger", max_length=128)),
                ("message_template", models.CharField(default="BaseMessageTemplate", max_length=128)),
            ],
        ),
        CreateModel(
            name="Trigger",
            fields=[
                ("id", _legacy_id()),
                ("verb", models.CharField(db_index=True, max_length=128)),
                ("action_object_id", models.CharField(blank=True, db_index=True, max_length=255, null=True)),
                ("actor_object_id", models.CharField(blank=True, db_index=True, max_length=255, null=True)),
                ("target", models.CharField(blank=True, db_index=True, max_length=128, null=True)),
                (
                    "action_object_content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "actor_object_content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                ("enabled", models.BooleanField(default=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "verb",
                            "action_object_content_type",
                            "action_object_id",
                            "actor_object_content_type",
                            "actor_object_id",
                            "target",
                        ),
                        name="Trigger_Unique_Index",
                    )
                ]
            },
        ),
        CreateModel(
            name="Subscription",
            fields=[
                ("id", _legacy_id()),
                ("enabled", models.BooleanField(default=True)),
                ("backends", models.ManyToManyField(blank=True, related_name="+", to=f"{APP}.backend")),
                ("receiver_groups", models.ManyToManyField(blank=True, related_name="+", to="auth.group")),
                ("receiver_users", models.ManyToManyField(blank=True, related_name="+", to=settings.AUTH_USER_MODEL)),
                (
                    "trigger",
                    models.ForeignKey(on_delete=models.CASCADE, related_name="+", to=f"{APP}.trigger"),
                ),
            ],
        ),
    ]


def holds_0_2_1_tables(connection: Any) -> bool:
    """Whether this database has 0.2.1's configuration tables and not yet this package's."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return f"{APP}_trigger" in tables and f"{APP}_event" not in tables


def _copy(model_state: ModelState) -> CreateModel:
    return CreateModel(
        name=model_state.name,
        fields=[(name, field.clone()) for name, field in model_state.fields.items()],
        options=dict(model_state.options),
        bases=model_state.bases,
        managers=list(model_state.managers),
    )


def upgrade_operations(target: ProjectState, legacy: ProjectState) -> list[Operation]:
    """The operations that turn ``legacy`` (0.2.1's three tables) into ``target`` (0001's nine)."""
    operations: list[Operation] = [RemoveConstraint(model_name="trigger", name="Trigger_Unique_Index")]
    for model_name in CONVERTED:
        model = target.models[APP, model_name]
        existing = legacy.models[APP, model_name].fields
        for name, field in model.fields.items():
            change = AlterField if name in existing else AddField
            operations.append(change(model_name=model.name, name=name, field=field.clone()))
    operations.extend(_copy(target.models[APP, model_name]) for model_name in CREATED)
    return operations


def _widen_through_keys(schema_editor: Any, state: ProjectState) -> None:
    """The many-to-many tables' own ids: 0.2.1's are integers; a fresh install's follow DEFAULT_AUTO_FIELD.

    No model state describes 0.2.1's (an auto-created table's key follows the current setting),
    so the old key is written out here.
    """
    subscription = state.apps.get_model(APP, "subscription")
    for name in ("backends", "receiver_groups", "receiver_users"):
        through = subscription._meta.get_field(name).remote_field.through
        new_key = through._meta.pk
        if new_key.get_internal_type() == "AutoField":
            continue
        old_key = models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")
        old_key.set_attributes_from_name(new_key.name)
        old_key.model = through
        schema_editor.alter_field(through, old_key, new_key)


class UpgradeFrom021Tables(Operation):
    """On a database of django-signal-notifier 0.2.1, make its tables those of migration 0001.

    The migration state is 0001's already (Django took 0.2.1's recorded 0001 for this package's),
    so only the database changes. Backwards it does nothing: the tables stay as 0001 made them.
    """

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        """The state is 0001's before and after."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if not holds_0_2_1_tables(schema_editor.connection):
            return
        legacy = from_state.clone()
        for model_name in CONVERTED + CREATED:
            legacy.remove_model(APP, model_name)
        for create in legacy_operations():
            create.state_forwards(APP, legacy)
        for operation in upgrade_operations(from_state, legacy):
            after = legacy.clone()
            operation.state_forwards(APP, after)
            operation.database_forwards(APP, schema_editor, legacy, after)
            legacy = after
        _widen_through_keys(schema_editor, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        """Nothing to undo: 0001's tables are what 0001 expects."""

    def describe(self) -> str:
        return "Convert django-signal-notifier 0.2.1's tables in place, if this database has them"


def adopt_rows(
    apps: Any,
    schema_editor: Any,
    *,
    old_table: str,
    old_model_name: str,
    model: tuple[str, str],
    columns: dict[str, str],
) -> None:
    """Move the rows of 0.2.1's ``old_table`` into ``model``'s table, then drop ``old_table``.

    ``columns`` maps each column of the new table to an SQL expression over the old one; ids are
    kept (so admin history and links stay right) and the id sequence is moved past them. 0.2.1's
    content type ``django_signal_notifier.<old_model_name>`` becomes the new model's, with its
    permissions, so whatever pointed at it (a trigger's model, a group's permissions, admin log
    entries) now points at the new model. Without ``old_table`` this does nothing.
    """
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if old_table not in connection.introspection.table_names(cursor):
            return
    new_model = apps.get_model(*model)
    quote = schema_editor.quote_name
    targets = ", ".join(quote(column) for column in columns)
    sources = ", ".join(columns.values())
    schema_editor.execute(
        f"INSERT INTO {quote(new_model._meta.db_table)} ({targets}) SELECT {sources} FROM {quote(old_table)}"
    )
    for statement in connection.ops.sequence_reset_sql(no_style(), [new_model]):
        schema_editor.execute(statement)
    _move_content_type(apps, connection.alias, old_model_name, new_model)
    schema_editor.execute(schema_editor.sql_delete_table % {"table": quote(old_table)})


def _move_content_type(apps: Any, alias: str, old_model_name: str, new_model: Any) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(alias)
    old = content_types.filter(app_label=APP, model=old_model_name).first()
    if old is None:
        return
    app_label, model_name = new_model._meta.app_label, new_model._meta.model_name
    new = content_types.filter(app_label=app_label, model=model_name).first()
    if new is not None:  # made by an earlier migrate: point 0.2.1's references at it
        triggers = apps.get_model(APP, "Trigger").objects.using(alias)
        triggers.filter(action_object_content_type=old).update(action_object_content_type=new)
        triggers.filter(actor_object_content_type=old).update(actor_object_content_type=new)
        old.delete()
        return
    content_types.filter(pk=old.pk).update(app_label=app_label, model=model_name)
    try:
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:  # no django.contrib.auth
        return
    permissions = permission_model.objects.using(alias).filter(content_type_id=old.pk)
    for action in ("add", "change", "delete", "view"):
        permissions.filter(codename=f"{action}_{old_model_name}").update(
            codename=f"{action}_{model_name}", name=f"Can {action} {new_model._meta.verbose_name_raw}"
        )
