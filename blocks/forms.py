"""Forms of the regulator's pages. They only shape input: the services validate and write."""

import json

from django import forms
from django.core.exceptions import ValidationError

from blocks.constants import STATE_CHOICES, ExplorationStage
from blocks.imports import MAX_CSV_BYTES, MAX_GEOJSON_BYTES
from blocks.models import Block, BlockResource, Mineral

MAX_BOUNDARY_FILE_BYTES = 5 * 1024 * 1024

# Fields a block may carry with illustrative (not published) values; the portal marks them as such.
ILLUSTRATIVE_FIELD_CHOICES = [
    ("district", "District"),
    ("exploration_stage", "Exploration stage"),
    ("boundary", "Boundary"),
    ("area_hectares", "Area (not from a surveyed boundary)"),
    ("forest_land_ha", "Forest land"),
    ("government_land_ha", "Government land"),
    ("other_land_ha", "Other land"),
    ("resources", "Resources and VER"),
    ("reserve_price_pct", "Reserve price"),
    ("tender_fee", "Tender fee"),
]
LAND_FIELDS = ("forest_land_ha", "government_land_ha", "other_land_ha")


def mineral_choices():
    def label(m):
        marks = [text for flag, text in ((m.part_d, "Part D"), (m.seventh_schedule, "EL")) if flag]
        return f"{m.name} ({', '.join(marks)})" if marks else m.name

    return [(m.slug, label(m)) for m in Mineral.objects.order_by("name")]


