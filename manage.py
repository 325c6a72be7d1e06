#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hlgrid.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django's command runner keeps a settings error for later and then fails with an unrelated
    # "Models aren't loaded yet"; read the settings first so the operator sees what is missing.
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        sys.exit(f"{exc}\nOn a development machine, set DEBUG=1 for the embedded defaults.")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
