from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav item in templates/base.html (the "nav:announcements" marker) takes its words from here.
NAV = [gettext_noop("Announcements")]


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        from announcements.hooks import register_publish_listener
        from announcements.relay import relay_to_chat_groups

        register_publish_listener("wechat-groups", relay_to_chat_groups)
