from django.urls import path

from residents import chat_group_views, head_account_views, head_views, key_group_views, views

app_name = "residents"
urlpatterns = [
    path("", views.my_day, name="my_day"),
    path("head/", head_views.head_home, name="head_home"),
    path("head/households/<int:pk>/", head_views.head_household, name="head_household"),
    path("head/seen/<int:pk>/", head_views.head_seen, name="head_seen"),
    path("settings/key-groups/", key_group_views.key_group_list, name="settings_key_groups"),
    path("settings/key-groups/<int:pk>/", key_group_views.key_group_edit, name="settings_key_group"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("households/<int:pk>/residents/new/", views.resident_new, name="resident_new"),
    path("households/<int:pk>/key-people/new/", views.membership_new, name="membership_new"),
    path("visit/", views.visit_pick, name="visit_pick"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("people/", views.resident_search, name="resident_search"),
    path("people/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.register_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("roster/", views.roster_home, name="roster_home"),
    path("roster/<int:pk>/", views.roster, name="roster"),
    path("grids/<int:pk>/groups/", chat_group_views.grid_groups, name="chat_groups"),
    path("grids/<int:pk>/heads/", head_account_views.grid_heads, name="grid_heads"),
    path("head-accounts/<int:pk>/end/", head_account_views.head_account_end, name="head_account_end"),
    path("groups/<int:pk>/", chat_group_views.group_edit, name="chat_group_edit"),
    path("groups/<int:pk>/test/", chat_group_views.group_test, name="chat_group_test"),
]
