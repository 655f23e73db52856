"""Capacity estimates: the arithmetic, shares of the peak per component, the what-ifs of step 7, and
the figures on step 7 following step 1's load profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from designs import models as m
from designs.capacity import (
    BadFactor,
    capacity_from_snapshot,
    capacity_report,
    estimate_load,
    instances_needed,
    parse_factor,
    what_if,
)
from designs.document import DocumentError, import_design
from designs.snapshot import DesignSnapshot
from outputs.markdown import parts
from tests.conftest import add_member, make_user
from tests.diagram_helpers import snapshot_of
from tests.step_helpers import component, edit_data, edit_url, section_data, section_url, step_url

# 864,000 users * 100 requests a day = 1,000 req/s on average; 3 times that at peak.
PROFILE = {
    "daily_active_users": 864_000,
    "requests_per_user_per_day": Decimal(100),
    "peak_factor": Decimal(3),
    "reads_per_write": Decimal(9),
    "average_payload_kb": Decimal(10),
    "new_records_per_day": 1_000_000,
    "average_record_kb": Decimal(2),
    "retention_years": Decimal(3),
}


# ---------------------------------------------------------------- reading the card


@dataclass
class Card:
    """What the capacity card shows, read with the standard library's HTML parser."""

    figures: dict[str, str] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)  # first cell of each row flagged class="warn"
    bottleneck: str = ""
    error: str = ""
    factor_value: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # "10×" -> href
    current: list[str] = field(default_factory=list)
    oob: bool = False
    text: str = ""


class _CardParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.card: Card | None = None
        self.depth = 0
        self.capture: str | None = None  # "dt", "dd", "td", "bottleneck", "error", "a"
        self.buffer: list[str] = []
        self.last_dt = ""
        self.row: list[str] | None = None
        self.row_warn = False
        self.link: tuple[str, bool] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.card is None:
            if tag == "section" and attrs.get("id") == "capacity":
                self.card = Card(oob=attrs.get("hx-swap-oob") == "true")
                self.depth = 1
            return
        if tag == "section":
            self.depth += 1
        classes = (attrs.get("class") or "").split()
        if tag in ("dt", "dd", "td") or (tag == "p" and ({"bottleneck", "error"} & set(classes))):
            self.capture = "bottleneck" if "bottleneck" in classes else ("error" if "error" in classes else tag)
            self.buffer = []
        elif tag == "tr":
            self.row, self.row_warn = [], "warn" in classes
        elif tag == "input" and attrs.get("name") == "factor":
            self.card.factor_value = attrs.get("value", "")
        elif tag == "a" and attrs.get("hx-target") == "#capacity":
            self.link = (attrs["href"], "current" in classes)
            self.buffer = []

    def handle_endtag(self, tag):
        if self.card is None:
            return
        if tag == "section":
            self.depth -= 1
            if self.depth == 0:
                self.finished = self.card
                self.card = None
            return
        text = " ".join("".join(self.buffer).split())
        if tag == "a" and self.link is not None:
            self.card.links[text] = self.link[0]
            if self.link[1]:
                self.card.current.append(text)
            self.link = None
        elif self.capture == tag == "dt":
            self.last_dt, self.capture = text, None
        elif self.capture == tag == "dd":
            self.card.figures[self.last_dt], self.capture = text, None
        elif self.capture == tag == "td":
            self.row.append(text)
            self.capture = None
        elif tag == "p" and self.capture in ("bottleneck", "error"):
            setattr(self.card, self.capture, text)
            self.capture = None
        elif tag == "tr" and self.row:
            self.card.rows.append(self.row)
            if self.row_warn:
                self.card.warned.append(self.row[0])
            self.row = None

    def handle_data(self, data):
        if self.card is not None:
            self.card.text += data
            self.buffer.append(data)


def card_of(content: str) -> Card:
    parser = _CardParser()
    parser.finished = None
    parser.feed(content)
    assert parser.finished is not None, "no capacity card"
    parser.finished.text = " ".join(parser.finished.text.split())
    return parser.finished


def row_of(card: Card, name: str) -> dict[str, str]:
    headers = [
        "component",
        "serves",
        "capacity",
        "min-max",
        "peak today",
        "needed today",
        "peak",
        "bandwidth",
        "needed",
    ]
    [row] = [row for row in card.rows if row[0] == name]
    return dict(zip(headers, row, strict=True))


