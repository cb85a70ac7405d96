from django.urls import path

from consultdesk.consultations import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/counts/", views.inbox_counts, name="inbox_counts"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/record/", views.record_update, name="record_update"),
    path("consultations/<int:pk>/stage/", views.transition, name="consultation_transition"),
    path("consultations/<int:pk>/assign/", views.assign, name="consultation_assign"),
    path("consultations/<int:pk>/messages/", views.message_create, name="message_create"),
    path("consultations/<int:pk>/share/", views.share, name="consultation_share"),
    path("consultations/<int:pk>/tags/", views.tags_update, name="consultation_tags"),
    path("consultations/<int:pk>/merge/", views.merge, name="consultation_merge"),
    path(
        "consultations/<int:pk>/contacts/<int:contact_pk>/link/",
        views.contact_link,
        name="contact_link",
    ),
    path(
        "consultations/<int:pk>/messages/<int:message_pk>/split/",
        views.split,
        name="message_split",
    ),
]
