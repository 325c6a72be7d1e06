from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every .po catalogue to .mo in pure Python (polib), so a fresh machine "
        "without GNU gettext still shows the Chinese interface."
    )

    def handle(self, *args, **options):
        folders = [Path(p) for p in settings.LOCALE_PATHS]
        folders += [Path(app.path) / "locale" for app in apps.get_app_configs()]
        base = Path(settings.BASE_DIR).resolve()
        compiled = 0
        for folder in folders:
            folder = folder.resolve()
            if not folder.is_dir() or not folder.is_relative_to(base) or ".venv" in folder.parts:
                continue
            for po_path in folder.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
                self.stdout.write(f"compiled {po_path.relative_to(base)}")
        self.stdout.write(f"{compiled} catalogue(s) compiled.")
