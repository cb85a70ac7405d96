from django.urls import path

from consultdesk.intake import views

urlpatterns = [
    path("form/", views.web_inquiry, name="web_inquiry"),
    path("form/thanks/<str:reference>/", views.web_inquiry_thanks, name="web_inquiry_thanks"),
    path("quick/", views.quick_entry, name="intake_quick_entry"),
    path("unprocessed/", views.unprocessed, name="intake_unprocessed"),
    path("import/", views.import_upload, name="intake_import"),
    path("import/<int:pk>/", views.import_preview, name="intake_import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="intake_import_confirm"),
    path("unprocessed/<int:pk>/retry/", views.retry, name="intake_retry"),
]
