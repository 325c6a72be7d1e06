"""An independent HTTP client (httpx) against the running server, as an outside civic app
would use the endpoint: discovery → services → POST a request → GET it → its token."""

import xml.etree.ElementTree as ET

import httpx
import pytest

from petitions.models import Petition, Source
from tests.factories import SmallCity
from tests.open311.conftest import Setup
from tests.petitions.factories import POINT_A1


@pytest.mark.django_db(transaction=True)
def test_a_civic_app_files_and_follows_a_request_over_http(live_server):
    setup = Setup(SmallCity())
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        discovery = http.get("/open311/discovery.json")
        assert discovery.status_code == 200
        assert discovery.headers["content-type"] == "application/json; charset=utf-8"
        endpoint = discovery.json()["endpoints"][0]
        base = endpoint["url"]
        assert base == f"{live_server.url}/open311/v2"
        assert "application/json" in endpoint["formats"] and "text/xml" in endpoint["formats"]

        services = http.get(f"{base}/services.json").json()
        code = next(s["service_code"] for s in services if s["service_name"] == "垃圾清运")
        assert http.get(f"{base}/services/{code}.json").json()["attributes"] == []

        created = http.post(
            f"{base}/requests.json",
            data={
                "api_key": setup.key,
                "service_code": code,
                "lat": POINT_A1[0],
                "long": POINT_A1[1],
                "description": "垃圾桶满溢",
                "phone": "13700001111",
            },
        )
        assert created.status_code == 201, created.text
        [answer] = created.json()
        request_id = answer["service_request_id"]
        petition = Petition.objects.get(pk=request_id)
        assert petition.source == Source.RESIDENT and petition.tracking_code in answer["service_notice"]

        bad = http.post(f"{base}/requests.xml", data={"api_key": "nope", "service_code": code})
        assert bad.status_code == 403
        assert ET.fromstring(bad.content).find("error/code").text == "403"

        [shown] = http.get(f"{base}/requests/{request_id}.json").json()
        assert shown["service_request_id"] == request_id and shown["status"] == "open"
        assert shown["service_code"] == code and shown["description"] == "垃圾桶满溢"
        assert "13700001111" not in http.get(f"{base}/requests.json").text
        listed = http.get(f"{base}/requests.json", params={"service_request_id": str(request_id)}).json()
        assert [r["service_request_id"] for r in listed] == [request_id]

        xml = http.get(f"{base}/requests/{request_id}.xml")
        assert xml.headers["content-type"] == "text/xml; charset=utf-8"
        assert ET.fromstring(xml.content).find("request/service_request_id").text == str(request_id)

        token = http.get(f"{base}/tokens/{request_id}.json").json()
        assert token == [{"service_request_id": request_id, "token": str(request_id)}]
