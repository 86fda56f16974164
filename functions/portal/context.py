"""What every page handler gets: the request, the session (if any) and how to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal import csrf
from portal.api_client import ApiAnswer, Client
from portal.config import Deps
from portal.problems import PageError, field_map
from portal.rendering import render
from portal.sessions import PortalSession
from portal.web import Request, Response, expired_session_cookie, redirect, session_cookie


@dataclass
class Page:
    request: Request
    deps: Deps
    session: PortalSession | None
    cookies: list[str]
    layout: dict[str, Any] = field(default_factory=dict)  # what a page family's frame shows (ministry_common)

    @property
    def client(self) -> Client:
        return Client(source_ip=self.request.source_ip, user_agent=self.request.user_agent)

    def ensure_session(self) -> PortalSession:
        """Forms need a session for their CSRF token: an anonymous one is made on first need."""
        if self.session is None:
            cookie_value, self.session = self.deps.store.create()
            self.cookies.append(session_cookie(cookie_value, self.deps.store.remaining_seconds(self.session)))
        return self.session

    def start_signed_in(self, id_token: str, refresh_token: str | None, expires_in: int) -> None:
        """A fresh session id on sign-in (no fixation): the anonymous one is deleted."""
        if self.session is not None:
            self.deps.store.delete(self.session.key)
        tokens = {"id_token": id_token}
        if refresh_token:
            tokens["refresh_token"] = refresh_token
        cookie_value, self.session = self.deps.store.create(**tokens)
        self.session.data["token_expires_at"] = self.session.created_at + int(expires_in)
        self.deps.store.save(self.session)
        self.cookies.append(session_cookie(cookie_value, self.deps.store.remaining_seconds(self.session)))

    def end_session(self) -> None:
        if self.session is not None:
            self.deps.store.delete(self.session.key)
            self.session = None
        self.cookies.append(expired_session_cookie())

    def check_csrf(self, form: dict[str, str]) -> None:
        csrf.check(self.session, form.get("csrf"))

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, auth: bool = False) -> ApiAnswer:
        token = self.session.secrets.get("id_token") if (auth and self.session) else None
        return self.deps.api.call(method, path, self.client, body=body, token=token)

    def render(self, template: str, status: int = 200, errors: list[PageError] | None = None, **ctx: Any) -> Response:
        errors = errors or []
        html = render(
            template,
            errors=errors,
            field_errors=field_map(errors),
            signed_in=bool(self.session and self.session.signed_in),
            csrf=self.session.csrf if self.session else "",
            **{**self.layout, **ctx},
        )
        return self.finish(Response(status=status, body=html))

    def message(self, status: int, title: str, paragraphs: list[str], link: dict[str, str] | None = None) -> Response:
        return self.render("message.html", status=status, title=title, heading=title, paragraphs=paragraphs, link=link)

    def redirect(self, location: str) -> Response:
        return self.finish(redirect(location))

    def finish(self, response: Response) -> Response:
        response.cookies.extend(self.cookies)
        return response
