from __future__ import annotations

from django.urls import reverse


def test_it_renders_every_step_for_the_owner(owner_client, design):
    from designs.steps import STEPS

    for step in STEPS:
        response = owner_client.get(reverse("designs:step", args=[design.slug, step.key]))
        assert response.status_code == 200
        assert step.title in response.content.decode()