# ---------------------------------------------------------------- arithmetic


def test_it_estimates_requests_storage_and_bandwidth():
    load, missing = estimate_load(m.LoadProfile(**PROFILE))
    assert missing == ()
    assert (load.average_rps, load.peak_rps) == (Decimal(1000), Decimal(3000))
    assert (load.peak_read_rps, load.peak_write_rps) == (Decimal(2700), Decimal(300))
    assert load.storage_gb_per_year == Decimal(730)  # 1,000,000 records * 2 KB * 365 days; 1 GB = 10^6 KB
    assert load.storage_gb_retained == Decimal(2190)
    assert load.peak_bandwidth_mbps == Decimal(240)  # 3,000 req/s * 10 KB * 8 bits, in megabits


def test_it_leaves_out_figures_whose_inputs_are_missing():
    profile = {**PROFILE, "reads_per_write": None, "average_record_kb": None, "average_payload_kb": None}
    load, _ = estimate_load(m.LoadProfile(**profile))
    assert load.peak_rps == Decimal(3000)
    assert (load.peak_read_rps, load.storage_gb_per_year, load.peak_bandwidth_mbps) == (None, None, None)


def test_it_names_the_missing_inputs():
    assert estimate_load(None) == (None, ("daily active users", "requests per user per day", "peak factor"))
    assert estimate_load(m.LoadProfile(**{**PROFILE, "peak_factor": None})) == (None, ("peak factor",))


def test_it_rounds_instances_up():
    assert instances_needed(Decimal(3000), Decimal(400)) == 8  # 7.5
    assert instances_needed(Decimal(30000), Decimal(400)) == 75
    assert instances_needed(Decimal(3000), Decimal(3000)) == 1


def test_it_needs_at_least_one_instance_and_a_capacity():
    assert instances_needed(Decimal("0.5"), Decimal(100)) == 1
    assert instances_needed(Decimal(3000), None) is None


def _setup(design: m.Design, max_instances: int = 10, **share) -> m.ScalingRule:
    m.LoadProfile.objects.create(design=design, **PROFILE)
    return m.ScalingRule.objects.create(
        design=design,
        component=component(design, "orders"),
        capacity_rps=Decimal(400),
        min_instances=2,
        max_instances=max_instances,
        **share,
    )


def test_it_computes_instances_per_component(design):
    _setup(design)
    m.ScalingRule.objects.create(
        design=design, component=component(design, "orders-db", "database"), mode="none", capacity_rps=Decimal(100)
    )
    needs = {n.component.name: n for n in capacity_report(design).components}
    assert (needs["orders"].instances_now, needs["orders"].instances_at_10x) == (8, 75)
    assert needs["orders"].exceeds_max_at_10x
    assert needs["orders"].peak_rps == Decimal(3000)
    assert needs["orders"].serves == "the whole peak"
    assert (needs["orders-db"].instances_now, needs["orders-db"].instances_at_10x) == (None, None)


# ---------------------------------------------------------------- shares of the peak

# The example: a ledger takes nearly all the traffic, a reporting API 5 % of it.
REPORTING = {
    "requirements": {"load": {"daily_active_users": 864_000, "requests_per_user_per_day": 100, "peak_factor": 3}},
    "architecture": {
        "components": [{"name": "Ledger", "kind": "service"}, {"name": "Reporting API", "kind": "service"}]
    },
    "scalability": {
        "scaling": [
            {"component": "Ledger", "min_instances": 2, "max_instances": 100, "capacity_rps": 350},
            {
                "component": "Reporting API",
                "min_instances": 2,
                "max_instances": 10,
                "capacity_rps": 350,
                "peak_share_percent": 5,
            },
        ]
    },
}


def _reporting(**reports) -> DesignSnapshot:
    steps = {
        **REPORTING,
        "scalability": {"scaling": [REPORTING["scalability"]["scaling"][0], {**_reports(), **reports}]},
    }
    return snapshot_of(**steps)


def _reports() -> dict:
    return dict(REPORTING["scalability"]["scaling"][1])


