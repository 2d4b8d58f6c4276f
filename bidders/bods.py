"""Beneficial ownership as open data (EITI Requirement 2.5): a firm's beneficial owners as Beneficial Ownership Data
Standard 0.4 statements. Pure: it turns firms and owners already read into statements (plain dicts).

Only what the owner consented to publish (bidders.ownership_notice) leaves here: the person's full name and
nationality, and the nature and share of their interest (shareholding; control where declared). Never a PAN or any
identity number of a person, never an address, never a birth date. The firm is published with its name, jurisdiction
and Corporate Identification Number (a public company register's number, as in the OCDS feed). An owner without a
recorded consent is left out (the caller says so in its answer). Each statement's id is a hash of what it states, so
an unchanged fact keeps its id from one publication to the next.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

BODS_VERSION = "0.4"
FIRM_SCHEME = "IN-MCA"
FIRM_SCHEME_NAME = "Ministry of Corporate Affairs, Corporate Identification Number"
# Nationalities as firms declare them, to the country (BODS asks the country's name and its ISO 3166-1 alpha-2 code);
# another nationality is published as declared, without a code.
COUNTRIES = {"indian": ("India", "IN"), "india": ("India", "IN")}
CONTROL_DETAILS = "Exercises control, directly or indirectly, as the firm declared (Companies Act 2013 s.2(27))."


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str
    licence: str


def _statement_id(record_id: str, details: dict, statement_date: str) -> str:
    body = json.dumps([record_id, statement_date, details], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()  # 64 characters: BODS asks 32 to 64


def _day(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def _statement(*, record_id, record_type, details, subject, statement_date, published, publisher) -> dict:
    return {
        "statementId": _statement_id(record_id, details, statement_date),
        "statementDate": statement_date,
        "publicationDetails": {
            "publicationDate": published,
            "bodsVersion": BODS_VERSION,
            "license": publisher.licence,
            "publisher": {"name": publisher.name, "url": publisher.url},
        },
        "source": {
            "type": ["selfDeclaration"],
            "description": "Declared by the firm on Khanij, with the owner's consent to publication.",
        },
        "declarationSubject": subject,
        "recordId": record_id,
        "recordType": record_type,
        "recordStatus": "new",
        "recordDetails": details,
    }


def entity_record_id(firm) -> str:
    return f"khanij-firm-{firm.cin}"


def firm_statements(firm, owners, *, published: date, publisher: Publisher) -> list[dict]:
    """The statements of one firm: the firm (an entity), then each consenting owner (a person) and their interest (a
    relationship). `owners` are the firm's BeneficialOwner rows; those without a recorded consent are skipped."""
    consenting = [o for o in owners if o.publication_consent_at is not None]
    if not consenting:
        return []
    subject = entity_record_id(firm)
    published_on = _day(published)
    entity = {
        "isComponent": False,
        "entityType": {"type": "registeredEntity"},
        "name": firm.legal_name,
        "jurisdiction": {"name": "India", "code": "IN"},
        "identifiers": [{"id": firm.cin, "scheme": FIRM_SCHEME, "schemeName": FIRM_SCHEME_NAME}],
    }
    first_consent = min(_day(o.publication_consent_at) for o in consenting)
    statements = [
        _statement(record_id=subject, record_type="entity", details=entity, subject=subject,
                   statement_date=first_consent, published=published_on, publisher=publisher)
    ]  # fmt: skip
    for owner in consenting:
        person_id = f"khanij-person-{owner.pk}"
        country = COUNTRIES.get(owner.nationality.strip().lower())
        nationality = {"name": country[0], "code": country[1]} if country else {"name": owner.nationality}
        person = {
            "isComponent": False,
            "personType": "knownPerson",
            "names": [{"type": "legal", "fullName": owner.name}],
            "nationalities": [nationality],
        }
        interests = [
            {
                "type": "shareholding",
                "directOrIndirect": "unknown",
                "beneficialOwnershipOrControl": True,
                "share": {"exact": Decimal(owner.share)},
            }
        ]
        if owner.has_control:
            interests.append(
                {
                    "type": "otherInfluenceOrControl",
                    "directOrIndirect": "unknown",
                    "beneficialOwnershipOrControl": True,
                    "details": CONTROL_DETAILS,
                }
            )
        relationship = {"isComponent": False, "subject": subject, "interestedParty": person_id, "interests": interests}
        day = _day(owner.publication_consent_at)
        statements.append(
            _statement(record_id=person_id, record_type="person", details=person, subject=subject,
                       statement_date=day, published=published_on, publisher=publisher)
        )  # fmt: skip
        statements.append(
            _statement(record_id=f"khanij-relationship-{owner.pk}", record_type="relationship", details=relationship,
                       subject=subject, statement_date=day, published=published_on, publisher=publisher)
        )  # fmt: skip
    return statements
