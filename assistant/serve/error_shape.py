"""The body of every error the server sends: OpenAI's `{"error": {"message", "type",
"param", "code"}}` (see `assistant.serve.errors` for which failure gets which).

Its own module, free of any web framework, because the guard (`security`) builds error
bodies too and the one-shot commands import it through the service on an install
without the `serve` extra."""

from __future__ import annotations

from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    421: "invalid_request_error",
    500: "server_error",
    503: "service_unavailable_error",
}


def error_body(
    message: str, status: int, code: str, param: str | None = None
) -> dict[str, dict[str, Any]]:
    return {
        "error": {
            "message": message,
            "type": ERROR_TYPES.get(status, "server_error"),
            "param": param,
            "code": code,
        }
    }
