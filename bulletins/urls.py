from django.urls import path

from bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("generate/", views.generate, name="generate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bulletin.pdf", views.pdf, name="pdf"),
    path("<int:pk>/bulletin.xlsx", views.workbook, name="xlsx"),
]
