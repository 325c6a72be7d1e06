from django.urls import path

from evaluation import department_views, scheme_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/schemes/", scheme_views.scheme_list, name="settings_schemes"),
    path("settings/schemes/<int:pk>/", scheme_views.scheme_edit, name="settings_scheme"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("periods/<int:pk>/<str:action>/", views.period_action, name="period-action"),
    path("periods/<int:pk>/inspect", views.inspect, name="inspect"),
    path("periods/<int:pk>/report", views.report, name="report"),
    path("periods/<int:pk>/report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("results/<int:pk>/", views.assessment, name="assessment"),
    path("results/<int:pk>/lines/<slug:code>/", views.line_evidence, name="evidence"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("mine/", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("stars/", views.stars, name="stars"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/decide", views.appeal_decide, name="appeal-decide"),
    path("trends/", views.trends, name="trends"),
    path("trends.xlsx", views.trends_xlsx, name="trends-xlsx"),
    path("workers/<int:user_id>/", views.worker_trend, name="worker-trend"),
    path("departments/", department_views.league, name="departments"),
    path("departments/petitions/", department_views.petitions, name="department-petitions"),
    path("departments/ratings/", department_views.ratings, name="department-ratings"),
    path("departments/publish", department_views.publish, name="department-publish"),
    path("departments/board/", department_views.boards, name="department-boards"),
    path("departments/board/<int:pk>/", department_views.board, name="department-board"),
]
