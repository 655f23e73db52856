"""Model rules: database constraints that hold without forms, codes numbered on save."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from designs import services
from designs.forms import element_form_class
from designs.models import (
    Component,
    Design,
    FunctionalRequirement,
    Interaction,
    Membership,
    NonFunctionalRequirement,
    Role,
    TechnologyDecision,
)
from designs.steps import get_step

# ---------------------------------------------------------------- database constraints


def test_it_refuses_two_components_with_the_same_name_in_any_case(design):
    Component.objects.create(design=design, name="Orders", kind="service")
    with pytest.raises(IntegrityError, match="component_unique_name_per_design"), transaction.atomic():
        Component.objects.create(design=design, name="ORDERS", kind="worker")
    assert Component.objects.count() == 1


def test_it_allows_the_same_component_name_in_two_designs(design, owner):
    other = services.design_create(name="Other", summary="", owner=owner)
    Component.objects.create(design=design, name="Orders", kind="service")
    Component.objects.create(design=other, name="Orders", kind="service")
    assert Component.objects.filter(name="Orders").count() == 2


def test_it_refuses_an_interaction_to_itself_in_the_database(design):
    api = Component.objects.create(design=design, name="API", kind="service")
    with pytest.raises(IntegrityError, match="interaction_not_to_itself"), transaction.atomic():
        Interaction.objects.create(design=design, source=api, target=api)
    assert not Interaction.objects.exists()


def test_it_refuses_a_second_membership_of_one_user(design, owner):
    with pytest.raises(IntegrityError, match="one_membership_per_user"), transaction.atomic():
        Membership.objects.create(design=design, user=owner, role=Role.VIEWER)
    assert list(Membership.objects.values_list("role", flat=True)) == [Role.OWNER]


def test_it_refuses_duplicate_fr_codes_in_any_case(design):
    FunctionalRequirement.objects.create(design=design, code="FR-1", title="Pay")
    with pytest.raises(IntegrityError), transaction.atomic():
        FunctionalRequirement.objects.create(design=design, code="fr-1", title="Refund")


# ---------------------------------------------------------------- model validation


def test_it_refuses_an_interaction_to_itself_in_clean(design):
    api = Component.objects.create(design=design, name="API", kind="service")
    with pytest.raises(ValidationError) as caught:
        Interaction(design=design, source=api, target=api).full_clean()
    assert "A component cannot interact with itself" in str(caught.value.message_dict["target"])


def test_it_refuses_a_reference_to_another_designs_element_in_clean(design, owner):
    other = services.design_create(name="Other", summary="", owner=owner)
    mine = Component.objects.create(design=design, name="API", kind="service")
    theirs = Component.objects.create(design=other, name="DB", kind="database")
    with pytest.raises(ValidationError) as caught:
        Interaction(design=design, source=theirs, target=mine).full_clean()
    assert caught.value.message_dict["source"] == ["Choose an element of this design."]


def test_it_refuses_a_partial_nfr_target_in_clean(design):
    nfr = NonFunctionalRequirement(
        design=design,
        code="NFR-1",
        category="performance",
        title="Fast",
        metric="p99 latency",
        comparator="<=",
        unit="ms",
    )
    with pytest.raises(ValidationError) as caught:
        nfr.full_clean()
    assert set(caught.value.message_dict) == {"target_value"}


def test_it_displays_a_complete_nfr_target(design):
    from decimal import Decimal

    nfr = NonFunctionalRequirement(
        design=design, metric="availability", comparator=">=", target_value=Decimal("99.9500"), unit="%"
    )
    assert nfr.target_display == "availability ≥ 99.95 %"


# ---------------------------------------------------------------- code numbering


def _save(design: Design, list_key: str, step_key: str, **data):
    spec = get_step(step_key).element(list_key)
    form = element_form_class(spec)(data, design=design)
    assert form.is_valid(), form.errors
    return services.element_save(design=design, spec=spec, values=form.values())


def test_it_numbers_functional_requirements_when_the_code_is_blank(design):
    codes = [_save(design, "functional", "requirements", title=t, priority="must").code for t in "abc"]
    assert codes == ["FR-1", "FR-2", "FR-3"]


def test_it_numbers_after_the_highest_code_and_ignores_other_codes(design):
    FunctionalRequirement.objects.create(design=design, code="fr-7", title="Typed")
    FunctionalRequirement.objects.create(design=design, code="FR-2", title="Typed")
    FunctionalRequirement.objects.create(design=design, code="FR-x", title="Odd")
    FunctionalRequirement.objects.create(design=design, code="LEGAL-99", title="Other scheme")
    assert _save(design, "functional", "requirements", title="Next", priority="must").code == "FR-8"


def test_it_numbers_nfrs_and_decisions_with_their_own_prefix(design):
    nfr = _save(design, "nonfunctional", "requirements", category="cost", title="Cheap")
    adr = _save(design, "decisions", "architecture", area="db", choice="PostgreSQL", status="proposed")
    assert (nfr.code, adr.code) == ("NFR-1", "ADR-1")
    assert TechnologyDecision.objects.get().code == "ADR-1"


def test_it_numbers_each_design_on_its_own(design, owner):
    other = services.design_create(name="Other", summary="", owner=owner)
    _save(design, "functional", "requirements", title="a", priority="must")
    assert _save(other, "functional", "requirements", title="b", priority="must").code == "FR-1"


def test_it_appends_new_elements_at_the_end(design):
    first = _save(design, "components", "architecture", name="A", kind="service")
    second = _save(design, "components", "architecture", name="B", kind="service")
    assert (first.position, second.position) == (1, 2)
    assert second.version == 1


# ---------------------------------------------------------------- design


def test_it_lists_only_member_designs_as_visible(design, stranger):
    from django.contrib.auth.models import AnonymousUser

    assert list(Design.objects.visible_to(stranger)) == []
    assert list(Design.objects.visible_to(AnonymousUser())) == []
    Membership.objects.create(design=design, user=stranger, role=Role.VIEWER)
    assert list(Design.objects.visible_to(stranger).with_role(stranger).values_list("my_role", flat=True)) == [
        Role.VIEWER
    ]


def test_it_grants_permissions_by_role(design, owner, stranger):
    viewer = Membership.objects.create(design=design, user=stranger, role=Role.VIEWER)
    owner_membership = Membership.objects.get(user=owner)
    assert owner_membership.can("manage") and owner_membership.can("edit")
    assert viewer.can("view")
    assert not viewer.can("comment")
    assert not viewer.can("edit")


def test_it_makes_a_slug_even_from_a_name_without_letters():
    assert Design.make_slug("!!!").startswith("design-")
    assert len(Design.make_slug("x" * 300)) <= 80
