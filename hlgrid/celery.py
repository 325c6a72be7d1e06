import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hlgrid.settings")

app = Celery("hlgrid")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The beat's lock and schedule in Redis (settings.REDBEAT_CONF, set when REDIS_URL is).
app.conf.update(getattr(settings, "REDBEAT_CONF", {}))
app.autodiscover_tasks()