def test_a_component_serving_a_share_of_the_peak_needs_proportionally_fewer_instances():
    needs = {n.component.name: n for n in capacity_from_snapshot(snapshot_of(**REPORTING)).components}
    # The whole peak, 3,000 req/s, over 350 req/s: 9 now, 86 at 10×.
    assert (needs["Ledger"].instances_now, needs["Ledger"].instances_at_10x) == (9, 86)
    # 5 % of it, 150 req/s: 1 now, 5 at 10× (not 86), within its max of 10.
    assert needs["Reporting API"].peak_rps == Decimal(150)
    assert (needs["Reporting API"].instances_now, needs["Reporting API"].instances_at_10x) == (1, 5)
    assert not needs["Reporting API"].exceeds_max_at_10x
    assert needs["Reporting API"].serves == "5 % of the peak"


def test_a_component_with_its_own_rate_is_charged_that_part_of_the_peak():
    own = _reports() | {"peak_share_percent": None, "requests_per_user_per_day": 20}
    needs = {n.component.name: n for n in capacity_from_snapshot(_reporting(**own)).components}
    # 20 of the profile's 100 requests per user per day: 600 req/s at peak, 2 instances, 18 at 10×.
    assert needs["Reporting API"].peak_rps == Decimal(600)
    assert (needs["Reporting API"].instances_now, needs["Reporting API"].instances_at_10x) == (2, 18)
    assert needs["Reporting API"].serves == "20 req per user per day"


def test_an_own_rate_above_the_profile_s_counts_a_fan_out():
    fan_out = _reports() | {"peak_share_percent": None, "requests_per_user_per_day": 300}
    [_, reports] = capacity_from_snapshot(_reporting(**fan_out)).components
    assert reports.peak_rps == Decimal(9000)


def test_the_model_refuses_a_share_out_of_range_and_both_figures_at_once(design):
    rule = m.ScalingRule(design=design, component=component(design, "reports"), capacity_rps=Decimal(350))
    for share, message in [
        (Decimal(0), "The share must be more than 0 %."),
        (Decimal(-5), "The share must be more than 0 %."),
        (Decimal("100.01"), "The share cannot be more than 100 % of the peak."),
    ]:
        rule.peak_share_percent = share
        with pytest.raises(ValidationError) as refused:
            rule.full_clean()
        assert refused.value.message_dict["peak_share_percent"] == [message]
    rule.peak_share_percent, rule.requests_per_user_per_day = Decimal(100), Decimal(3)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "not both" in refused.value.message_dict["requests_per_user_per_day"][0]
    rule.requests_per_user_per_day = None
    rule.full_clean()  # the whole peak, said explicitly


def _horizontal_rule_data(rule: m.ScalingRule, **fields) -> dict:
    """The step form's data for `rule` scaled out, stateless, from two instances, with `fields`."""
    return edit_data(
        "scaling", rule, component=rule.component_id, mode="horizontal", stateless=True, min_instances=2, **fields
    )


