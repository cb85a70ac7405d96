from django.urls import path

from consultdesk.consultations import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/record/", views.record_update, name="record_update"),
    path("consultations/<int:pk>/stage/", views.transition, name="consultation_transition"),
    path("consultations/<int:pk>/assign/", views.assign, name="consultation_assign"),
    path("consultations/<int:pk>/messages/", views.message_create, name="message_create"),
]
