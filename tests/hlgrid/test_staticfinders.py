"""The vendor files the pages load are found; the rest of the packages' dist/ is not collected."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from hlgrid.staticfinders import VendorFinder

ROOT = Path(settings.BASE_DIR)


def _referenced() -> set[str]:
    """Every `{% static 'vendor/...' %}` of the templates."""
    found = set()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        found |= set(re.findall(r"static ['\"](vendor/[^'\"]+)['\"]", template.read_text(encoding="utf-8")))
    return found


def test_every_vendor_file_a_template_loads_is_found_with_the_source_map_it_names():
    referenced = _referenced()
    assert {"vendor/leaflet/leaflet.js", "vendor/echarts/echarts.min.js"} <= referenced
    for name in referenced:
        path = finders.find(name)
        assert path, name
        mapped = re.search(r"sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", Path(path).read_text(encoding="utf-8"))
        if mapped:
            assert finders.find(f"{name.rsplit('/', 1)[0]}/{mapped.group(1)}"), (name, mapped.group(1))


def test_the_leaflet_stylesheets_images_are_found_and_other_builds_are_not():
    assert finders.find("vendor/leaflet/images/marker-icon.png")
    # echarts' dist/ holds many builds: only the minified one the dashboards load is served.
    assert finders.find("vendor/echarts/echarts.js") is None
    assert finders.find("vendor/echarts/echarts.min.js")


def test_the_finder_lists_only_the_patterns_of_each_package():
    listed = {f"{storage.prefix}/{path}" for path, storage in VendorFinder().list([])}
    assert "vendor/echarts/echarts.min.js" in listed and "vendor/leaflet/images/layers.png" in listed
    assert not any(name.startswith("vendor/echarts/extension") for name in listed)
    assert len(listed) < 30
