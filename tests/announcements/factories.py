import io

from django.core.files.uploadedfile import SimpleUploadedFile

from announcements import services
from grids.access import SYSTEM


def png(name: str = "notice.png", size=(40, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def announce(node, *, actor=SYSTEM, title="停水通知", body="明日上午停水。", **fields):
    return services.announcement_publish(actor=actor, node=node, title=title, body=body, **fields)
