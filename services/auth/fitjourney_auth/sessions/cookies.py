"""The refresh-token cookie web clients may use instead of a token in the body."""

from __future__ import annotations

from fastapi import Request, Response

from fitjourney_auth.settings import AuthSettings


def set_refresh_cookie(response: Response, settings: AuthSettings, token: str, max_age: int) -> None:
    # HttpOnly: page scripts never see it; SameSite=Strict + Path: sent only to auth, only from our site.
    response.set_cookie(
        settings.refresh_cookie_name, token, max_age=max_age, path=settings.refresh_cookie_path,
        domain=settings.refresh_cookie_domain, secure=settings.refresh_cookie_secure, httponly=True,
        samesite=settings.refresh_cookie_samesite.capitalize(),  # type: ignore[arg-type]
    )


def clear_refresh_cookie(response: Response, settings: AuthSettings) -> None:
    response.delete_cookie(
        settings.refresh_cookie_name, path=settings.refresh_cookie_path, domain=settings.refresh_cookie_domain,
        secure=settings.refresh_cookie_secure, httponly=True,
        samesite=settings.refresh_cookie_samesite.capitalize(),  # type: ignore[arg-type]
    )


def refresh_cookie(request: Request, settings: AuthSettings) -> str | None:
    value = request.cookies.get(settings.refresh_cookie_name)
    return value or None
