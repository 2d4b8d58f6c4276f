"""Forms of the exploration-licence pages (licences/views/exploration.py): they read what a person typed or
uploaded; the services in licences.services decide. Field names are the services' argument names, so a service's
per-field message lands next to its field."""

import os

from django import forms

from blocks.constants import STATE_CHOICES
from blocks.models import Mineral

GEOJSON_MAX_BYTES = 2 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PageForm(forms.Form):
    """A form on a page with others that share field names (summary, document): its ids are its own."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class GeoJSONFileMixin:
    """A boundary typed (or drawn) into a textarea, or uploaded as a .geojson file, which wins when given."""

    boundary_field = "boundary"

    def clean(self):
        data = super().clean()
        upload = data.get("geojson_file")
        if upload:
            name = os.path.basename(upload.name or "")
            if not name.lower().endswith((".geojson", ".json")):
                self.add_error("geojson_file", f"{name} is not a GeoJSON file: choose a .geojson or .json file.")
            elif upload.size > GEOJSON_MAX_BYTES:
                self.add_error("geojson_file", f"{name} is larger than 2 MB; a boundary is a few kilobytes.")
            else:
                try:
                    data[self.boundary_field] = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error("geojson_file", f"{name} is not text (UTF-8): save the GeoJSON as text.")
        return data


def _geojson_area(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "mono geojson", "spellcheck": "false"}),
        help_text="Draw on the map, or paste a GeoJSON Polygon or MultiPolygon ([longitude, latitude], WGS 84).",
    )


def _geojson_file() -> forms.FileField:
    return forms.FileField(
        label="…or upload a .geojson file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
    )


def _document(label="Report (PDF, optional)") -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="A PDF of at most 10 MB.",
    )


class ExtendForm(forms.Form):
    extended_to = forms.DateField(label="New expiry", widget=DATE)
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class ExtensionRequestForm(forms.Form):
    requested_to = forms.DateField(label="Extend to", widget=DATE)
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReportForm(PageForm):
    id_prefix = "report"

    summary = forms.CharField(
        label="Summary of the year's work", widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000
    )
    document = _document()


class RelinquishForm(GeoJSONFileMixin, PageForm):
    id_prefix = "relinquish"
    boundary_field = "retained_boundary"

    retained_boundary = _geojson_area("Area you keep (GeoJSON)")
    geojson_file = _geojson_file()
    summary = forms.CharField(
        label="Report of reasons for the area kept", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )
    document = _document("Report of reasons (PDF, optional)")


class DiscoveryForm(PageForm):
    id_prefix = "discovery"

    stage_reached = forms.ChoiceField(
        label="Stage reached",
        choices=[("G3", "G3 Prospecting"), ("G2", "G2 General exploration"), ("G1", "G1 Detailed exploration")],
    )
    summary = forms.CharField(label="Findings", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
    document = _document("Geological report (PDF, optional)")


def mineral_choices():
    return [
        (m.slug, f"{m.name}{'' if m.seventh_schedule else ' (not Seventh Schedule)'}")
        for m in Mineral.objects.order_by("-seventh_schedule", "name")
    ]


class ProposalForm(GeoJSONFileMixin, forms.Form):
    title = forms.CharField(label="Name of the area", max_length=200)
    state = forms.ChoiceField(label="State", choices=[("", "Choose a State")] + STATE_CHOICES)
    district = forms.CharField(label="District", required=False, max_length=100)
    minerals = forms.MultipleChoiceField(
        label="Minerals",
        choices=mineral_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="An exploration licence is for Seventh Schedule minerals only.",
    )
    boundary = _geojson_area("Area (GeoJSON)")
    geojson_file = _geojson_file()
    rationale = forms.CharField(
        label="Why explore here", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class MapViewForm(forms.Form):
    """Where the proposal map looks (GET): its centre and width."""

    lon = forms.FloatField(label="Centre longitude", min_value=68.0, max_value=97.5, required=False)
    lat = forms.FloatField(label="Centre latitude", min_value=6.0, max_value=37.5, required=False)
    km = forms.FloatField(label="Map width (km)", min_value=1, max_value=500, required=False)


class AcceptForm(forms.Form):
    exploration_stage = forms.ChoiceField(
        label="Exploration stage",
        choices=[("G4", "G4 Reconnaissance"), ("G3", "G3 Prospecting")],
        widget=forms.RadioSelect,
    )
    code = forms.CharField(label="Block code", max_length=40)
    name = forms.CharField(label="Block name", max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label="Reason (the firm reads it)", max_length=300)
