"""Who may call the signed-in auction API, and what its refusals look like: regulators, or a firm's members (who
read) and its administrators and authorised bidders (who act, bidders.rules.may_act); the bases of its views and
of its acts (core.api.ActApi: one service call on the object the path names)."""

from rest_framework import generics
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from bidders.permissions import IsFirmMember, IsRegulator
from bidders.roles import firm_of
from bidders.rules import may_act
from bidders.selectors import membership_role
from core.api import ActApi, error_response
from core.authentication import TokenAuthentication
from core.pagination import KeysetCursorPagination

AUTH = [TokenAuthentication, SessionAuthentication]

NOT_REGULATOR = error_response("`permission_denied`: signed in, but not a regulator.")
NOT_FIRM = error_response("`permission_denied`: not a member of a firm.")
NOT_BIDDER = error_response(
    "`permission_denied`: not a member of a firm, or a viewer of it: only its administrators and authorised "
    "bidders may act for it."
)
INVALID = error_response("`invalid`: the input is refused; `message` says why and `fields` what to correct.")
NO_AUCTION = error_response("`not_found`: no such auction.")


class Pagination(KeysetCursorPagination):
    page_size = 50


class RegulatorAPIView(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]


class MayActForFirm(BasePermission):
    """Reading is for every member of the firm; acting (POST, DELETE) for its administrators and authorised bidders,
    refused before the input is read (the services check it again)."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        firm = firm_of(request.user)
        role = membership_role(user=request.user, firm=firm)
        if may_act(role):
            return True
        self.message = (
            f"As a {role} of {firm.legal_name} you may follow its bids but not make them; ask your firm's "
            "administrator for the bidder role."
        )
        return False


class FirmAPIView(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsFirmMember, MayActForFirm]


# A regulator's act (core.api.ActApi) on the tranche, auction or bid its path names. (Comments, not docstrings: the
# schema would describe an act without a description of its own with a base's docstring.)
class RegulatorAct(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]
    doc_tags = ["auctions: regulator"]
    forbidden = NOT_REGULATOR
    act_on = "auction_id"
    missing = NO_AUCTION


# A firm's act on the auction its path names, by one who may act for the firm.
class FirmAct(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsFirmMember, MayActForFirm]
    doc_tags = ["auctions: firm"]
    forbidden = NOT_BIDDER
    act_on = "auction_id"
    missing = NO_AUCTION
