"""0.2.1's demo models, kept so its quickstart runs unchanged."""

from django.db import models


class TestModel1(models.Model):
    """A model to fire triggers at."""

    __test__ = False  # a model, not a pytest test class, when imported into a test module

    name = models.CharField(max_length=64)
    extra_field = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "signal_notifier_quickstart"

    def __str__(self) -> str:
        return self.name


class TestModel2(models.Model):
    """A second model, to show that triggers match their own sender only."""

    __test__ = False  # a model, not a pytest test class, when imported into a test module

    name = models.CharField(max_length=64)
    extra_field = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "signal_notifier_quickstart"

    def __str__(self) -> str:
        return self.name
