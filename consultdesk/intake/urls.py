from django.urls import path

from consultdesk.intake import views

urlpatterns = [
    path("form/", views.web_inquiry, name="web_inquiry"),
    path("form/thanks/<str:reference>/", views.web_inquiry_thanks, name="web_inquiry_thanks"),
    path("quick/", views.quick_entry, name="intake_quick_entry"),
    path("unprocessed/", views.unprocessed, name="intake_unprocessed"),
    path("unprocessed/<int:pk>/retry/", views.retry, name="intake_retry"),
]
