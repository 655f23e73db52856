from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("designs/<slug:slug>/steps/<slug:step_key>/comments/", views.step_comments, name="step-comments"),
    path(
        "designs/<slug:slug>/steps/<slug:step_key>/comments/<uuid:uid>/",
        views.element_comments,
        name="element-comments",
    ),
    path("designs/<slug:slug>/comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("designs/<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("designs/<slug:slug>/comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("designs/<slug:slug>/comments/<int:pk>/resolve/", views.comment_resolve, name="comment-resolve"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
