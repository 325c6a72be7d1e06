"""The links between the apps that a worker follows: a visit that found a problem leads to a
deliberation topic and to a dispute case; the residents' report page leads to deliberation."""

import pytest
from django.urls import reverse

from residents import services as residents_services
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


def test_a_visit_that_found_a_problem_links_to_a_topic_and_a_dispute_and_both_open(client, city, people):
    home = rf.household(city.grid_a1)
    visit = residents_services.visit_log(
        actor=people.worker, household=home, problem_found=True, problem_description="楼道堆物，邻里争吵"
    )
    quiet = residents_services.visit_log(actor=people.worker, household=home, notes="一切正常")
    client.force_login(people.worker)
    html = client.get(reverse("residents:household", args=[home.pk])).content.decode()
    topic = f"{reverse('deliberation:topic_new')}?visit={visit.pk}"
    dispute = f"{reverse('mediation:new')}?visit={visit.pk}"
    assert topic in html and dispute in html
    assert f"?visit={quiet.pk}" not in html  # only a visit that found a problem offers them
    for url in (topic, dispute):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "楼道堆物" in response.content.decode(), url


def test_the_residents_report_page_leads_to_deliberation(client):
    html = client.get(reverse("petitions:report")).content.decode()
    for name in ("deliberation:public_new", "deliberation:public_lookup"):
        assert reverse(name) in html
        assert client.get(reverse(name)).status_code == 200
