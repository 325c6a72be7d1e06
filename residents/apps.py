from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents")

    def ready(self):
        from grids.signals import city_created
        from residents.key_groups import key_groups_seed

        city_created.connect(
            lambda sender, city, **kwargs: key_groups_seed(city=city),
            weak=False,
            dispatch_uid="key_groups_seed",
        )
