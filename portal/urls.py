from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from grids.api import GridNodeViewSet
from grids.department_api import DepartmentViewSet
from hlgrid import passwords, pwa
from hlgrid.api import Router
from portal import api, deliberation_links, deliveries, mediation_links, public, settings_views, views
from portal.public_api import PublicGridCardView  # api:front

router = Router()  # a malformed id in any API URL is a 404 (hlgrid.api.Router)
router.register("grids", GridNodeViewSet, basename="grid")
router.register("departments", DepartmentViewSet, basename="department")
from grids.people.api import register_routes as people_routes  # noqa: E402  # api:people

people_routes(router)  # api:people
from residents import api as residents_api  # api:residents  # noqa: E402

router.register("buildings", residents_api.BuildingViewSet, basename="building")  # api:residents
router.register("units", residents_api.UnitViewSet, basename="unit")  # api:residents
router.register("households", residents_api.HouseholdViewSet, basename="household")  # api:residents
router.register("residents", residents_api.ResidentViewSet, basename="resident")  # api:residents
from residents.key_group_api import KeyGroupViewSet  # noqa: E402  # api:residents

router.register("key-groups", KeyGroupViewSet, basename="key-group")  # api:residents
router.register("key-memberships", residents_api.KeyMembershipViewSet, basename="membership")  # api:residents
router.register("visits", residents_api.VisitViewSet, basename="visit")  # api:residents
router.register("coverage", residents_api.CoverageViewSet, basename="coverage")  # api:residents
from residents import head_api as heads_api  # noqa: E402  # api:residents

router.register("heads/units", heads_api.HeadUnitViewSet, basename="head-unit")  # api:residents
router.register(
    "heads/households", heads_api.HeadHouseholdViewSet, basename="head-household"
)  # api:residents
router.register(
    "heads/key-people", heads_api.HeadKeyPersonViewSet, basename="head-key-person"
)  # api:residents
from petitions.head_api import HeadPetitionViewSet  # noqa: E402  # api:petitions

router.register("heads/petitions", HeadPetitionViewSet, "head-petition")  # api:petitions
from announcements.head_api import HeadRelayViewSet  # noqa: E402  # api:announcements

router.register("heads/relays", HeadRelayViewSet, "head-relay")  # api:announcements
from petitions import api as pet_api  # api:petitions  # noqa: E402

router.register("public/petitions", pet_api.PublicPetitionViewSet, "public-petition")  # api:petitions
router.register("public/buildings", pet_api.PublicBuildingViewSet, "public-building")  # api:petitions
router.register("petitions", pet_api.PetitionViewSet, "petition")  # api:petitions
router.register("petition-categories", pet_api.CategoryViewSet, "petition-category")  # api:petitions
router.register("whistles", pet_api.WhistleViewSet, "whistle")  # api:petitions
router.register("checkins", pet_api.CheckInViewSet, "checkin")  # api:petitions
router.register("notifications", pet_api.NotificationViewSet, "notification")  # api:petitions
from evaluation import api as ev_api  # api:evaluation  # noqa: E402

router.register("evaluation/periods", ev_api.PeriodViewSet, "evaluation-period")  # api:evaluation
router.register("evaluation/inspections", ev_api.InspectionViewSet, "evaluation-inspection")  # api:evaluation
router.register("evaluation/assessments", ev_api.AssessmentViewSet, "evaluation-assessment")  # api:evaluation
router.register("evaluation/appeals", ev_api.AppealViewSet, "evaluation-appeal")  # api:evaluation
router.register("evaluation/payments", ev_api.PaymentViewSet, "evaluation-payment")  # api:evaluation
router.register("evaluation/stars", ev_api.StarBoardViewSet, "evaluation-stars")  # api:evaluation
from evaluation.scheme_api import SchemeViewSet  # noqa: E402  # api:evaluation

router.register("evaluation/schemes", SchemeViewSet, "evaluation-scheme")  # api:evaluation
from evaluation.department_api import ROUTES as ev_department_routes  # noqa: E402  # api:evaluation

for _prefix, _viewset, _basename in ev_department_routes:  # api:evaluation
    router.register(_prefix, _viewset, _basename)  # api:evaluation
from party.api import register_routes as party_routes  # noqa: E402  # api:party

party_routes(router)
from mediation.api import register_routes as mediation_routes  # noqa: E402  # api:mediation

