from django.urls import path

from exchange.api import OrderReceiveView

urlpatterns = [path("orders/", OrderReceiveView.as_view(), name="partner-orders")]
