"""One family of errors that services raise; the API maps them to HTTP in one place (core.api)."""


class ApplicationError(Exception):
    """A request that the rules refuse. `message` is written for the person who made it."""

    status_code = 400
    code = "invalid"
    retry_after: int | None = None  # seconds; sent as the Retry-After header when set

    def __init__(self, message, *, fields=None, code=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"
