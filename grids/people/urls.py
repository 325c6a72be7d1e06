"""The people pages, included under /grids/people/ in the grids namespace."""

from django.urls import path

from grids.people import views

urlpatterns = [
    path("", views.staff_list, name="people_list"),
    path("export.xlsx", views.staff_export, name="people_export"),
    path("new/", views.account_new, name="people_new"),
    path("import/", views.staff_import, name="people_import"),
    path("import/template.xlsx", views.staff_import_template, name="people_import_template"),
    path("<int:pk>/", views.account_detail, name="people_detail"),
    path("<int:pk>/grant/", views.post_grant, name="people_grant"),
    path("<int:pk>/deactivate/", views.account_deactivate, name="people_deactivate"),
    path("<int:pk>/activate/", views.account_activate, name="people_activate"),
    path("<int:pk>/reset-password/", views.account_reset_password, name="people_reset_password"),
    path("posts/<int:pk>/move/", views.post_move, name="people_post_move"),
    path("posts/<int:pk>/end/", views.post_end, name="people_post_end"),
]
