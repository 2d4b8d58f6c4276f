"""Forms of the auction pages (auctions/flow_views.py): they read what a person typed, in IST; the services in
auctions.auction_services decide whether it is acceptable. Field names are the services' argument names, so a
service's per-field message lands next to its field."""

from dataclasses import fields as dataclass_fields
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from auctions import rules
from auctions.models import Block

IST = ZoneInfo("Asia/Kolkata")
DATETIME_INPUT = "%Y-%m-%dT%H:%M"

SCHEDULE_LABELS = {
    "document_sale_starts_at": "Tender-document sale opens",
    "document_sale_ends_at": "Tender-document sale closes",
    "pre_bid_meeting_at": "Pre-bid meeting (optional)",
    "bid_due_at": "Bid due date",
    "technical_evaluation_at": "Technical evaluation (target)",
    "opening_at": "Opening of initial price offers (target)",
    "e_auction_starts_at": "E-auction starts",
}

# The parameters of the Rules (auctions.rules.AuctionParams) as the tranche form shows them.
PARAM_LABELS = {
    "min_tqb_first_attempt": ("Minimum technically qualified bidders, first attempt", ""),
    "min_tqb_second_attempt": ("Minimum technically qualified bidders, second attempt", ""),
    "qualified_share_pct": ("Share of ranks that qualify for the e-auction (%)", "Fractions round up."),
    "qualified_top_ranks": ("Top ranks that always qualify", "Whichever is higher: the share or these ranks."),
    "min_increment": ("Minimum increment (percentage points)", ""),
    "duration_minutes": ("E-auction duration (minutes)", ""),
    "extension_window_minutes": ("Extension window (last minutes)", "An offer in these last minutes extends."),
    "extension_minutes": ("Extension (minutes after that offer)", ""),
    "bid_security_pct": ("Bid security (% of VER)", ""),
    "bid_security_cap": ("Bid security cap (INR)", ""),
    "performance_security_pct": ("Performance security (% of VER)", ""),
    "upfront_payment_pct": ("Upfront payment (% of VER)", ""),
    "upfront_payment_cap": ("Upfront payment cap (INR)", ""),
    "net_worth_cap_ml": ("Net-worth requirement cap, mining lease (INR)", ""),
    "net_worth_cap_cl": ("Net-worth requirement cap, composite licence (INR)", ""),
    "el_ceiling_floor_pct": ("Exploration licence: ceiling floor (%)", ""),
    "el_min_net_worth": ("Exploration licence: minimum net worth (INR)", ""),
}
PARAM_PREFIX = "param_"


class ISTDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT, **kwargs)


class ISTDateTimeField(forms.DateTimeField):
    """A date and time typed in India Standard Time, whatever the server's time zone."""

    widget = ISTDateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid": "Write the date and time as YYYY-MM-DD HH:MM (IST), e.g. 2027-02-15 17:00."}
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(IST):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, IST).replace(tzinfo=None)
        return value


def eligible_blocks():
    """Blocks that may go in a central tranche: identified or annulled, Part D (central), with a reserve price."""
    return Block.objects.filter(
        status__in=(Block.Status.IDENTIFIED, Block.Status.ANNULLED),
        auction_authority="central",
        reserve_price_pct__isnull=False,
    ).order_by("code")


class TrancheForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="e.g. Tranche VII")
    tender_fee = forms.DecimalField(
        label="Tender fee (INR, before GST)",
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("300000.00"),
        error_messages={"invalid": "Write the fee in rupees, e.g. 300000."},
    )
    net_worth_threshold = forms.DecimalField(
        label="Net-worth threshold (INR)",
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=2,
        help_text="Capped per block by the lease kind's cap below.",
        error_messages={"invalid": "Write the amount in rupees, e.g. 1000000000."},
    )
    blocks = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        help_text="Blocks identified or annulled, with a Part D mineral and a reserve price.",
        error_messages={"required": "Choose at least one block."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.block_rows = list(eligible_blocks().only("code", "name", "state", "lease_kind", "reserve_price_pct"))
        self.fields["blocks"].choices = [
            (b.code, f"{b.code} · {b.name} · {b.state} · {b.lease_kind} · reserve {b.reserve_price_pct}%")
            for b in self.block_rows
        ]
        for name, label in SCHEDULE_LABELS.items():
            self.fields[name] = ISTDateTimeField(
                label=f"{label} (IST)",
                required=name != "pre_bid_meeting_at",
                error_messages={
                    "required": f"Give the date and time: {label.lower()}.",
                    "invalid": "Write the date and time as YYYY-MM-DD HH:MM (IST), e.g. 2027-02-15 17:00.",
                },
            )
        defaults = rules.AuctionParams()
        for field in dataclass_fields(rules.AuctionParams):
            label, help_text = PARAM_LABELS.get(field.name, (field.name.replace("_", " ").capitalize(), ""))
            default = getattr(defaults, field.name)
            if isinstance(default, Decimal):
                form_field = forms.DecimalField(
                    decimal_places=4, min_value=Decimal("0"), error_messages={"invalid": "Write a number."}
                )
            else:
                form_field = forms.IntegerField(min_value=0, error_messages={"invalid": "Write a whole number."})
            form_field.label, form_field.help_text, form_field.initial = label, help_text, default
            self.fields[PARAM_PREFIX + field.name] = form_field
        self.params_errors: list[str] = []

    def schedule_fields(self):
        return [self[name] for name in SCHEDULE_LABELS]

    def param_fields(self):
        return [self[PARAM_PREFIX + f.name] for f in dataclass_fields(rules.AuctionParams)]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "blocks": data["blocks"],
            "tender_fee": data["tender_fee"],
            "net_worth_threshold": data["net_worth_threshold"],
            "params": {
                f.name: str(data[PARAM_PREFIX + f.name])
                for f in dataclass_fields(rules.AuctionParams)
                if data.get(PARAM_PREFIX + f.name) is not None
            },
            **{name: data.get(name) for name in SCHEDULE_LABELS},
        }

    def apply_service_errors(self, error) -> None:
        for field, messages in (error.fields or {}).items():
            for message in messages:
                if field == "params":
                    self.params_errors.append(message)
                elif field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, message)
        if not error.fields:
            self.add_error(None, error.message)


class EvaluationForm(forms.Form):
    """Qualify or disqualify one technical bid; a disqualification needs its reason (it is published)."""

    decision = forms.ChoiceField(
        choices=[("qualify", "Qualify"), ("disqualify", "Disqualify")],
        error_messages={"required": "Choose qualify or disqualify.", "invalid_choice": "Choose qualify or disqualify."},
    )
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason",
        help_text="Required to disqualify; published with the evaluation.",
        widget=forms.TextInput(attrs={"size": 40}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "disqualify" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for disqualifying the bid; it is published.")
        return data


class BuyDocumentForm(forms.Form):
    payment_reference = forms.CharField(
        max_length=80,
        label="Payment reference of the tender fee",
        help_text="The bank's transaction number (UTR) of the fee you paid.",
        error_messages={"required": "Give the payment reference of the tender fee (the bank's transaction number)."},
    )


class SealedOfferInput(forms.TextInput):
    """The offer is never written back into a page: after an error it is typed again."""

    input_type = "text"

    def __init__(self):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "e.g. 12.45"})

    def format_value(self, value):
        return None


class BidForm(forms.Form):
    net_worth = forms.CharField(
        label="Net worth (INR)",
        max_length=30,
        help_text="As certified in your net-worth certificate, in rupees.",
        error_messages={"required": "Give your net worth in rupees, e.g. 2500000000."},
    )
    bid_security_reference = forms.CharField(
        label="Bid security reference",
        max_length=80,
        help_text="The number of the bank guarantee furnished as bid security.",
        error_messages={"required": "Give the reference of the bank guarantee for the bid security."},
    )
    declared_affiliates = forms.CharField(
        label="Declared affiliates",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Firms under common control or beneficial ownership with yours, one per line (none: leave empty).",
    )
    technical_bid_document = forms.FileField(
        label="Technical bid document (PDF, at most 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    initial_price_offer = forms.CharField(
        label="Sealed initial price offer (% of the value of mineral despatched)",
        max_length=12,
        widget=SealedOfferInput(),
        help_text="Encrypted as soon as you submit: nobody, you included, sees it again before the opening. "
        "It is never shown back on this page: type it again after any correction.",
        error_messages={"required": "Give your initial price offer, a percentage like 12.45."},
    )
