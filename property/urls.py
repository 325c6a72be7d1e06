from django.urls import path

from property import renovation_views, views

app_name = "property"
urlpatterns = [
    path("", views.index, name="index"),
    path("compounds/new/", views.compound_new, name="compound_new"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("compounds/<int:pk>/edit/", views.compound_edit, name="compound_edit"),
    path("compounds/<int:pk>/sample/", views.compound_sample, name="compound_sample"),
    path("compounds/<int:pk>/inspect/", views.compound_inspect, name="compound_inspect"),
    path("inspections/<int:pk>/photo/", views.inspection_photo, name="inspection_photo"),
    path("firms/", views.firms, name="firms"),
    path("firms/new/", views.firm_new, name="firm_new"),
    path("firms/<int:pk>/", views.firm, name="firm"),
    path("firms/<int:pk>/edit/", views.firm_edit, name="firm_edit"),
    path("stars/", views.stars, name="stars"),
    path("stars/compute/", views.stars_compute, name="stars_compute"),
    path("stars/<int:pk>/", views.board, name="board"),
    path("stars/<int:pk>/publish/", views.board_publish, name="board_publish"),
    path("renovations/", renovation_views.renovations, name="renovations"),
    path("renovations/export.xlsx", renovation_views.renovations_export, name="renovations_export"),
    path("renovations/new/", renovation_views.renovation_new, name="renovation_new"),
    path("renovations/<int:pk>/", renovation_views.renovation, name="renovation"),
    path("renovations/<int:pk>/edit/", renovation_views.renovation_edit, name="renovation_edit"),
    path("renovations/<int:pk>/budget/", renovation_views.renovation_budget, name="renovation_budget"),
    path("renovations/<int:pk>/spending/", renovation_views.renovation_spending, name="renovation_spending"),
    path(
        "renovations/<int:pk>/milestone/", renovation_views.renovation_milestone, name="renovation_milestone"
    ),
    path("renovations/<int:pk>/survey/", renovation_views.renovation_survey, name="renovation_survey"),
    path("photos/<int:pk>/", renovation_views.photo, name="photo"),
    path("vouchers/<int:pk>/", renovation_views.voucher, name="voucher"),
]
