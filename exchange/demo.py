"""The demo's 12345 platform: 和龙市12345市民热线, with a known key so the partner API can be
tried at once (README "The 12345 hotline exchange"), and no callback URL, so its pushes are
written to the log. A real city issues its own secret on the settings page."""

from exchange import services
from exchange.models import Partner
from grids.access import SYSTEM

DEMO_KEY_ID = "hl_demo_12345"
DEMO_SECRET = "hlgrid-demo-12345-secret"


def load(ctx) -> None:
    city = ctx.data["city"]
    partner, _secret = services.partner_create(
        actor=SYSTEM, name="和龙市12345市民热线", code="helong-12345", city=city
    )
    Partner.objects.filter(pk=partner.pk).update(key_id=DEMO_KEY_ID)
    partner.refresh_from_db()
    partner.secret = DEMO_SECRET  # encrypted by the field
    partner.save(update_fields=["secret"])
    ctx.log(f"    12345 platform: X-Partner-Key {DEMO_KEY_ID}, secret {DEMO_SECRET} (demo only)")
