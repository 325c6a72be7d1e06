from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav item in templates/base.html (the "nav:property" marker) takes its words from here.
NAV = [gettext_noop("Compounds and property"), gettext_noop("Renovation")]


class PropertyConfig(AppConfig):
    name = "property"
    label = "property"
    verbose_name = _("Compounds and property")
