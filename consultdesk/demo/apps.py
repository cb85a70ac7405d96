from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "consultdesk.demo"
    label = "demo"
    verbose_name = "Demo data"
