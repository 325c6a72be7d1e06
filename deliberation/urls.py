from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/<str:verb>/", views.meeting_act, name="meeting_act"),
    path("votes/<int:pk>/", views.vote, name="vote"),
    path("votes/<int:pk>/<str:verb>/", views.vote_act, name="vote_act"),
    path("resolutions/<int:pk>/", views.resolution, name="resolution"),
    path("public/new/", views.public_new, name="public_new"),
    path("public/track/", views.public_lookup, name="public_lookup"),
    path("public/track/<str:code>/", views.public_topic, name="public_topic"),
    path("public/track/<str:code>/vote/", views.public_vote, name="public_vote"),
    path("public/board/<int:node_id>/", views.public_board, name="public_board"),
]
