"""`shopassist serve`: the chat UI, the HTTP API and the embeddable widget on one port."""

from __future__ import annotations

import click

from catalog.cli import db_url_option


@click.command("serve")
@db_url_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--llm", type=click.Choice(["embedded", "openai", "rules"]), default="embedded", show_default=True,
              help="Intent parser: the embedded model, an OpenAI-compatible server, or rules only (no model).")
@click.option("--llm-url", default=None, help="Base URL of the OpenAI-compatible server (with --llm openai).")
@click.option("--llm-model", default=None, help="Model name or local model file.")
@click.option("--search", type=click.Choice(["auto", "hybrid", "catalog"]), default="auto", show_default=True)
@click.option("--admin-key", envvar="SHOPASSIST_ADMIN_KEY", default=None,
              help="API key for the admin endpoints (header X-API-Key). Env: SHOPASSIST_ADMIN_KEY. Unset: admin API off.")
@click.option("--rate-limit", default=120.0, show_default=True, type=float,
              help="Shopper requests per minute per client IP (0: no limit).")
@click.option("--burst", default=30, show_default=True, type=int, help="Requests a client may make at once.")
def serve_command(
    db_url: str | None, host: str, port: int, llm: str, llm_url: str | None, llm_model: str | None, search: str,
    admin_key: str | None, rate_limit: float, burst: int,
) -> None:
    """Serve the shopper chat (/ui/), the HTTP API (/api/v1, docs at /docs) and the widget (/widget.js)."""
    from catalog.db import CatalogDatabaseError
    from ui.ratelimit import RateLimit
    from ui.server import serve

    if burst < 1:
        raise click.BadParameter("must be at least 1", param_hint="--burst")
    try:
        serve(
            db_url=db_url, host=host, port=port, llm=llm, llm_url=llm_url, llm_model=llm_model, search=search,
            admin_key=admin_key, rate_limit=RateLimit(per_minute=rate_limit, burst=burst) if rate_limit > 0 else None,
        )
    except CatalogDatabaseError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("user-token")
@click.argument("user_id")
@click.option("--ttl", default=24 * 3600, show_default=True, type=int, help="Seconds the token stays valid.")
@click.option("--secret", envvar="SHOPASSIST_USER_SECRET", default=None, show_envvar=True,
              help="The secret the server was started with.")
def user_token_command(user_id: str, ttl: int, secret: str | None) -> None:
    """Sign USER_ID the way a shop's server does for the widget's data-user-token (for trying it out;
    a shop signs on its own server, see ui/identity.py)."""
    from ui.identity import sign_user

    if not secret:
        raise click.UsageError("no secret: set SHOPASSIST_USER_SECRET (the value the server runs with) or pass --secret")
    if ttl < 1:
        raise click.BadParameter("must be at least 1 second", param_hint="--ttl")
    click.echo(sign_user(user_id, secret, ttl_s=ttl))
