from __future__ import annotations

from django.urls import path

from . import views, views_invitations, views_read

app_name = "designs"

element = "<slug:slug>/steps/<slug:step_key>/<slug:element_key>"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.design_create, name="create"),
    path("import/", views.design_import, name="import"),
    path("invitations/<int:pk>/", views_invitations.invitation, name="invitation"),
    path("invitations/<int:pk>/accept/", views_invitations.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", views_invitations.invitation_decline, name="invitation-decline"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/edit/", views.design_edit, name="edit"),
    path("<slug:slug>/completeness/", views.completeness, name="completeness"),
    path("<slug:slug>/duplicate/", views.design_duplicate, name="duplicate"),
    path("<slug:slug>/export.json", views.design_export_json, name="export-json"),
    path("<slug:slug>/archive/", views.design_archive, name="archive"),
    path("<slug:slug>/delete/", views.design_delete, name="delete"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/invite/", views.member_invite, name="member-invite"),
    path("<slug:slug>/members/<int:member_pk>/role/", views.member_role, name="member-role"),
    path("<slug:slug>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "<slug:slug>/members/invitations/<int:invitation_pk>/cancel/",
        views.member_invitation_cancel,
        name="member-invitation-cancel",
    ),
    path("<slug:slug>/activity/", views.activity, name="activity"),
    path("<slug:slug>/steps/<slug:step_key>/", views.step_page, name="step"),
    path("<slug:slug>/steps/<slug:step_key>/sections/<slug:section_key>/", views.section_save, name="section"),
    path(f"{element}/", views.element_list, name="element-list"),
    path(f"{element}/new/", views.element_create, name="element-create"),
    path(f"{element}/<int:pk>/", views.element_row, name="element-row"),
    path(f"{element}/<int:pk>/view/", views_read.element_detail_view, name="element-detail"),
    path(f"{element}/<int:pk>/edit/", views.element_edit, name="element-edit"),
    path(f"{element}/<int:pk>/delete/", views.element_delete, name="element-delete"),
]
