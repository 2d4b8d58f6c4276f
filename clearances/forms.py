"""Forms of the clearance pages (clearances/views/): they read what a person typed; the services in
clearances.services decide. Field names are the services' argument names, so a service's per-field message lands
next to its field. An act recorded on an authority's behalf carries `acted_on` (the day the authority acted) and
`reference` (its letter or file number); an act done here today leaves them empty."""

from django import forms

from clearances.models import Case, Decision
from clearances.pdf import document_problem
from licences.forms.lease import DATE_ERRORS, DateInput

TEXT = forms.Textarea(attrs={"rows": 3})


class OnBehalfMixin(forms.Form):
    """The date and reference of an act recorded on the authority's behalf (both empty: done here, today)."""

    acted_on = forms.DateField(
        label="Done by the authority on",
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="Only to record an act the authority made in its own system; empty: the act is done here today.",
    )
    reference = forms.CharField(
        label="Authority's reference",
        required=False,
        max_length=100,
        help_text="Its letter or file number, when recording on its behalf.",
    )

    def acted(self) -> dict:
        return {"acted_on": self.cleaned_data.get("acted_on"), "reference": self.cleaned_data.get("reference", "")}


class FileForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of clearance", error_messages={"required": "Choose the kind of clearance."})
    external_reference = forms.CharField(
        label="Proposal number",
        required=False,
        max_length=100,
        help_text="The authority's own number for the application, e.g. the PARIVESH proposal number.",
    )
    groundwater_use = forms.BooleanField(
        label="The project will draw groundwater", required=False, help_text="Needs the CGWA's no-objection."
    )
    groundwater_m3_per_day = forms.DecimalField(
        label="Groundwater drawn (m³ a day)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        error_messages={"invalid": "Give a number of cubic metres a day, like 250.", "min_value": "Not negative."},
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Case.Kind.choices)
        self.fields["kind"].choices = [("", "Choose")] + [(k, labels.get(k, k)) for k in kinds]
        self.fields["kind"].error_messages["invalid_choice"] = (
            "Choose one of the kinds listed: this licence does not need that one, or it is already open."
        )


class QueryForm(OnBehalfMixin):
    text = forms.CharField(
        label="Details sought",
        widget=TEXT,
        max_length=20_000,
        error_messages={"required": "Write the essential details the applicant must send."},
        help_text="The clock stops until the applicant answers (a Water Act consent's period restarts then).",
    )


class AnswerForm(OnBehalfMixin):
    answer = forms.CharField(
        label="Answer",
        widget=TEXT,
        max_length=20_000,
        error_messages={"required": "Write the answer (attach documents below)."},
    )


class AdvanceForm(OnBehalfMixin):
    note = forms.CharField(label="Note", required=False, widget=TEXT, max_length=20_000)


class DecideForm(OnBehalfMixin):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[(Decision.Outcome.GRANTED, "Grant"), (Decision.Outcome.REFUSED, "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to grant or to refuse."},
    )
    reasons = forms.CharField(
        label="Reasons", widget=TEXT, max_length=20_000, error_messages={"required": "Give the reasons."}
    )
    conditions = forms.CharField(label="Conditions", required=False, widget=TEXT, max_length=20_000)
    valid_until = forms.DateField(
        label="Valid until",
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="Where the kind has a validity (an environment clearance: the project's life, up to 30 years).",
    )


class ContestForm(OnBehalfMixin):
    reasons = forms.CharField(
        label="Reasons", widget=TEXT, max_length=20_000, error_messages={"required": "Give the reasons."}
    )
    conditions = forms.CharField(label="Conditions", required=False, widget=TEXT, max_length=20_000)


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label="Reasons", widget=TEXT, max_length=20_000, error_messages={"required": "Give the reasons."}
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="PDF file",
        error_messages={"required": "Choose a PDF file to upload.", "empty": "The file is empty; choose it again."},
    )
    description = forms.CharField(label="What it is", required=False, max_length=300)
    public = forms.BooleanField(
        label="Public", required=False, help_text="Anyone may read it on the licence's public page."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = document_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload
