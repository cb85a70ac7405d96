from django.contrib import admin

from consultdesk.wechat.models import KfCursor, KfCustomer, WeComMember


@admin.register(KfCursor)
class KfCursorAdmin(admin.ModelAdmin):
    list_display = ("open_kfid", "last_success_at", "failures", "last_failure_at")
    readonly_fields = ("cursor", "callback_token", "callback_token_at", "updated_at")
    search_fields = ("open_kfid",)


@admin.register(KfCustomer)
class KfCustomerAdmin(admin.ModelAdmin):
    list_display = ("external_userid", "open_kfid", "scene", "scene_param", "first_seen_at")
    search_fields = ("external_userid", "scene_param")


@admin.register(WeComMember)
class WeComMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "userid")
    search_fields = ("user__username", "userid")
