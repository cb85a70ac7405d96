"""The project's URLs plus the SLA pages and a test API with the SLA router, so these
tests run before (and after) config/urls.py and config/api.py mount them."""

from django.urls import include, path
from ninja import NinjaAPI

from config import urls as project_urls
from consultdesk.accounts.api import API_AUTH
from consultdesk.sla.api import router

test_api = NinjaAPI(auth=API_AUTH, urls_namespace="sla_test_api")
test_api.add_router("/", router)

sla_mounted = any(getattr(p, "app_name", None) == "sla" for p in project_urls.urlpatterns)
sla_patterns = [] if sla_mounted else [path("sla/", include("consultdesk.sla.urls"))]

urlpatterns = [*sla_patterns, path("test-api/", test_api.urls), *project_urls.urlpatterns]