def test_the_step_form_saves_a_share_and_the_card_follows_it(owner_client, design):
    rule = _setup(design, max_instances=10)
    data = _horizontal_rule_data(
        rule, max_instances=10, capacity_rps=400, peak_share_percent="5", requests_per_user_per_day=""
    )
    assert owner_client.post(edit_url(design, "scalability", "scaling", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.peak_share_percent == Decimal(5)
    row = row_of(card_of(owner_client.get(step_url(design, "scalability")).content.decode()), "orders")
    # 5 % of 3,000 req/s = 150 req/s: 1 instance today, 4 at 10× (1,500 req/s).
    assert row["serves"] == "5 % of the peak"
    assert row["peak today"] == "150.0 req/s"
    assert (row["needed today"], row["needed"]) == ("1", "4")


def test_the_report_s_capacity_section_follows_the_share():
    section = parts.capacity(snapshot_of(**REPORTING))
    assert "| Ledger | the whole peak | 3,000.0 req/s | 9 | 86 | 100 | no |" in section
    assert "| Reporting API | 5 % of the peak | 150.0 req/s | 1 | 5 | 10 | no |" in section


def test_a_document_carrying_both_figures_is_refused_on_import(owner):
    both = _reports() | {"requests_per_user_per_day": 3}
    steps = {**REPORTING, "scalability": {"scaling": [REPORTING["scalability"]["scaling"][0], both]}}
    document = {"format": "design-workbench/1", "design": {"name": "Reporting"}, "steps": steps}
    with pytest.raises(DocumentError) as refused:
        import_design(document, owner=owner)
    assert any("not both" in message for _, message in refused.value.errors)
    assert not m.Design.objects.filter(name="Reporting").exists()


# ---------------------------------------------------------------- what-ifs


def test_a_what_if_scales_every_figure_and_names_the_first_bottleneck():
    report = capacity_from_snapshot(snapshot_of(**REPORTING))
    at_100 = what_if(report, Decimal(100))
    assert at_100.load.peak_rps == Decimal(300_000)
    ledger, reports = at_100.components
    # Ledger: 100 × 350 req/s carry 35,000 req/s, about 11.7× today's 3,000.
    assert (ledger.instances, ledger.over_max) == (858, True)
    assert (reports.instances, reports.over_max) == (43, True)
    assert at_100.bottleneck.component.name == "Ledger"
    assert round(ledger.ceiling_factor, 1) == Decimal("11.7")
    # Reporting: 10 × 350 = 3,500 req/s over its 150: about 23×.
    assert round(reports.ceiling_factor, 1) == Decimal("23.3")
    assert at_100.over_max == (ledger, reports)
    at_1 = what_if(report, Decimal(1))
    assert at_1.over_max == ()
    assert at_1.bottleneck.component.name == "Ledger"  # the first to run out, even when none has yet


def test_a_what_if_scales_storage_and_bandwidth_with_the_users():
    steps = {**REPORTING, "requirements": {"load": {**REPORTING["requirements"]["load"], **_sizes()}}}
    report = capacity_from_snapshot(snapshot_of(**steps))
    at_10 = what_if(report, Decimal(10))
    assert at_10.load.storage_gb_per_year == Decimal(7300)
    assert at_10.load.storage_gb_retained == Decimal(21900)
    assert at_10.load.peak_bandwidth_mbps == Decimal(2400)
    # The reporting API's 1,500 req/s at 10× of 10 KB each.
    assert at_10.components[1].bandwidth_mbps == Decimal(120)


def _sizes() -> dict:
    return {"average_payload_kb": 10, "new_records_per_day": 1_000_000, "average_record_kb": 2, "retention_years": 3}


@pytest.mark.parametrize(
    ("text", "factor"), [("1", 1), ("10", 10), ("2.5", Decimal("2.5")), (" 100× ", 100), ("10,000", 10_000)]
)
def test_it_reads_a_factor(text, factor):
    assert parse_factor(text) == Decimal(factor)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "The factor must be more than 0."),
        ("-3", "The factor must be more than 0."),
        ("ten", "“ten” is not a number; give a factor such as 10 or 2.5."),
        ("10001", "The factor can be at most 10,000."),
        ("NaN", "The factor must be more than 0."),
        ("Infinity", "The factor must be more than 0."),
        ("", "Give a factor, e.g. 10 for ten times today's load."),
    ],
)
def test_it_refuses_a_bad_factor(text, message):
    with pytest.raises(BadFactor) as refused:
        parse_factor(text)
    assert str(refused.value) == message


def _reporting_design(design: m.Design) -> None:
    m.LoadProfile.objects.create(design=design, **PROFILE)
    for name, share, max_instances in [("Ledger", None, 100), ("Reporting API", Decimal(5), 10)]:
        m.ScalingRule.objects.create(
            design=design,
            component=component(design, name),
            capacity_rps=Decimal(350),
            min_instances=2,
            max_instances=max_instances,
            peak_share_percent=share,
        )


def _card(client, design, query: str = "", **headers) -> Card:
    response = client.get(step_url(design, "scalability") + query, **headers)
    assert response.status_code == 200
    return card_of(response.content.decode())


