"""/api/v1/tokens: the caller's own API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from catalog import accounts
from catalog.models import ApiToken
from portal.app import get_catalog
from portal.auth import require_user

from .schemas import TokenCreateSchema, TokenSchema

PATH = "/tokens"
blp = Blueprint("tokens", __name__, description="API 令牌 · API tokens")


def _token(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "created": t.created, "expires_at": t.expires_at,
            "last_used": t.last_used, "revoked_at": t.revoked_at}


@blp.route("")
class TokenCollection(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @blp.doc(security=[{"token": []}])
    def get(self) -> list[dict[str, Any]]:
        """List your tokens (secrets are never shown again)."""
        actor = require_user()
        with get_catalog().read() as session:
            rows = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == actor.user_id)
                                   .order_by(ApiToken.created))
            return [_token(t) for t in rows]

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    @blp.doc(security=[{"token": []}])
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Create a token; the secret is in this response only."""
        actor = require_user()
        days = args.get("expires_days")
        with get_catalog().write() as session:
            issued = accounts.create_token(session, accounts.get_user(session, str(actor.user_id)), args["name"],
                                           expires_in=timedelta(days=days) if days else None)
            return {**_token(issued.record), "token": issued.token}


@blp.route("/<token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    @blp.doc(security=[{"token": []}])
    def delete(self, token_id: str) -> None:
        """Revoke one of your tokens."""
        actor = require_user()
        with get_catalog().write() as session:
            accounts.revoke_token(session, token_id, by=accounts.get_user(session, str(actor.user_id)))
