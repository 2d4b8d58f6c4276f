from rest_framework.permissions import BasePermission

from bidders.roles import firm_of, is_regulator


class IsRegulator(BasePermission):
    message = "Only regulators may do this. Sign in with a regulator account."

    def has_permission(self, request, view):
        return is_regulator(request.user)


class IsFirmMember(BasePermission):
    message = "Only members of a registered firm may do this. Register your firm first."

    def has_permission(self, request, view):
        return firm_of(request.user) is not None
