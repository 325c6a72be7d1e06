from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.issue, name="issue"),
    path("<int:pk>/", views.order, name="order"),
    path("cases/", views.cases, name="cases"),
    path("cases/review/", views.cases_review, name="cases_review"),
]
