"""Preferences for messages sent from code (a verb), and when each preference last changed."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("django_signal_notifier", "0010_config_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PreferenceChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "subscription_scope",
                    models.BigIntegerField(default=0, help_text="0: every subscription.", verbose_name="subscription"),
                ),
                ("verb", models.CharField(blank=True, max_length=128, verbose_name="verb")),
                ("channel", models.CharField(blank=True, max_length=128, verbose_name="channel")),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed")),
            ],
            options={
                "verbose_name": "preference change",
                "verbose_name_plural": "preference changes",
            },
        ),
        migrations.AddField(
            model_name="preference",
            name="verb",
            field=models.CharField(
                blank=True,
                help_text="Only for messages sent from code with this verb (no subscription). Empty: subscriptions.",
                max_length=128,
                verbose_name="verb",
            ),
        ),
        migrations.AddConstraint(
            model_name="preference",
            constraint=models.UniqueConstraint(
                fields=("user", "subscription_scope", "verb", "channel"), name="dsn_preference_unique_verb"
            ),
        ),
        # After the new constraint: on MySQL/MariaDB the user foreign key needs an index starting with it.
        migrations.RemoveConstraint(
            model_name="preference",
            name="dsn_preference_unique",
        ),
        migrations.AddField(
            model_name="preferencechange",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AddConstraint(
            model_name="preferencechange",
            constraint=models.UniqueConstraint(
                fields=("user", "subscription_scope", "verb", "channel"), name="dsn_preference_change_unique"
            ),
        ),
    ]
