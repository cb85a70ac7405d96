from django.urls import path

from consultdesk.conversations import portal, views

CASE = "consultations/<int:pk>/"

urlpatterns = [
    path(f"{CASE}checklist/", views.checklist, name="checklist"),
    path(f"{CASE}checklist/print/", views.checklist_print, name="checklist_print"),
    path(f"{CASE}checklist/generate/", views.checklist_generate, name="checklist_generate"),
    path(f"{CASE}checklist/add/", views.question_add, name="question_add"),
    path(f"{CASE}checklist/<int:question_pk>/", views.question_update, name="question_update"),
    path(f"{CASE}checklist/<int:question_pk>/move/", views.question_move, name="question_move"),
    path(
        f"{CASE}checklist/<int:question_pk>/remove/",
        views.question_remove,
        name="question_remove",
    ),
    path(f"{CASE}meetings/", views.meeting_new, name="meeting_new"),
    path(f"{CASE}meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path(f"{CASE}meetings/<int:meeting_pk>/entries/", views.meeting_entry, name="meeting_entry"),
    path(
        f"{CASE}meetings/<int:meeting_pk>/entries/<str:key>/delete/",
        views.meeting_entry_delete,
        name="meeting_entry_delete",
    ),
    path(
        f"{CASE}meetings/<int:meeting_pk>/offline.js",
        views.meeting_offline_worker,
        name="meeting_offline_worker",
    ),
    path(f"{CASE}meetings/<int:meeting_pk>/end/", views.meeting_end, name="meeting_end"),
    path(f"{CASE}summary/", views.summary_editor, name="summary_editor"),
    path(f"{CASE}summary/draft/", views.summary_draft, name="summary_draft"),
    path(f"{CASE}summary/diff/", views.summary_diff, name="summary_diff"),
    path(f"{CASE}summary/<int:number>/", views.summary_version, name="summary_version"),
    path(f"{CASE}summary/<int:number>/send/", views.summary_send, name="summary_send"),
    path(
        f"{CASE}summary/<int:number>/export.<str:format>",
        views.summary_export,
        name="summary_export",
    ),
    path("p/<str:token>/", portal.portal_summary, name="portal_summary"),
    path("p/<str:token>/seen/", portal.portal_seen, name="portal_seen"),
    path("p/<str:token>/confirm/", portal.portal_confirm, name="portal_confirm"),
    path("p/<str:token>/changes/", portal.portal_changes, name="portal_changes"),
]