class BlockForm(forms.Form):
    code = forms.CharField(max_length=40, help_text="Unique, e.g. CG-LI-2023-01.")
    name = forms.CharField(max_length=200)
    state = forms.ChoiceField(label="State or UT", choices=[("", "Choose a State or Union Territory")] + STATE_CHOICES)
    district = forms.CharField(max_length=100, required=False)
    minerals = forms.MultipleChoiceField(
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Part D: auctioned by the Centre. EL: an exploration licence may be granted.",
    )
    exploration_stage = forms.ChoiceField(
        choices=[("", "Choose the UNFC stage")] + ExplorationStage.choices,
        help_text="G2 or G1 gives a mining lease; G3 or G4 a composite licence.",
    )
    boundary = forms.CharField(
        label="Boundary (GeoJSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        help_text="A Polygon or MultiPolygon, or a Feature holding one, in [longitude, latitude] (WGS 84): "
        '{"type": "Polygon", "coordinates": [[[82.68, 22.35], [82.69, 22.35], ...]]}.',
    )
    boundary_file = forms.FileField(
        label="…or upload a .geojson file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
        help_text="Replaces the text above.",
    )
    forest_land_ha = forms.DecimalField(label="Forest land (ha)", required=False, min_value=0, decimal_places=4)
    government_land_ha = forms.DecimalField(label="Government land (ha)", required=False, min_value=0, decimal_places=4)
    other_land_ha = forms.DecimalField(label="Other land (ha)", required=False, min_value=0, decimal_places=4)
    protected_area_distance_km = forms.DecimalField(
        label="Distance to the nearest national park or sanctuary (km)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=3,
        help_text="From the block's boundary; empty if not assessed. Within 1 km the block cannot be registered; "
        "within 10 km its lease needs a wildlife clearance.",
    )
    eco_sensitive_zone = forms.BooleanField(
        label="In a notified eco-sensitive zone", required=False, help_text="Its lease then needs a wildlife clearance."
    )
    reserve_price_pct = forms.DecimalField(
        label="Reserve price (% of VMD)", required=False, min_value=0, max_digits=6, decimal_places=2
    )
    tender_fee = forms.DecimalField(
        label="Tender fee (Rs, before GST)", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    status = forms.ChoiceField(choices=Block.Status.choices, initial=Block.Status.IDENTIFIED)
    illustrative_fields = forms.MultipleChoiceField(
        label="Illustrative values",
        required=False,
        choices=ILLUSTRATIVE_FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the fields filled with illustrative values rather than published figures.",
    )
    source_url = forms.URLField(label="Source URL", required=False, max_length=500, assume_scheme="https")
    published_outcome = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minerals"].choices = mineral_choices()
        # Keep illustrative markers set elsewhere (the demo seed, the API) that this form does not list.
        initial = self.initial.get("illustrative_fields") or []
        known = {name for name, _label in ILLUSTRATIVE_FIELD_CHOICES}
        extra = [(name, name) for name in initial if name not in known]
        if extra:
            self.fields["illustrative_fields"].choices = ILLUSTRATIVE_FIELD_CHOICES + extra

    def clean_boundary_file(self):
        upload = self.cleaned_data.get("boundary_file")
        if not upload:
            return None
        if upload.size > MAX_BOUNDARY_FILE_BYTES:
            raise ValidationError("The file is larger than 5 MB; a block boundary should be far smaller.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text; save the GeoJSON as UTF-8.") from exc

    def block_fields(self) -> dict:
        """The fields block_create / block_update take, from the cleaned data."""
        data = dict(self.cleaned_data)
        file_text = data.pop("boundary_file", None)
        if file_text:
            data["boundary"] = file_text
        for field in LAND_FIELDS:
            if data.get(field) is None:
                data[field] = 0
        data["boundary"] = (data.get("boundary") or "").strip() or None
        return data


class ResourceForm(forms.Form):
    mineral = forms.ChoiceField(choices=(), required=False)
    quantity_tonnes = forms.DecimalField(label="Quantity (t)", required=False, min_value=0, decimal_places=3)
    grade = forms.CharField(max_length=60, required=False)
    price_per_tonne = forms.DecimalField(
        label="IBM price (Rs/t)", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    price_basis = forms.ChoiceField(
        choices=BlockResource.PriceBasis.choices, initial=BlockResource.PriceBasis.STATE, required=False
    )

    def __init__(self, *args, mineral_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mineral"].choices = [("", "—"), *mineral_choices]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(f) in (None, "") for f in ("mineral", "quantity_tonnes", "grade", "price_per_tonne"))

    def clean(self):
        data = super().clean()
        if self.is_blank or data.get("DELETE"):
            return data
        if not data.get("mineral"):
            self.add_error("mineral", "Choose the mineral of these resources.")
        if data.get("quantity_tonnes") is None and "quantity_tonnes" not in self.errors:
            self.add_error("quantity_tonnes", "Give the estimated quantity in tonnes.")
        if data.get("price_per_tonne") is None and "price_per_tonne" not in self.errors:
            self.add_error("price_per_tonne", "Give the IBM average sale price per tonne.")
        return data


class BaseResourceFormSet(forms.BaseFormSet):
    def resources(self) -> tuple[list, list]:
        """(resources for the service, index of the form each came from) from the non-blank, undeleted forms."""
        items, origins = [], []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if form.is_blank or (self.can_delete and data.get("DELETE")):
                continue
            items.append(
                {
                    "mineral": data["mineral"],
                    "quantity_tonnes": data["quantity_tonnes"],
                    "price_per_tonne": data["price_per_tonne"],
                    "price_basis": data.get("price_basis") or BlockResource.PriceBasis.STATE,
                    "grade": data.get("grade") or "",
                }
            )
            origins.append(index)
        return items, origins


_ResourceFormSet = forms.formset_factory(
    ResourceForm, formset=BaseResourceFormSet, extra=3, can_delete=True, max_num=40, validate_max=True
)


def resource_formset(data=None, *, initial=None):
    """The resources formset, its mineral menus filled from the catalogue with one query."""
    choices = list(Mineral.objects.order_by("name").values_list("slug", "name"))
    return _ResourceFormSet(data, initial=initial, prefix="resources", form_kwargs={"mineral_choices": choices})


def block_initial(block: Block) -> tuple[dict, list]:
    """Initial data of the form and of the resource formset for an existing block."""
    initial = {
        "code": block.code,
        "name": block.name,
        "state": block.state,
        "district": block.district,
        "minerals": [m.slug for m in block.minerals.all()],
        "exploration_stage": block.exploration_stage,
        "boundary": json.dumps(block.boundary) if block.boundary else "",
        "forest_land_ha": block.forest_land_ha,
        "government_land_ha": block.government_land_ha,
        "other_land_ha": block.other_land_ha,
        "protected_area_distance_km": block.protected_area_distance_km,
        "eco_sensitive_zone": block.eco_sensitive_zone,
        "reserve_price_pct": block.reserve_price_pct,
        "tender_fee": block.tender_fee,
        "status": block.status,
        "illustrative_fields": list(block.illustrative_fields or []),
        "source_url": block.source_url,
        "published_outcome": block.published_outcome,
    }
    resources = [
        {
            "mineral": r.mineral.slug,
            "quantity_tonnes": r.quantity_tonnes,
            "grade": r.grade,
            "price_per_tonne": r.price_per_tonne,
            "price_basis": r.price_basis,
        }
        for r in block.resources.select_related("mineral").order_by("mineral__name")
    ]
    return initial, resources


class BlockImportForm(forms.Form):
    csv_file = forms.FileField(label="Blocks (CSV)", help_text="UTF-8, columns as listed below.")
    geojson_file = forms.FileField(
        label="Boundaries (GeoJSON FeatureCollection)", help_text="One Feature per block, with properties.code."
    )

    def _read(self, field, limit):
        upload = self.cleaned_data.get(field)
        if upload and upload.size > limit:
            raise ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB; split it into smaller files.")
        return upload

    def clean_csv_file(self):
        return self._read("csv_file", MAX_CSV_BYTES)

    def clean_geojson_file(self):
        return self._read("geojson_file", MAX_GEOJSON_BYTES)
