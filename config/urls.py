from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from config.api import api
from consultdesk.web import views as web_views


def _api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API answers 401 itself (bearer token or session), so the login redirect is off."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns, app_name, namespace


urlpatterns = [
    path("", web_views.home, name="home"),
    path("health", web_views.health, name="health"),
    path("dashboard/", web_views.dashboard, name="dashboard"),
    path("language", web_views.language_set, name="language_set"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", _api_urls()),
    path("", include("consultdesk.consultations.urls")),
    path("consultations/", include("consultdesk.insights.urls")),
    path("", include("consultdesk.conversations.urls")),
    path("clients/", include("consultdesk.clients.urls")),
    path("intake/", include("consultdesk.intake.urls")),
    path("sla/", include("consultdesk.sla.urls")),
    path("intake/", include("consultdesk.wechat.urls")),
]

handler404 = "consultdesk.web.views.error_404"
handler500 = "consultdesk.web.views.error_500"
