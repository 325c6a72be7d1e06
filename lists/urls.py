from django.urls import path

from lists import views

app_name = "lists"
urlpatterns = [
    path("", views.needs, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/<slug:action>/", views.need_action, name="need_action"),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", views.resource, name="resource"),
    path("projects/", views.projects, name="projects"),
    path("duties/", views.responsibilities, name="responsibilities"),
    path("duties/<int:pk>/remove/", views.responsibility_remove, name="responsibility_remove"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/<int:pk>/", views.wish, name="wish"),
    path("wishes/<int:pk>/photo/", views.wish_photo, name="wish_photo"),
    path("wishes/<int:pk>/<slug:action>/", views.wish_action, name="wish_action"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("organisations/", views.organizations, name="organizations"),
    path("organisations/new/", views.organization_new, name="organization_new"),
    path("organisations/<int:pk>/", views.organization, name="organization"),
    path("member/", views.member_board, name="member_board"),
    path("member/wishes/<int:pk>/", views.member_wish, name="member_wish"),
    path("member/wishes/<int:pk>/claim/", views.member_claim_wish, name="member_claim_wish"),
    path("member/wishes/<int:pk>/fulfil/", views.member_fulfil_wish, name="member_fulfil_wish"),
    path("member/needs/<int:pk>/claim/", views.member_claim_need, name="member_claim_need"),
    path("confirm/", views.confirm, name="confirm"),
    path("confirm/<str:code>/photo/", views.confirm_photo, name="confirm_photo"),
]
