"""Assessment schemes edited from their settings page: a new version for new periods only."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import Scheme
from evaluation.services import scheme_default
from grids.access import SYSTEM

pytestmark = pytest.mark.django_db


def form_of(scheme, **changes):
    values = {
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "star_5": "95",
        "star_4": "85",
        "star_3": "75",
        "star_2": "60",
        "worker_base": "80",
        "coefficient_EXCELLENT": "1.2",
        "coefficient_GOOD": "1.0",
        "coefficient_PASS": "0.6",
        "coefficient_FAIL": "0",
        "head_base": "60",
        "head_mode": "AVERAGE_COEFFICIENT",
        "min_tenure_percent": "50",
        "appeal_days": "7",
    }
    return {**values, **changes}


def test_an_assessor_saves_a_new_version_and_bad_thresholds_change_nothing(people, configurer):
    scheme = scheme_default(actor=SYSTEM)
    url = reverse("evaluation:settings_scheme", args=[scheme.pk])
    client = Client()
    client.force_login(people.assessor)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="applies-to-new"' in page.content.decode()
    assert client.post(url, form_of(scheme, worker_base="100")).status_code == 302
    saved = Scheme.objects.get(pk=scheme.pk)
    assert saved.version == scheme.version + 1 and saved.worker_base == 100
    assert saved.indicators.count() == scheme.indicators.count()
    bad = client.post(url, form_of(scheme, good_min="95"))  # good above excellent
    assert (
        bad.status_code == 200
        and "is-invalid" in bad.content.decode()
        or "text-danger" in bad.content.decode()
    )
    bad = client.post(url, form_of(scheme, star_4="99"))  # stars must fall
    assert 'data-testid="error-star_5"' in bad.content.decode()
    assert Scheme.objects.get(pk=scheme.pk).version == saved.version


def test_an_official_reads_the_scheme_and_a_worker_gets_404(people):
    scheme = scheme_default(actor=SYSTEM)
    url = reverse("evaluation:settings_scheme", args=[scheme.pk])
    official = Client()
    official.force_login(people.official)
    assert official.get(reverse("evaluation:settings_schemes")).status_code == 200
    assert 'data-testid="scheme-form"' not in official.get(url).content.decode()
    assert official.post(url, form_of(scheme)).status_code == 403
    worker = Client()
    worker.force_login(people.worker)
    assert worker.get(url).status_code == 404
    assert Scheme.objects.get(pk=scheme.pk).version == scheme.version


def test_the_api_reads_schemes_for_officials_and_assessors_and_patches_for_assessors(people, api_client):
    scheme = scheme_default(actor=SYSTEM)
    url = f"/api/v1/evaluation/schemes/{scheme.pk}/"
    api_client.force_authenticate(people.worker)
    assert api_client.get("/api/v1/evaluation/schemes/").status_code == 404
    assert api_client.patch(url, {"worker_base": "1"}, format="json").status_code == 404
    api_client.force_authenticate(people.official)
    assert api_client.get(url).json()["version"] == scheme.version
    assert api_client.patch(url, {"worker_base": "1"}, format="json").status_code == 403
    api_client.force_authenticate(people.assessor)
    for bad in (
        {"good_min": "95"},
        {"star_thresholds": ["60", "70", "80", "90"]},
        {"coefficients": {"GOOD": "NaN"}},
        {"bonus": 3},
    ):
        assert api_client.patch(url, bad, format="json").status_code == 400, bad
    assert Scheme.objects.get(pk=scheme.pk).version == scheme.version
    done = api_client.patch(
        url, {"worker_base": "120.50", "coefficients": {"EXCELLENT": "1.5"}}, format="json"
    )
    assert done.status_code == 200, done.json()
    saved = Scheme.objects.get(pk=scheme.pk)
    assert saved.version == scheme.version + 1 and str(saved.worker_base) == "120.50"
    assert (
        saved.coefficients["EXCELLENT"] == "1.50"
        and saved.coefficients["GOOD"] == scheme.coefficients["GOOD"]
    )
