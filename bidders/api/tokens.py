"""API tokens for programs: issue one with credentials, list yours, revoke one or all, sign a token out.

Every signed-in user (a firm's member, a regulator, an account without a firm) manages only their own tokens; an
administrator revokes anyone's in the back office. The token is in the answer of its issue and nowhere else.
"""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bidders import selectors, services
from core.api import UNAUTHENTICATED, error_response
from core.authentication import TokenAuthentication
from core.fields import StrictCharField
from core.models import ApiToken
from core.serializers import ModelSerializer

TAGS = ["auth"]


class TokenInputSerializer(serializers.Serializer):
    username = StrictCharField(allow_blank=True)
    password = StrictCharField(allow_blank=True, style={"input_type": "password"}, write_only=True)
    name = StrictCharField(
        allow_blank=True,
        help_text=(
            "The program this token is for, e.g. bidding-robot (at most 100 characters). One token per program: "
            "a new token under a name you already use replaces the old one, which stops working at once."
        ),
    )


class TokenSerializer(ModelSerializer):
    """What is stored of a token: never the token itself."""

    current = serializers.SerializerMethodField(help_text="Whether this request was signed with this token.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "expiry", "last_used", "current"]
        read_only_fields = fields
        extra_kwargs = {
            "created": {"help_text": "When it was issued."},
            "expiry": {"help_text": "From this time on it is refused (401 `token_expired`)."},
            "last_used": {"help_text": "When it last signed a request, to the minute; null if never."},
        }

    def get_current(self, token) -> bool:
        auth = self.context.get("auth")
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class IssuedTokenSerializer(TokenSerializer):
    token = StrictCharField(
        help_text="Send it as `Authorization: Token <token>`. Shown this once: only a hash of it is stored."
    )
    username = StrictCharField(source="user.username")
    replaced = serializers.BooleanField(help_text="A token of the same name was revoked by this issue.")

    class Meta(TokenSerializer.Meta):
        fields = ["token", "username", *(f for f in TokenSerializer.Meta.fields if f != "current"), "replaced"]
        read_only_fields = fields


@method_decorator(csrf_exempt, name="dispatch")
class AuthTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = TokenInputSerializer

    @extend_schema(
        operation_id="auth_token_create",
        tags=TAGS,
        request=TokenInputSerializer,
        responses={
            201: IssuedTokenSerializer,
            400: error_response(
                "`invalid`: a field is missing or the name is refused (`fields` says which); `invalid_credentials`: "
                "wrong username or password."
            ),
            409: error_response("`too_many_tokens`: the account holds `API_TOKENS_PER_USER` tokens already."),
            429: error_response(
                "`locked_out`: too many wrong passwords for this username from this address; every attempt, "
                "even with the right password, is refused until the time the message gives. The `Retry-After` "
                "header says in how many seconds."
            ),
        },
        examples=[
            OpenApiExample(
                "Credentials",
                value={"username": "alice", "password": "...", "name": "bidding-robot"},
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        """Exchange a username and password for an API token for one program (`Authorization: Token <token>`).

        The token is in this answer only: store it. It works until `expiry` (`API_TOKEN_DAYS` after its issue, 30
        days by default), then issue a new one; revoke it earlier with `DELETE /api/v1/auth/tokens/{id}` or
        `POST /api/v1/auth/logout`."""
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.auth_token_issue(**serializer.validated_data, request=request)
        record = issued.record
        record.token, record.replaced = issued.token, issued.replaced
        return Response(IssuedTokenSerializer(record).data, status=status.HTTP_201_CREATED)


class MyTokensView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = TokenSerializer

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=TAGS,
        responses={200: TokenSerializer(many=True), 401: UNAUTHENTICATED},
    )
    def get(self, request):
        """Your API tokens, newest first (at most `API_TOKENS_PER_USER`), without the tokens themselves."""
        tokens = selectors.api_tokens(user=request.user)
        return Response(TokenSerializer(tokens, many=True, context={"auth": request.auth}).data)

    @extend_schema(
        operation_id="auth_tokens_revoke_all",
        tags=TAGS,
        responses={
            200: inline_serializer("TokensRevoked", {"revoked": serializers.IntegerField()}),
            401: UNAUTHENTICATED,
        },
    )
    def delete(self, request):
        """Revoke every one of your API tokens (this request's too): each is refused from its next request on."""
        return Response({"revoked": services.auth_tokens_revoke_all(user=request.user)})


class MyTokenView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke",
        tags=TAGS,
        responses={
            204: None,
            401: UNAUTHENTICATED,
            404: error_response("`not_found`: you have no token with this id (revoked already, or not yours)."),
        },
    )
    def delete(self, request, pk):
        """Revoke one of your API tokens: it is refused from its next request on."""
        services.auth_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        tags=TAGS,
        request=None,
        responses={204: None, 401: UNAUTHENTICATED},
    )
    def post(self, request):
        """Revoke the token this request is signed with (a program signs out); your other tokens keep working."""
        services.auth_token_logout(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
