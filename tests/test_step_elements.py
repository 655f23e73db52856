"""What every element list of steps 3 to 8 does: create, refuse bad input, keep strangers out.

Each step module owns its cases: VALID maps a list key to (fields for a valid new element,
model, lookup proving it was stored, text of its row); INVALID lists (list key, fields, field
the message sits next to, part of the message). The tests here run them all.
"""

from __future__ import annotations

import pytest

from designs.steps import STEPS
from tests import (
    test_step_api,
    test_step_database,
    test_step_deployment,
    test_step_performance,
    test_step_scalability,
    test_step_security,
)
from tests.step_helpers import create_url, field_error, new_data, step_url

STEP_MODULES = (
    test_step_api,
    test_step_database,
    test_step_security,
    test_step_performance,
    test_step_scalability,
    test_step_deployment,
)

VALID = [
    pytest.param(module.STEP, key, *case, id=f"{module.STEP}-{key}")
    for module in STEP_MODULES
    for key, case in module.VALID.items()
]

INVALID = [
    pytest.param(
        module.STEP,
        key,
        module.VALID[key][1],
        fields,
        field,
        message,
        id=f"{module.STEP}-{fields.__name__.lstrip('_')}",
    )
    for module in STEP_MODULES
    for key, fields, field, message in module.INVALID
]


@pytest.mark.parametrize(("step", "key", "fields", "model", "lookup", "text"), VALID)
def test_it_creates_an_element_and_redirects(owner_client, design, step, key, fields, model, lookup, text):
    response = owner_client.post(create_url(design, step, key), new_data(key, **fields(design)))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#list-{key}")
    assert model.objects.filter(design=design, **lookup).count() == 1


@pytest.mark.parametrize(("step", "key", "fields", "model", "lookup", "text"), VALID)
def test_it_returns_the_list_with_the_new_row_for_htmx(
    owner_client, design, htmx_headers, step, key, fields, model, lookup, text
):
    response = owner_client.post(create_url(design, step, key), new_data(key, **fields(design)), **htmx_headers)
    assert response.status_code == 200
    obj = model.objects.get(design=design, **lookup)
    content = response.content.decode()
    assert f'id="list-{key}"' in content
    assert f'id="row-{key}-{obj.pk}"' in content
    assert text in content
    assert "<html" not in content


@pytest.mark.parametrize(("step", "key", "model", "fields", "field", "message"), INVALID)
def test_it_refuses_bad_input_with_the_message_next_to_the_field(
    owner_client, design, step, key, model, fields, field, message
):
    data = new_data(key, **fields(design))
    before = model.objects.filter(design=design).count()
    response = owner_client.post(create_url(design, step, key), data)
    assert response.status_code == 200
    assert message in field_error(response.content.decode(), f"new-{key}-{field}")
    assert model.objects.filter(design=design).count() == before


@pytest.mark.parametrize("step", [step.key for step in STEPS])
def test_it_hides_the_step_from_a_stranger(stranger_client, design, step):
    assert stranger_client.get(step_url(design, step)).status_code == 404


@pytest.mark.parametrize(("step", "key", "fields", "model", "lookup", "text"), VALID)
def test_it_refuses_a_strangers_new_element(stranger_client, design, step, key, fields, model, lookup, text):
    data = new_data(key, **fields(design))
    before = model.objects.filter(design=design).count()
    response = stranger_client.post(create_url(design, step, key), data)
    assert response.status_code == 404
    assert model.objects.filter(design=design).count() == before
