from django.urls import include, path

from grids import card_views, department_views, views

app_name = "grids"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.node, name="node"),
    path("people/", include("grids.people.urls")),  # pages:people
    path("departments/", department_views.department_list, name="departments"),
    path("departments/<int:pk>/", department_views.department_edit, name="department"),
    path("<int:pk>/edit-map/", views.edit_map, name="edit_map"),
    path("<int:pk>/structure/", views.structure, name="structure"),
    path("<int:pk>/geojson", views.geojson, name="geojson"),
    path("<int:pk>/card/", card_views.grid_card, name="card"),  # 联心卡 of one grid
    path("<int:pk>/cards/", card_views.grid_cards, name="cards"),  # every card of a subtree
]
