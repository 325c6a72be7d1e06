from django.urls import path, re_path

from open311 import api, views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    path("settings/", views.settings_clients, name="settings_clients"),
    re_path(r"^discovery" + FMT, api.DiscoveryView.as_view(), name="discovery"),
    path("v2/", api.NoSuchResourceView.as_view(), name="root"),
    re_path(r"^v2/services" + FMT, api.ServiceListView.as_view(), name="services"),
    re_path(
        r"^v2/services/(?P<service_code>[^/]{1,32})" + FMT,
        api.ServiceDefinitionView.as_view(),
        name="service",
    ),
    re_path(r"^v2/requests" + FMT, api.RequestsView.as_view(), name="requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>\d{1,20})" + FMT, api.RequestView.as_view(), name="request"
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,64})" + FMT, api.TokenView.as_view(), name="token"),
    re_path(r"^(?P<rest>(discovery|v2/).*?)(?:\.(?P<fmt>json|xml))?$", api.NoSuchResourceView.as_view()),
]
