"""Mounted under /intake/: the callback URLs to enter in the WeCom, Customer Service and
Official Account consoles (no trailing slash: WeChat does not follow redirects)."""

from django.urls import path

from consultdesk.wechat import views

urlpatterns = [
    path("wecom", views.wecom_callback, name="wechat_wecom_callback"),
    path("wechat-kf", views.kf_callback, name="wechat_kf_callback"),
    path("official-account", views.official_account_callback, name="wechat_oa_callback"),
    path("wechat/reply/<int:pk>/", views.reply, name="wechat_reply"),
]
