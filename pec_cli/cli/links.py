"""Checking ``atiende`` (the request a piece answers) against the ledger, for ``pec log`` and ``pec import``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pec_cli.context import Context


def link_checker(ctx: Context) -> Callable[[dict[str, Any]], None]:
    """A check for a record's ``atiende``: the ledger's pieces are read once, on first use."""
    from pec_cli.ledger.query import Query
    from pec_cli.ledger.requests import check_link

    found: dict[str, Any] = {}

    def check(record: dict[str, Any]) -> None:
        if not found:
            selection = ctx.entries(Query(anuladas=True))
            found["by_id"] = {e.id: e for e in selection.entries}
            found["voided"] = selection.voided
        check_link(ctx.plan, record, found["by_id"].get(record["atiende"]), found["voided"])

    return check
