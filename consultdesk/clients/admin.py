from django.contrib import admin

from consultdesk.clients.models import Client, Contact


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "size", "technical_level", "created_at")
    list_filter = ("industry", "size", "technical_level")
    search_fields = ("name",)
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "role", "phone", "email")
    list_filter = ("role",)
    search_fields = ("name", "phone", "email", "wechat_id", "wecom_id")
    list_select_related = ("client",)
    raw_id_fields = ("client",)
