from django.urls import path

from consultdesk.sla import views

app_name = "sla"

urlpatterns = [
    path("breaches/", views.breach_list, name="breaches"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
]
