"""The Party API under /api/v1/party/: thin serializers and viewsets over party.selectors and
party.services, one module per sub-domain. Every list is scoped; an object outside the caller's
scope answers 404. portal/urls.py registers the routes with `register_routes`."""

from party.api.alliances import AllianceViewSet, InServiceViewSet, ProjectViewSet, UnitViewSet
from party.api.chain import ChainViewSet, MemberViewSet, OrganizationViewSet
from party.api.lectures import LectureViewSet
from party.api.time_bank import (
    ActivityViewSet,
    LedgerViewSet,
    RankingViewSet,
    RewardViewSet,
    SignUpViewSet,
    VolunteerViewSet,
)
from party.api.windows import (
    ServiceItemViewSet,
    ShiftViewSet,
    SocialWorkerViewSet,
    WindowServiceViewSet,
    WindowViewSet,
)

ROUTES = [
    ("party/organizations", OrganizationViewSet, "party-organization"),
    ("party/chain", ChainViewSet, "party-chain"),
    ("party/members", MemberViewSet, "party-member"),
    ("party/alliances", AllianceViewSet, "party-alliance"),
    ("party/units", UnitViewSet, "party-unit"),
    ("party/in-service-members", InServiceViewSet, "party-inservice"),
    ("party/projects", ProjectViewSet, "party-project"),
    ("party/activities", ActivityViewSet, "party-activity"),
    ("party/signups", SignUpViewSet, "party-signup"),
    ("party/volunteers", VolunteerViewSet, "party-volunteer"),
    ("party/rewards", RewardViewSet, "party-reward"),
    ("party/ledger", LedgerViewSet, "party-ledger"),
    ("party/ranking", RankingViewSet, "party-ranking"),
    ("party/service-items", ServiceItemViewSet, "party-service-item"),
    ("party/windows", WindowViewSet, "party-window"),
    ("party/shifts", ShiftViewSet, "party-shift"),
    ("party/social-workers", SocialWorkerViewSet, "party-social-worker"),
    ("party/lectures", LectureViewSet, "party-lecture"),
    ("party/window-services", WindowServiceViewSet, "party-window-service"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
