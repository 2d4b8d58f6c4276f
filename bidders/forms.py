"""Forms of the firm pages: they read what a person typed; the services decide whether it is acceptable.

Field names are the services' argument names, so that a service's per-field messages land on the field.
"""

from django import forms

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Membership
from bidders.services import DOCUMENT_MAX_BYTES
from core.errors import ApplicationError

DATE_MESSAGES = {"invalid": "Write the date as YYYY-MM-DD, e.g. 2026-03-31."}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_errors(error: ApplicationError, *forms_):
    """Attach a service's per-field messages to the form that has the field, or to the first form."""
    for field, messages in error.fields.items():
        target = next((f for f in forms_ if field in f.fields), None)
        for message in messages:
            if target is not None:
                target.add_error(field, message)
            else:
                forms_[0].add_error(None, message)
    if not error.fields:
        forms_[0].add_error(None, error.message)


class AccountForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, help_text="Letters, digits and @ . + - _ only.")
    email = forms.EmailField(
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.in."},
        help_text="Deadlines and receipts are sent here.",
    )
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    password_confirm = forms.CharField(
        required=False, label="Password (again)", widget=forms.PasswordInput(render_value=False)
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords differ; type the same password twice.")
        return data


class FirmForm(forms.Form):
    legal_name = forms.CharField(required=False, max_length=200, label="Legal name")
    cin = forms.CharField(
        required=False,
        max_length=30,
        label="CIN",
        help_text="Corporate Identification Number, e.g. U13100MH2020PTC123456.",
    )
    pan = forms.CharField(required=False, max_length=20, label="PAN", help_text="The company's PAN, e.g. AAACK1234F.")
    registered_address = forms.CharField(
        required=False, label="Registered office address", widget=forms.Textarea(attrs={"rows": 3})
    )
    incorporated_in_india = forms.BooleanField(
        required=False, initial=True, label="Incorporated in India (under the Companies Act)"
    )
    net_worth = forms.CharField(
        required=False,
        label="Net worth (INR)",
        help_text="In rupees, e.g. 250000000 or 25,00,00,000 for Rs 25 crore.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    net_worth_as_of = forms.DateField(
        required=False, label="Net worth as of", widget=DateInput(), error_messages=DATE_MESSAGES
    )


class MemberAddForm(forms.Form):
    user = forms.CharField(
        required=False, max_length=150, label="Username or email", help_text="Of the person's Khanij account."
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.BIDDER)
    email = forms.CharField(required=False, label="Email (new account only)")
    password = forms.CharField(
        required=False,
        label="Password (new account only)",
        widget=forms.PasswordInput(render_value=False),
        help_text="Only for a person without an account: creates it; they sign in with it and change it.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class AffiliationForm(forms.Form):
    affiliate_cin = forms.CharField(required=False, max_length=30, label="Affiliate's CIN")
    kind = forms.ChoiceField(choices=Affiliation.Kind.choices, label="Kind")
    share = forms.CharField(required=False, label="Share (%)", help_text="Optional: the shareholding, 0 to 100.")


class BeneficialOwnerForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, label="Full name")
    pan = forms.CharField(required=False, max_length=20, label="PAN")
    nationality = forms.CharField(required=False, max_length=60, initial="Indian")
    share = forms.CharField(required=False, label="Share (%)", help_text="0 to 100; all owners together at most 100.")
    has_control = forms.BooleanField(
        required=False, label="Has control", help_text=BeneficialOwner._meta.get_field("has_control").help_text
    )
    publication_consent = forms.BooleanField(
        required=False,
        label="The owner has read the notice above and consents to the publication of their name, nationality and "
        "interest",
        help_text="Required (Digital Personal Data Protection Act 2023). The PAN and addresses are never published.",
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=EligibilityDocument.Kind.choices, label="Document")
    file = forms.FileField(
        required=False,
        help_text=f"PDF, PNG or JPEG, at most {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
    description = forms.CharField(required=False, max_length=200)
