from django.urls import path

from hlgrid.notifier import views

urlpatterns = [
    path("stop/<str:token>/", views.stop, name="notify_stop"),
]
