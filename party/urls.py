from django.urls import path

from party import views

app_name = "party"
urlpatterns = [
    path("", views.chain, name="chain"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("households/<int:pk>/chain/", views.household_chain, name="household_chain"),
    path("alliances/", views.board, name="board"),
    path("alliances/<int:pk>/", views.alliance, name="alliance"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("volunteer/", views.volunteer, name="volunteer"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("signups/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("signups/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("ranking/", views.ranking, name="ranking"),
    path("windows/", views.roster, name="roster"),
]