def test_the_card_shows_10x_unless_asked(owner_client, design):
    _reporting_design(design)
    card = _card(owner_client, design)
    assert card.figures["Peak load"] == "3,000.0 req/s"
    assert card.figures["Peak load at 10×"] == "30,000.0 req/s"
    assert card.figures["Storage per year at 10×"] == "7,300.0 GB"
    assert card.figures["Peak bandwidth at 10×"] == "2,400.0 Mbit/s"
    assert card.current == ["10×"]
    assert list(card.links) == ["1×", "10×", "100×"]
    ledger = row_of(card, "Ledger")
    assert ledger == {
        "component": "Ledger",
        "serves": "the whole peak",
        "capacity": "350 req/s",
        "min-max": "2–100",  # noqa: RUF001
        "peak today": "3,000.0 req/s",
        "needed today": "9",
        "peak": "30,000.0 req/s",
        "bandwidth": "2,400.0 Mbit/s",
        "needed": "86",
    }
    assert row_of(card, "Reporting API")["needed"] == "5"
    assert card.warned == []
    assert card.bottleneck == (
        "No component is over its max at 10×. First bottleneck as the load grows: Ledger, "
        "at about 11.7× today's load (100 instances of 350 req/s)."
    )
    assert "the design does not say which data store keeps which records" in card.text


def test_the_card_at_1x_shows_today(owner_client, design):
    _reporting_design(design)
    card = _card(owner_client, design, "?factor=1")
    assert card.current == ["1×"]
    assert card.figures["Peak load at 1×"] == "3,000.0 req/s"
    assert (row_of(card, "Ledger")["needed"], row_of(card, "Reporting API")["needed"]) == ("9", "1")
    assert card.warned == []


def test_the_card_at_100x_flags_components_over_their_max_and_names_the_first(owner_client, design):
    _reporting_design(design)
    card = _card(owner_client, design, "?factor=100")
    assert card.current == ["100×"]
    assert card.figures["Peak load at 100×"] == "300,000.0 req/s"
    assert card.figures["Storage over retention at 100×"] == "219,000.0 GB"
    assert row_of(card, "Ledger")["needed"] == "858 over max 100"
    assert row_of(card, "Reporting API")["needed"] == "43 over max 10"
    assert card.warned == ["Ledger", "Reporting API"]
    assert card.bottleneck == (
        "First bottleneck at 100×: Ledger needs 858 instances, over its max of 100; it reaches that max at "
        "about 11.7× today's load. 2 components are over their max at 100×."
    )


def test_the_card_takes_a_custom_factor(owner_client, design):
    _reporting_design(design)
    card = _card(owner_client, design, "?factor=25")
    assert card.current == [] and card.factor_value == "25"
    assert card.figures["Peak load at 25×"] == "75,000.0 req/s"
    # Ledger is over (215 > 100); the reporting API's 3,750 req/s need 11 of its 10.
    assert row_of(card, "Ledger")["needed"] == "215 over max 100"
    assert row_of(card, "Reporting API")["needed"] == "11 over max 10"
    assert card.bottleneck.startswith("First bottleneck at 25×: Ledger needs 215 instances")
    assert _card(owner_client, design, "?factor=2.5").figures["Peak load at 2.5×"] == "7,500.0 req/s"


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        ("0", "The factor must be more than 0."),
        ("-10", "The factor must be more than 0."),
        ("lots", "“lots” is not a number; give a factor such as 10 or 2.5."),
        ("20000", "The factor can be at most 10,000."),
    ],
)
def test_a_bad_factor_is_refused_next_to_the_field(owner_client, design, factor, message):
    _reporting_design(design)
    card = _card(owner_client, design, f"?factor={factor}")
    assert card.error == message
    assert card.factor_value == factor  # kept, to be corrected
    assert card.figures["Peak load at 10×"] == "30,000.0 req/s"  # the figures stay at 10×


def test_htmx_gets_the_card_alone_and_a_plain_get_the_whole_page(owner_client, design, htmx_headers):
    _reporting_design(design)
    url = step_url(design, "scalability") + "?factor=100"
    partial = owner_client.get(url, **htmx_headers).content.decode()
    assert card_of(partial).warned == ["Ledger", "Reporting API"]
    assert "Scaling per component" not in partial and "<html" not in partial
    page = owner_client.get(url).content.decode()
    assert "Scaling per component" in page and "<html" in page
    assert card_of(page).warned == ["Ledger", "Reporting API"]
    # The presets work without JavaScript: plain links to the step page.
    assert card_of(page).links["1×"] == step_url(design, "scalability") + "?factor=1#capacity"


def test_a_viewer_tries_what_ifs_too(design):
    _reporting_design(design)
    user = make_user("victor")
    add_member(design, user, m.Role.VIEWER)
    viewer = Client()
    viewer.force_login(user)
    assert row_of(_card(viewer, design, "?factor=100"), "Ledger")["needed"] == "858 over max 100"


