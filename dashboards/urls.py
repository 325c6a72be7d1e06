from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.node, name="node"),
    path("<int:pk>/wall/", views.wall, name="wall"),
    path("<int:pk>/history/", views.history_page, name="history"),
    path("<int:pk>/hotspots/", views.hotspots_page, name="hotspots"),
    path("<int:pk>/targeted/", views.targeted_page, name="targeted"),
    path("<int:pk>/children.xlsx", views.export_children, name="export"),
]
