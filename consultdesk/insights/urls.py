from django.urls import path

from consultdesk.insights import views

urlpatterns = [
    path(
        "<int:pk>/findings/<int:finding_pk>/",
        views.finding_status,
        name="finding_status",
    ),
    path("<int:pk>/suggestions/<str:field>/", views.suggestion_use, name="suggestion_use"),
]
