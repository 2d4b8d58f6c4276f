"""Forms of the auction pages (auctions/views/regulator.py, firm.py): they read what a person typed, in IST; the
services in auctions.services decide whether it is acceptable. Field names are the services' argument names, so a
service's per-field message lands next to its field."""

from dataclasses import fields as dataclass_fields
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from auctions import rules
from auctions.models import Tranche
from auctions.wording import words
from blocks.models import Block

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
    "upfront_instalment_1_pct": ("Upfront payment: first instalment (%)", "Paid before the Letter of Intent."),
    "upfront_instalment_2_pct": ("Upfront payment: second instalment (%)", "Paid on the development agreement."),
    "upfront_instalment_3_pct": ("Upfront payment: balance (%)", "Paid at execution of the lease."),
    "performance_security_reset_years": ("Performance security reset (years)", ""),
    "preferred_bidder_payment_days": ("Days for the first instalment and security", "From the declaration."),
    "ml_mining_plan_months": ("Mining lease: mining plan approved within (months of LoI)", ""),
    "ml_environment_clearance_months": ("Mining lease: environment clearance within (months after that)", ""),
    "ml_execution_months": ("Mining lease: executed within (months after that)", ""),
    "cl_execution_months": ("Composite licence: executed within (months of LoI)", ""),
    "cl_g2_months": ("Composite licence: G2 reached within (months of LoI)", ""),
    "delay_penalty_pct_per_month": ("Delay penalty (% of performance security per month or part)", ""),
    "late_interest_pct_per_year": ("Interest on late dues (% a year, simple)", ""),
    "late_interest_after_days": ("Interest runs on dues unpaid beyond (days)", ""),
    "premium_concession_pct": ("Premium payable on early despatches (%)", ""),
    "premium_concession_years_ml": ("Early-despatch period, mining lease (years from LoI)", ""),
    "premium_concession_years_cl": ("Early-despatch period, composite licence (years from LoI)", ""),
    "el_max_area_km2": ("Exploration licence: largest area (km²)", ""),
    "el_term_years": ("Exploration licence: term (years)", ""),
    "el_extension_max_years": ("Exploration licence: one extension of at most (years)", ""),
    "el_relinquishment_after_years": ("Exploration licence: relinquishment after (years)", ""),
    "el_retained_max_pct": ("Exploration licence: area kept at most (% of the original)", ""),
    "el_discovery_auction_months": ("Exploration licence: lease auctioned within (months of the report)", ""),
    "el_report_interval_months": ("Exploration licence: work-programme report every (months)", ""),
    "surrender_notice_months": ("Notice of a surrender (months)", "The licence ends when the notice has run."),
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


def eligible_blocks(kind: str = Tranche.Kind.LEASE):
    """Blocks that may go in a tranche of this kind, identified or annulled, with a reserve price: for leases, Part D
    blocks (the Centre auctions them); for exploration licences, blocks with a Seventh Schedule mineral at G4 or G3.
    The service checks the rest (every mineral of the Seventh Schedule, the area, the ceiling) and says what fails."""
    offerable = Block.objects.filter(
        status__in=(Block.Status.IDENTIFIED, Block.Status.ANNULLED), reserve_price_pct__isnull=False
    )
    if kind == Tranche.Kind.EXPLORATION:
        offerable = offerable.filter(el_eligible=True, exploration_stage__in=sorted(rules.EL_STAGES))
    else:
        offerable = offerable.filter(auction_authority="central")
    return offerable.order_by("code")


# What the tranche form says of each kind of tranche.
KIND_TEXTS = {
    Tranche.Kind.LEASE: {
        "blocks": "Blocks identified or annulled, with a Part D mineral and a reserve price.",
        "net_worth": "Capped per block by the lease kind's cap below.",
        "none": "a lease tranche takes blocks that are identified or annulled, have a Part D mineral and a reserve "
        "price",
    },
    Tranche.Kind.EXPLORATION: {
        "blocks": "Blocks identified or annulled, of Seventh Schedule minerals only, at G4 or G3, of at most "
        "1,000 km², whose reserve price is the ceiling on the share of the future premium (at least 25%, "
        "RULES.md s.4).",
        "net_worth": "At least the exploration licence's minimum net worth below (Rs 25 crore by default).",
        "none": "an exploration-licence tranche takes blocks that are identified or annulled, hold a Seventh Schedule "
        "mineral, are at G4 or G3 and have a ceiling (reserve price)",
    },
}


def tranche_kind(value) -> str:
    """The kind of tranche asked for (a form field or the page's query), lease when missing or unknown."""
    return value if value in Tranche.Kind.values else Tranche.Kind.LEASE


class TrancheForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Tranche.Kind.choices,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose what the tranche auctions: leases or exploration licences."},
    )
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

    def __init__(self, *args, kind: str = Tranche.Kind.LEASE, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_kind = tranche_kind(self.data.get("kind") if self.is_bound else kind)
        self.texts = KIND_TEXTS[self.chosen_kind]
        self.fields["kind"].initial = self.chosen_kind
        self.fields["blocks"].help_text = self.texts["blocks"]
        self.fields["net_worth_threshold"].help_text = self.texts["net_worth"]
        self.block_rows = list(
            eligible_blocks(self.chosen_kind).only(
                "code", "name", "state", "lease_kind", "reserve_price_pct", "exploration_stage", "area_hectares"
            )
        )
        if self.chosen_kind == Tranche.Kind.EXPLORATION:
            self.fields["net_worth_threshold"].initial = rules.AuctionParams().el_min_net_worth
            self.fields["blocks"].choices = [
                (
                    b.code,
                    f"{b.code} · {b.name} · {b.state} · {b.exploration_stage} · "
                    f"{f'{b.area_km2:,.2f} km²' if b.area_hectares is not None else 'no surveyed area'} · "
                    f"ceiling {b.reserve_price_pct}%",
                )
                for b in self.block_rows
            ]
        else:
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
            "kind": self.chosen_kind,
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

    def __init__(self, *args, direction: str = rules.ASCENDING, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initial_price_offer"].label = f"Sealed initial price offer ({words(direction)['unit_label']})"
