from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.node, name="node"),
    path("<int:pk>/edit-map/", views.edit_map, name="edit_map"),
    path("<int:pk>/structure/", views.structure, name="structure"),
    path("<int:pk>/geojson", views.geojson, name="geojson"),
]
