from django.urls import path

from mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("reports/", views.reports, name="reports"),
    path("notices/read/", views.notices_read, name="notices_read"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/parties/<int:party>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
