"""Helpers for the comment, mention and notification tests."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from designs import models as m
from designs import services
from tests.conftest import make_user

XHTML = "{http://www.w3.org/1999/xhtml}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(design: m.Design, username: str, role: str) -> tuple:
    user = make_user(username)
    m.Membership.objects.create(design=design, user=user, role=role)
    return user, client_for(user)


def component(design: m.Design, name: str = "Orders", **values) -> m.Component:
    with services.editing(design):
        return m.Component.objects.create(design=design, name=name, kind=values.pop("kind", "service"), **values)


def step_comments_url(design: m.Design, step: str = "architecture") -> str:
    return reverse("reviews:step-comments", args=[design.slug, step])


def element_comments_url(design: m.Design, element, step: str = "architecture") -> str:
    return reverse("reviews:element-comments", args=[design.slug, step, element.uid])


def action_url(design: m.Design, action: str, pk: int) -> str:
    return reverse(f"reviews:comment-{action}", args=[design.slug, pk])
