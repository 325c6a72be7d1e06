from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.node, name="node"),
    path("<int:pk>/wall/", views.wall, name="wall"),
    path("<int:pk>/children.xlsx", views.export_children, name="export"),
]
