from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    path("partners/", views.partners, name="partners"),
    path("partners/new/", views.partner_edit, name="partner_new"),
    path("partners/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/rotate/", views.partner_rotate, name="partner_rotate"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("orders/<int:pk>/return/", views.order_return, name="order_return"),
]
