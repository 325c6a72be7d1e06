"""Uploads on S3-compatible object storage (MEDIA_STORAGE=s3, django-storages), against a
real S3 protocol peer: moto's server on a loopback port. (moto does not verify signatures,
so what the store refuses is not tested here; what we sign and hand out is.)

Several web and worker machines must see the same photos, so production keeps them in a
bucket. They stay private there: the checked view (hlgrid.media) either streams them from the
bucket or, with MEDIA_SENDFILE=redirect, hands out a signed address that expires in a minute.
"""

import socket
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from residents import services as resident_services
from tests.petitions.factories import jpeg
from tests.residents import factories as resident_factories

pytestmark = pytest.mark.django_db

BUCKET = "hlgrid-media"
KEYS = {"access_key": "test-access", "secret_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """The media storage is the bucket for this test (the settings change resets Django's
    storages, so FileFields write there)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    settings.MEDIA_SENDFILE = ""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    return client


@pytest.fixture
def visit_photo(city, people, bucket):
    home = resident_factories.household(city.grid_a1)
    visit = resident_services.visit_log(actor=people.worker, household=home, photos=[jpeg()])
    return visit.photos.get()


def _object(bucket, name: str) -> bytes:
    return bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read()


def test_a_visit_photo_is_stored_in_the_bucket_and_not_on_the_disk(visit_photo, bucket, settings):
    stored = _object(bucket, visit_photo.image.name)
    assert stored[:2] == b"\xff\xd8"  # the cleaned JPEG
    assert not (settings.MEDIA_ROOT / visit_photo.image.name).exists()
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=visit_photo.image.name)["Grants"]
    assert all(grant["Grantee"].get("URI") is None for grant in grants), "no public or group grant"


def test_the_checked_view_streams_the_photo_from_the_bucket(client, people, visit_photo, bucket):
    client.force_login(people.worker)
    response = client.get(visit_photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == _object(bucket, visit_photo.image.name)


def test_with_redirect_the_view_hands_out_a_signed_address_that_expires(
    client, people, visit_photo, bucket, settings, s3_endpoint
):
    settings.MEDIA_SENDFILE = "redirect"
    client.force_login(people.worker)
    response = client.get(visit_photo.get_absolute_url())
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    address = response["Location"]
    assert address.startswith(s3_endpoint)
    query = parse_qs(urlsplit(address).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    fetched = httpx.get(address)
    assert fetched.status_code == 200
    assert fetched.content == _object(bucket, visit_photo.image.name)
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.headers["content-disposition"] == "inline"


def test_an_outsider_gets_404_and_no_address(client, people, visit_photo, settings):
    settings.MEDIA_SENDFILE = "redirect"
    client.force_login(people.outsider)
    response = client.get(visit_photo.get_absolute_url())
    assert response.status_code == 404
    assert "Location" not in response
