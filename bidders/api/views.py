"""The firm API: a firm's own data for its members, every firm (read-only) for regulators (tokens: api/tokens.py).

Thin: input serializers read, services decide and write, selectors read. A firm only ever reaches its own
members, owners and affiliations: every object is looked up within the caller's firm.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bidders import selectors, services
from bidders.api import serializers as s
from bidders.filters import FirmFilter
from bidders.permissions import IsFirmMember, IsRegulator
from bidders.roles import firm_of
from core.api import ErrorSerializer
from core.authentication import TokenAuthentication
from core.pagination import KeysetCursorPagination

AUTH = [TokenAuthentication, SessionAuthentication]
ERRORS_READ = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in: send a token or a session cookie."),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not a member of a firm."),
}
ERRORS_WRITE = {
    400: OpenApiResponse(ErrorSerializer, description="The input is refused; `fields` says what to correct."),
    **ERRORS_READ,
    403: OpenApiResponse(ErrorSerializer, description="Not a member of a firm, or not one of its administrators."),
    409: OpenApiResponse(ErrorSerializer, description="It exists already (a duplicate)."),
}
ERRORS_DELETE = {
    **ERRORS_READ,
    400: OpenApiResponse(ErrorSerializer, description="Refused, e.g. the last administrator of a firm."),
    403: OpenApiResponse(ErrorSerializer, description="Not a member of a firm, or not one of its administrators."),
    404: OpenApiResponse(ErrorSerializer, description="Your firm has nothing with this id."),
}
ERRORS_REGULATOR = {
    401: ERRORS_READ[401],
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not a regulator."),
}


class FirmMemberAPIView(APIView):
    """Base of the /firms/me endpoints: a signed-in member of a firm; the firm is always the caller's."""

    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsFirmMember]

    @property
    def firm(self):
        return firm_of(self.request.user)


# --- /firms/me -----------------------------------------------------------------------------------------


class MyFirmView(FirmMemberAPIView):
    serializer_class = s.MyFirmSerializer

    def _out(self):
        firm = self.firm
        role = selectors.membership_role(user=self.request.user, firm=firm)
        return s.MyFirmSerializer(firm, context={"role": role}).data

    @extend_schema(operation_id="firms_me_retrieve", tags=["firms"], responses={200: s.MyFirmSerializer, **ERRORS_READ})
    def get(self, request):
        """Your firm's registered data, and your role in it."""
        return Response(self._out())

    @extend_schema(
        operation_id="firms_me_update",
        tags=["firms"],
        request=s.FirmUpdateInputSerializer,
        responses={200: s.MyFirmSerializer, **ERRORS_WRITE},
    )
    def patch(self, request):
        """Change your firm's registered data (administrators): only the fields sent change."""
        serializer = s.FirmUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.firm_update(actor=request.user, firm=self.firm, **serializer.validated_data)
        return Response(self._out())