def test_a_what_if_does_not_leak_into_the_cached_page(owner_client, design):
    _reporting_design(design)
    assert _card(owner_client, design, "?factor=100").current == ["100×"]
    assert _card(owner_client, design).current == ["10×"]
    assert _card(owner_client, design, "?factor=1").current == ["1×"]


# ---------------------------------------------------------------- the card on step 7


def test_it_shows_the_figures_on_step_7(owner_client, design):
    _setup(design)
    card = _card(owner_client, design)
    assert card.figures["Average load"] == "1,000.0 req/s"
    assert card.figures["Peak load"] == "3,000.0 req/s"
    assert card.figures["Storage per year"] == "730.0 GB"
    assert card.figures["Peak bandwidth"] == "240.0 Mbit/s"
    row = row_of(card, "orders")
    assert (row["capacity"], row["min-max"], row["needed today"], row["needed"]) == (
        "400 req/s",
        "2–10",  # noqa: RUF001
        "8",
        "75 over max 10",
    )
    assert card.warned == ["orders"]


def test_it_does_not_flag_a_component_whose_max_covers_10x(owner_client, design):
    _setup(design, max_instances=80)
    card = _card(owner_client, design)
    assert row_of(card, "orders")["needed"] == "75"
    assert "over max" not in card.text
    assert card.warned == []


def test_it_asks_for_the_load_profile_when_it_is_missing(owner_client, design):
    card = _card(owner_client, design)
    assert "missing daily active users, requests per user per day, peak factor" in card.text


def test_it_recomputes_after_the_load_profile_is_saved(owner_client, design):
    _setup(design, max_instances=100)
    profile = m.LoadProfile.objects.get(design=design)
    data = section_data("load", profile, **{**PROFILE, "daily_active_users": 1_728_000})
    assert owner_client.post(section_url(design, "requirements", "load"), data).status_code == 302
    card = _card(owner_client, design)
    assert card.figures["Average load"] == "2,000.0 req/s"
    assert card.figures["Peak load"] == "6,000.0 req/s"
    row = row_of(card, "orders")
    assert (row["needed today"], row["needed"]) == ("15", "150 over max 100")


def _edit_rule_to_800_rps(client, design, **headers) -> Card:
    """Save the orders scaling rule at 800 req/s per instance through htmx; the card that comes back."""
    rule = _setup(design, max_instances=100)
    data = _horizontal_rule_data(rule, max_instances=100, capacity_rps=800)
    response = client.post(edit_url(design, "scalability", "scaling", rule.pk), data, **headers)
    return card_of(response.content.decode())


def test_it_sends_fresh_figures_along_when_a_scaling_rule_is_edited(owner_client, design, htmx_headers):
    card = _edit_rule_to_800_rps(owner_client, design, **htmx_headers)
    assert card.oob, "the capacity card comes along out of band"
    # 3,000 req/s at peak over 800 req/s per instance: 4 now, 38 at ten times the load.
    row = row_of(card, "orders")
    assert (row["needed today"], row["needed"]) == ("4", "38")


def test_a_save_redraws_the_card_at_the_what_if_factor_the_page_was_showing(owner_client, design, htmx_headers):
    # htmx sends the address the page shows; a what-if link pushed ?factor=3 into it.
    current = "http://testserver" + step_url(design, "scalability") + "?factor=3"
    card = _edit_rule_to_800_rps(owner_client, design, HTTP_HX_CURRENT_URL=current, **htmx_headers)
    assert card.oob and card.factor_value == "3" and card.current == []
    # 3,000 req/s at peak, 9,000 at 3×, over 800 req/s per instance: 12 instances.
    assert row_of(card, "orders")["needed"] == "12"


def test_it_says_which_figures_the_load_profile_cannot_give(owner_client, design):
    _reporting_design(design)
    m.LoadProfile.objects.filter(design=design).update(average_payload_kb=None, retention_years=None)
    card = _card(owner_client, design, "?factor=100")
    assert card.figures["Peak bandwidth at 100×"] == "—"
    assert row_of(card, "Ledger")["bandwidth"] == "—"
    assert (
        "Not computed, as the load profile lacks what it takes: storage over retention needs the retention in "
        "years; bandwidth needs the average payload; fill them in step 1." in card.text
    )
