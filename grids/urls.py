from django.urls import include, path

from grids import views

app_name = "grids"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.node, name="node"),
    path("people/", include("grids.people.urls")),  # pages:people
]