class MyMembersView(FirmMemberAPIView):
    serializer_class = s.MemberSerializer

    @extend_schema(
        operation_id="firms_me_members_list",
        tags=["firms"],
        responses={200: s.MemberSerializer(many=True), **ERRORS_READ},
    )
    def get(self, request):
        """The people who act for your firm, with their roles."""
        return Response(s.MemberSerializer(selectors.firm_members(firm=self.firm), many=True).data)

    @extend_schema(
        operation_id="firms_me_members_create",
        tags=["firms"],
        request=s.MemberInputSerializer,
        responses={201: s.MemberSerializer, **ERRORS_WRITE},
    )
    def post(self, request):
        """Add a person by the username or email of their account (administrators).

        With a `password`, a person without an account gets one (username `user`), which they sign in with.
        """
        serializer = s.MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_add(actor=request.user, firm=self.firm, **serializer.validated_data)
        return Response(s.MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MyMemberView(FirmMemberAPIView):
    serializer_class = s.MemberSerializer

    @extend_schema(operation_id="firms_me_members_destroy", tags=["firms"], responses={204: None, **ERRORS_DELETE})
    def delete(self, request, pk):
        """Remove a person from your firm (administrators); the last administrator stays."""
        membership = selectors.membership_get(firm=self.firm, membership_id=pk)
        services.member_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAffiliationsView(FirmMemberAPIView):
    serializer_class = s.AffiliationSerializer

    @extend_schema(
        operation_id="firms_me_affiliations_list",
        tags=["firms"],
        responses={200: s.AffiliationSerializer(many=True), **ERRORS_READ},
    )
    def get(self, request):
        """The firms your firm declared as affiliates."""
        return Response(s.AffiliationSerializer(selectors.firm_affiliations(firm=self.firm), many=True).data)

    @extend_schema(
        operation_id="firms_me_affiliations_create",
        tags=["firms"],
        request=s.AffiliationInputSerializer,
        responses={201: s.AffiliationSerializer, **ERRORS_WRITE},
    )
    def post(self, request):
        """Declare a registered firm (by its CIN) an affiliate of yours (administrators)."""
        serializer = s.AffiliationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        affiliation = services.affiliation_add(actor=request.user, firm=self.firm, **serializer.validated_data)
        return Response(s.AffiliationSerializer(affiliation).data, status=status.HTTP_201_CREATED)


class MyAffiliationView(FirmMemberAPIView):
    serializer_class = s.AffiliationSerializer

    @extend_schema(operation_id="firms_me_affiliations_destroy", tags=["firms"], responses={204: None, **ERRORS_DELETE})
    def delete(self, request, pk):
        """Withdraw a declaration of affiliation (administrators)."""
        affiliation = selectors.affiliation_get(firm=self.firm, affiliation_id=pk)
        services.affiliation_remove(actor=request.user, affiliation=affiliation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyBeneficialOwnersView(FirmMemberAPIView):
    serializer_class = s.BeneficialOwnerSerializer

    @extend_schema(
        operation_id="firms_me_beneficial_owners_list",
        tags=["firms"],
        responses={200: s.BeneficialOwnerSerializer(many=True), **ERRORS_READ},
    )
    def get(self, request):
        """Your firm's beneficial owners."""
        owners = selectors.firm_beneficial_owners(firm=self.firm)
        return Response(s.BeneficialOwnerSerializer(owners, many=True).data)

    @extend_schema(
        operation_id="firms_me_beneficial_owners_create",
        tags=["firms"],
        request=s.BeneficialOwnerInputSerializer,
        responses={201: s.BeneficialOwnerSerializer, **ERRORS_WRITE},
    )
    def post(self, request):
        """Declare a beneficial owner (administrators); the owners' shares add up to at most 100%."""
        serializer = s.BeneficialOwnerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        owner = services.beneficial_owner_add(actor=request.user, firm=self.firm, **serializer.validated_data)
        return Response(s.BeneficialOwnerSerializer(owner).data, status=status.HTTP_201_CREATED)


class MyBeneficialOwnerView(FirmMemberAPIView):
    serializer_class = s.BeneficialOwnerSerializer

    @extend_schema(
        operation_id="firms_me_beneficial_owners_destroy", tags=["firms"], responses={204: None, **ERRORS_DELETE}
    )
    def delete(self, request, pk):
        """Withdraw a beneficial owner (administrators)."""
        owner = selectors.beneficial_owner_get(firm=self.firm, beneficial_owner_id=pk)
        services.beneficial_owner_remove(actor=request.user, beneficial_owner=owner)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- /firms (regulators) -------------------------------------------------------------------------------


class FirmListView(GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]
    serializer_class = s.FirmListSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = FirmFilter
    ordering_fields = ["legal_name", "cin", "net_worth", "net_worth_as_of", "created_at"]
    pagination_class = KeysetCursorPagination

    def get_queryset(self):
        return selectors.firm_list()

    @extend_schema(
        operation_id="firms_list", tags=["firms"], responses={200: s.FirmListSerializer(many=True), **ERRORS_REGULATOR}
    )
    def get(self, request):
        """Every registered firm (regulators), with filters; ordered by legal name unless `ordering` says."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FirmDetailView(APIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]
    serializer_class = s.FirmDetailSerializer

    @extend_schema(
        operation_id="firms_retrieve",
        tags=["firms"],
        responses={
            200: s.FirmDetailSerializer,
            **ERRORS_REGULATOR,
            404: OpenApiResponse(ErrorSerializer, description="No firm has this CIN."),
        },
    )
    def get(self, request, cin):
        """One firm with its members, affiliates, beneficial owners and documents (regulators)."""
        firm = selectors.firm_get_by_cin(cin=cin)
        return Response(s.FirmDetailSerializer(firm, context={"request": request}).data)
