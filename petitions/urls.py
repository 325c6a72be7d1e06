from django.urls import path

from petitions import head_views, intake_views, public_views, views

app_name = "petitions"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("intake/", intake_views.intake, name="intake"),
    path("head/report/", head_views.head_report, name="head_report"),
    path("intake/buildings/", intake_views.intake_buildings, name="intake_buildings"),
    path("report/", public_views.report, name="report"),
    path("report/join/", public_views.report_join, name="report_join"),
    path("track/", public_views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", public_views.track, name="track"),
    path("track/<str:code>/photos/<int:pk>/", public_views.track_photo, name="track_photo"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
    path("from-visit/<int:visit_id>/", views.from_visit, name="from_visit"),
    path("settings/categories/", views.settings_categories, name="settings_categories"),
    path("settings/categories/new/", views.settings_category, name="settings_category_new"),
    path("settings/categories/<int:pk>/", views.settings_category, name="settings_category"),
    path("whistles/", views.whistle_board, name="whistles"),
    path("whistles/new/", views.whistle_new, name="whistle_new"),
    path("whistles/<int:pk>/", views.whistle_detail, name="whistle"),
    path("checkins/<int:pk>/<str:verb>/", views.checkin_act, name="checkin_act"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:verb>/", views.act, name="act"),
    path("<int:pk>/contact/", views.contact, name="contact"),
]
