"""Icons come from the SVG sprite ({% icon "name" %}), never from the bootstrap-icons font.

The font weighed 60% of a worker's page for about ten icons (issue 16). A template that still
says <i class="bi bi-sun"></i> shows nothing now: write {% icon "sun" %} instead (extra classes
with class="...", a meaningful icon with label=_("...")); a name chosen in Python is wrapped in
hlgrid.templatetags.icons.icon_name("...") so that the sprite's build finds it.
"""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"node_modules", ".venv", "staticfiles", "build", "var", ".git"}
FONT_CLASS = re.compile(r"""class=["'][^"']*\bbi\b|\bbi-[a-z0-9-]+|bootstrap-icons""")
ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']""")


def _files(suffix: str, inside: str) -> list[Path]:
    return [
        path
        for path in ROOT.rglob(f"*{suffix}")
        if not SKIP.intersection(path.relative_to(ROOT).parts) and inside in path.parts
    ]


def test_no_template_or_script_uses_the_icon_font():
    offenders = []
    for path in _files(".html", "templates") + _files(".js", "static"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FONT_CLASS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, 'the icon font is gone, use {% icon "name" %}:\n' + "\n".join(offenders)


def test_every_named_icon_exists_in_bootstrap_icons():
    icons = ROOT / "node_modules" / "bootstrap-icons" / "icons"
    if not icons.is_dir():
        pytest.skip("node_modules not installed (npm ci)")
    names = {
        name for path in _files(".html", "templates") for name in ICON_TAG.findall(path.read_text("utf-8"))
    }
    assert len(names) > 20
    assert not sorted(name for name in names if not (icons / f"{name}.svg").exists())


def test_the_icon_tag_uses_the_sprite():
    source = '{% icon "sun" %}|{% icon "heart-fill" class="text-danger" label="Red heart" %}'
    html = Template(source).render(Context())
    plain, labelled = html.split("|")
    assert plain == (
        '<svg class="hl-icon" aria-hidden="true" focusable="false">'
        '<use href="/static/dist/icons.svg#sun"></use></svg>'
    )
    assert 'class="hl-icon text-danger" role="img" aria-label="Red heart"' in labelled
    assert "<title>Red heart</title>" in labelled
