"""Models of a throw-away app, installed only by tests/privacy/test_checks.py."""

from django.conf import settings
from django.db import models


class SupportTicket(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)


class TicketNote(models.Model):
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE)
    text = models.TextField()


class Warehouse(models.Model):
    name = models.CharField(max_length=100)
