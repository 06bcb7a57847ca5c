"""The quickstart's demo models in the admin, as 0.2.1's quickstart shows them."""

from django.contrib import admin

from django_signal_notifier.quickstart.models import TestModel1, TestModel2

admin.site.register(TestModel1)
admin.site.register(TestModel2)
