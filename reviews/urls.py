from __future__ import annotations

from django.urls import path

from . import finding_views, version_views, views

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
    path("designs/<slug:slug>/versions/", version_views.version_list, name="versions"),
    path("designs/<slug:slug>/versions/<int:number>/", version_views.version_page, name="version"),
    path(
        "designs/<slug:slug>/versions/<int:number>/export/<slug:fmt>",
        version_views.version_file,
        name="version-file",
    ),
    path("designs/<slug:slug>/versions/<int:number>/restore/", version_views.version_restore, name="version-restore"),
    path("designs/<slug:slug>/diff/", version_views.diff_page, name="diff"),
    path("designs/<slug:slug>/diff/<slug:name>.svg", version_views.diff_diagram, name="diff-diagram"),
    path("designs/<slug:slug>/reviews/", version_views.review_list, name="reviews"),
    path("designs/<slug:slug>/reviews/<int:pk>/", version_views.review_page, name="review"),
    path("designs/<slug:slug>/checks/dismiss/", finding_views.finding_dismiss, name="finding-dismiss"),
    path("designs/<slug:slug>/checks/reopen/", finding_views.finding_reopen, name="finding-reopen"),
    path("designs/<slug:slug>/checks/rules/", finding_views.rule_setting, name="rule-setting"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
