"""The heads' API (/api/v1/heads/...): a building head sees its building, a unit head its unit
only (another unit's household or key person: 404), confirms a key person seen, reports a
problem (a HEAD petition) and relays a notice; staff and outsiders without a head account get
404 and empty lists."""

import pytest
from rest_framework.test import APIClient

from announcements.models import Relay
from petitions.models import Petition, Source
from residents.chat_groups import chat_group_create
from residents.models import AccessLog, Sighting

pytestmark = pytest.mark.django_db
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _client(user) -> APIClient:
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> set:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def test_a_unit_head_sees_its_unit_only_and_another_units_household_is_404(accounts, block):
    _, unit_account = accounts
    api = _client(unit_account.user)
    me = api.get("/api/v1/heads/me/").json()
    assert me["role"] == "UNIT_HEAD" and me["unit"] == block["unit1"].pk
    assert _ids(api.get("/api/v1/heads/units/")) == {block["unit1"].pk}
    assert _ids(api.get("/api/v1/heads/households/")) == {
        block["h11"].pk,
        block["h11"].unit.households.last().pk,
    }
    assert api.get(f"/api/v1/heads/households/{block['h21'].pk}/").status_code == 404
    assert api.get(f"/api/v1/heads/households/{block['other'].pk}/").status_code == 404
    detail = api.get(f"/api/v1/heads/households/{block['h11'].pk}/")
    assert detail.status_code == 200
    people = detail.json()["residents"]
    assert "王楼长" in {p["name"] for p in people}
    assert all(p["phone"] != "13900000001" for p in people)  # masked
    assert AccessLog.objects.filter(field="residents:head").count() == 1


def test_a_building_head_sees_every_unit_of_its_building(accounts, block):
    building_account, _ = accounts
    api = _client(building_account.user)
    assert _ids(api.get("/api/v1/heads/units/")) == {block["unit1"].pk, block["unit2"].pk}
    assert api.get(f"/api/v1/heads/households/{block['h21'].pk}/").status_code == 200
    assert api.get(f"/api/v1/heads/households/{block['other'].pk}/").status_code == 404


def test_a_head_confirms_its_key_person_seen_but_not_another_units(accounts, block):
    _, unit_account = accounts
    api = _client(unit_account.user)
    listed = api.get("/api/v1/heads/key-people/").json()["results"]
    assert [row["resident"] for row in listed] == [block["key11"].pk]
    assert listed[0]["last_seen_at"] is None
    seen = api.post(f"/api/v1/heads/key-people/{block['key11'].pk}/seen/", {"note": "精神很好"})
    assert seen.status_code == 201
    assert api.get("/api/v1/heads/key-people/").json()["results"][0]["last_seen_at"] is not None
    other = api.post(f"/api/v1/heads/key-people/{block['key21'].pk}/seen/", {}, format="json")
    assert other.status_code == 404
    assert Sighting.objects.count() == 1


def test_a_head_reports_a_problem_and_relays_a_notice(accounts, block, people, city):
    _, unit_account = accounts
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="1单元群", webhook_url=HOOK, unit=block["unit1"]
    )
    api = _client(unit_account.user)
    made = api.post("/api/v1/heads/petitions/", {"description": "三楼水管漏水"}, format="json")
    assert made.status_code == 201, made.json()
    petition = Petition.objects.get(pk=made.json()["id"])
    assert (petition.source, petition.grid_id, petition.created_by_id) == (
        Source.HEAD,
        block["building"].grid_id,
        unit_account.user_id,
    )
    assert _ids(api.get("/api/v1/heads/petitions/")) == {petition.pk}
    bad = api.post("/api/v1/heads/petitions/", {"description": ""}, format="json")
    assert bad.status_code == 400 and Petition.objects.count() == 1
    relayed = api.post("/api/v1/heads/relays/", {"text": "今晚停水检修"}, format="json")
    assert relayed.status_code == 201 and relayed.json()["groups"] == 1
    assert _ids(api.get("/api/v1/heads/relays/")) == {Relay.objects.get().pk}


def test_staff_without_a_head_account_get_404_and_empty_lists(accounts, block, people):
    api = _client(people.worker)
    assert api.get("/api/v1/heads/me/").status_code == 404
    for path in ("units", "households", "key-people", "petitions", "relays"):
        response = api.get(f"/api/v1/heads/{path}/")
        assert response.status_code == 200 and not _ids(response), path
    assert api.get(f"/api/v1/heads/households/{block['h11'].pk}/").status_code == 404
    assert api.post(f"/api/v1/heads/key-people/{block['key11'].pk}/seen/", {}).status_code == 404
    assert api.post("/api/v1/heads/petitions/", {"description": "漏水"}, format="json").status_code == 404
    assert api.post("/api/v1/heads/relays/", {"text": "通知"}, format="json").status_code == 404
    assert Petition.objects.count() == 0 and Relay.objects.count() == 0 and Sighting.objects.count() == 0


def test_an_ended_head_account_reaches_nothing(accounts, block, people):
    from residents.heads import head_account_end

    _, unit_account = accounts
    api = _client(unit_account.user)
    head_account_end(actor=people.worker, account=unit_account)
    unit_account.user.refresh_from_db()
    api.force_authenticate(unit_account.user)
    assert api.get("/api/v1/heads/me/").status_code in (401, 403, 404)
    assert api.get(f"/api/v1/heads/households/{block['h11'].pk}/").status_code in (401, 403, 404)
