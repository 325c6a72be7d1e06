from django.urls import path

from exchange.api import OrderReceiveView, OrderStatusView

urlpatterns = [
    path("orders/", OrderReceiveView.as_view(), name="partner-orders"),
    path("orders/<str:order_no>/", OrderStatusView.as_view(), name="partner-order"),
]
