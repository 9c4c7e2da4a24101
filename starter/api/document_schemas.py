"""Bodies of the documents, certificate and public register endpoints."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class DocumentOut(BaseModel):
    kind: str
    name: str
    detail: str
    basis: str = Field(description="the article that asks for it")
    reason: str | None = Field(None, description="why this application needs it, if conditional")


class CommissionPlaceOut(BaseModel):
    code: str
    name: str
    address: str | None


class DocumentsOut(BaseModel):
    application_no: str
    state: str
    commission: CommissionPlaceOut
    bring_by: datetime | None = Field(None, description="deadline, while awaiting documents")
    documents: list[DocumentOut]


class PlaceOut(BaseModel):
    code: str
    name: str


class FilingAtOut(BaseModel):
    institution: PlaceOut
    start_on: date
    end_on: date | None


class CertificateFactsOut(BaseModel):
    """A registration's facts, as a certificate states them (the name masked)."""

    certificate_no: str
    name: str
    level: str
    level_name: str
    category: str
    category_name: str
    scope: str | None
    scope_name: str
    location: PlaceOut
    institution: PlaceOut
    commission: PlaceOut
    registered_on: date
    filings: list[FilingAtOut]


class VerificationOut(BaseModel):
    status: str = Field(description="valid | superseded | cancelled | invalid")
    status_name: str
    since: date | None = Field(None, description="the day the registration ended")
    issued_on: date
    key_id: str
    certificate: CertificateFactsOut
    current: CertificateFactsOut | None = Field(
        None, description="the registration's facts now, when a later change superseded these"
    )


class RegisterEntryOut(BaseModel):
    certificate_no: str | None
    level: str
    level_name: str
    category: str
    category_name: str
    scope: str | None
    scope_name: str
    location: PlaceOut
    institution: PlaceOut
    status: str = Field(description="active | cancelled | superseded | invalid")
    status_name: str
    registered_on: date
    ended_on: date | None
    filings: list[FilingAtOut]


class RegisterPersonOut(BaseModel):
    name: str
    registrations: list[RegisterEntryOut]


class RegisterOut(BaseModel):
    people: list[RegisterPersonOut]


class RegisterQueryIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="the exact name")
    certificate_no: str | None = Field(None, max_length=32)
    institution: str | None = Field(
        None, max_length=128, description="institution code or exact name"
    )


class JwkOut(BaseModel):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str
    status: str = Field(description="active (signs now) | retired (verifies old certificates)")


class JwksOut(BaseModel):
    keys: list[JwkOut]
