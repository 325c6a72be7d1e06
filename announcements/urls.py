from django.urls import path

from announcements import head_views, views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_new, name="new"),
    path("head/relay/", head_views.relay, name="head_relay"),
    path("<int:pk>/edit/", views.announcement_edit, name="edit"),
    path("<int:pk>/withdraw/", views.announcement_withdraw, name="withdraw"),
    path("<int:pk>/photo/", views.announcement_photo, name="photo"),
]
