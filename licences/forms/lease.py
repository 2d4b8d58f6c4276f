"""Forms of the pages after the auction (licences/views/lease.py): they read what a person typed; the services in
licences.services decide. Field names are the services' argument names, so a service's per-field message
lands next to its field."""

from django import forms

MONEY_ERRORS = {
    "required": "Give the amount in rupees.",
    "invalid": "Give an amount in rupees like 1000000.00 (digits, at most two decimals).",
    "max_decimal_places": "Give the amount to the paisa: at most two decimals.",
    "max_digits": "That amount is too large; check it.",
}
DATE_ERRORS = {"required": "Give the date.", "invalid": "Give a date like 2027-04-15."}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthInput(forms.TextInput):
    input_type = "month"


class PaymentForm(forms.Form):
    obligation = forms.TypedChoiceField(
        coerce=int,
        label="For",
        error_messages={
            "required": "Choose what the payment is for.",
            "invalid_choice": "Choose one of the dues listed; that one is not open for payment.",
        },
    )
    amount = forms.DecimalField(
        label="Amount paid (INR)",
        max_digits=18,
        decimal_places=2,
        min_value=0,
        error_messages={**MONEY_ERRORS, "min_value": "The amount cannot be negative."},
        help_text="The exact amount due, interest included when the due is more than 60 days late.",
    )
    reference = forms.CharField(
        label="Reference",
        max_length=80,
        error_messages={
            "required": "Give the bank's transaction number (or the guarantee's number).",
            "max_length": "At most 80 characters: the transaction number only.",
        },
        help_text="The bank's transaction number (UTR), or the bank guarantee's number for the security.",
    )
    paid_on = forms.DateField(label="Paid on", widget=DateInput(), error_messages=DATE_ERRORS)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [("", "Choose a due")] + [
            (o.pk, f"{o.title}, due {o.due_on:%d %b %Y}") for o in obligations
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Say why the payment is rejected; the firm reads it.",
            "max_length": "At most 300 characters.",
        },
    )


class MetForm(forms.Form):
    met_on = forms.DateField(label="Met on", widget=DateInput(), error_messages=DATE_ERRORS)


class MdpaForm(forms.Form):
    signed_on = forms.DateField(
        label="Signed on", widget=DateInput(), required=False, error_messages=DATE_ERRORS, help_text="Today if empty."
    )


class ExecuteForm(forms.Form):
    executed_on = forms.DateField(
        label="Executed on", widget=DateInput(), required=False, error_messages=DATE_ERRORS, help_text="Today if empty."
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revocation",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason; it is published with the rule cited."},
    )


class PremiumReturnForm(forms.Form):
    month = forms.CharField(
        label="Month",
        widget=MonthInput(),
        error_messages={"required": "Give the month of the despatches, like 2029-03."},
        help_text="The month whose despatches this return reports (YYYY-MM).",
    )
    mineral = forms.ChoiceField(label="Mineral", error_messages={"required": "Choose the mineral despatched."})
    quantity_tonnes = forms.DecimalField(
        label="Quantity despatched (tonnes)",
        max_digits=18,
        decimal_places=3,
        min_value=0,
        error_messages={
            "required": "Give the quantity despatched in tonnes (0 if none).",
            "invalid": "Give the quantity in tonnes like 1250.500.",
            "max_decimal_places": "Give the quantity to the kilogram: at most three decimals.",
            "min_value": "The quantity cannot be negative.",
        },
    )
    price_per_tonne = forms.DecimalField(
        label="IBM average sale price (INR per tonne)",
        max_digits=18,
        decimal_places=2,
        min_value=0,
        error_messages={**MONEY_ERRORS, "min_value": "The price cannot be negative."},
        help_text="The price the Indian Bureau of Mines published for the month.",
    )

    def __init__(self, *args, minerals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mineral"].choices = [("", "Choose a mineral")] + [(m.slug, m.name) for m in minerals]