mediation_routes(router)
from property.api import register_routes as property_routes  # noqa: E402  # api:property

property_routes(router)  # api:property
from lists.api import register_routes as lists_routes  # noqa: E402  # api:lists

lists_routes(router)  # api:lists
from deliberation.api import register_routes as deliberation_routes  # noqa: E402  # api:deliberation

deliberation_routes(router)
from announcements.api import register_routes as announcement_routes  # noqa: E402  # api:announcements

announcement_routes(router)  # api:announcements
from supervision.api import register_routes as supervision_routes  # noqa: E402  # api:supervision

supervision_routes(router)  # api:supervision
# api:dashboards
from bulletins.api import register_routes as bulletin_routes  # noqa: E402  # api:bulletins

bulletin_routes(router)  # api:bulletins
from portal.calendar_api import CalendarDayViewSet  # noqa: E402  # api:settings

router.register("calendar-days", CalendarDayViewSet, basename="calendar-day")  # api:settings

api_urls = [
    path("auth/token/", api.TokenLoginView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("heads/me/", heads_api.HeadAccountView.as_view(), name="head-me"),  # api:residents
    path("dashboard/", include("dashboards.api_urls")),  # api:dashboards
    path("partner/12345/", include("exchange.api_urls")),  # api:exchange
    path("public/grid-card/", PublicGridCardView.as_view(), name="public-grid-card"),  # api:front
    path("", include(router.urls)),
]

# Under /api/ the answers of Django itself (no route, a body too large, a crash) are JSON too...
handler400 = "hlgrid.errors.bad_request"
handler404 = "hlgrid.errors.page_not_found"
# ...and elsewhere the site's own pages (templates/403.html, 404.html, 500.html).
handler403 = "hlgrid.errors.permission_denied"
handler500 = "hlgrid.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_posts, name="my_posts"),
    path("my-grid/", public.my_grid, name="my_grid"),  # pages:front
    path("news/", public.news, name="news"),  # pages:front
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", pwa.service_worker, name="service_worker"),  # pages:pwa
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),  # pages:pwa
    path("outbox/", pwa.outbox, name="outbox"),  # pages:pwa
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", passwords.ChangePasswordView.as_view(), name="password_change"),
    path("accounts/password/done/", passwords.password_change_done, name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("n/", include("hlgrid.notifier.urls")),  # pages:notify (the SMS opt-out link)
    path("settings/", settings_views.settings_hub, name="settings"),  # pages:settings
    path("settings/calendar/", settings_views.calendar_today, name="settings_calendar"),  # pages:settings
    path(
        "settings/calendar/<int:year>/", settings_views.calendar_year, name="settings_calendar_year"
    ),  # pages:settings
    path("settings/messages/", deliveries.deliveries, name="settings_deliveries"),  # pages:settings
    path(
        "settings/messages/<int:pk>/resend/", deliveries.delivery_resend, name="settings_delivery_resend"
    ),  # pages:settings
    path("grids/", include("grids.urls")),
    path("residents/", include("residents.urls")),  # pages:residents
    path("petitions/", include("petitions.urls")),  # pages:petitions
    path("evaluation/", include("evaluation.urls")),  # pages:evaluation
    path("party/", include("party.urls")),  # pages:party
    path("mediation/from-petition/<int:pk>/", mediation_links.from_petition, name="mediation_from_petition"),
    path("mediation/", include("mediation.urls")),  # pages:mediation
    path("property/", include("property.urls")),  # pages:property
    path("lists/", include("lists.urls")),  # pages:lists
    path(
        "deliberation/from-petition/<int:pk>/",
        deliberation_links.topic_from_petition,
        name="deliberation_from_petition",
    ),  # pages:deliberation
    path("deliberation/", include("deliberation.urls")),  # pages:deliberation
    path("dashboards/", include("dashboards.urls")),  # pages:dashboards
    path("bulletins/", include("bulletins.urls")),  # pages:bulletins
    path("exchange/", include("exchange.urls")),  # pages:exchange
    path("open311/", include("open311.urls")),  # pages:open311 (GeoReport v2 and its settings page)
    path("announcements/", include("announcements.urls")),  # pages:announcements
    path("supervision/", include("supervision.urls")),  # pages:supervision
    path("api/v1/", include((api_urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its init script as a file (the CSP refuses inline script).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# No open /media/: uploads are personal data and leave only through each app's checked view
# (hlgrid.media), in development as in production.
