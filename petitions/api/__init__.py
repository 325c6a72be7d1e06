"""Petitions API, by audience: `public` (residents, no account), `staff` (scoped petitions and
their transitions), `categories`, `whistles` (and check-ins), `notifications` (the inbox).

The viewsets are re-exported here for the router in portal.urls.
"""

from petitions.api.categories import CategoryViewSet
from petitions.api.notifications import NotificationViewSet
from petitions.api.public import PublicBuildingViewSet, PublicPetitionViewSet, PublicThrottle
from petitions.api.staff import PetitionViewSet
from petitions.api.whistles import CheckInViewSet, WhistleViewSet

__all__ = [
    "CategoryViewSet",
    "CheckInViewSet",
    "NotificationViewSet",
    "PetitionViewSet",
    "PublicBuildingViewSet",
    "PublicPetitionViewSet",
    "PublicThrottle",
    "WhistleViewSet",
]
