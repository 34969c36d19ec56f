"""Checking ``atiende`` (the request a piece answers) against the ledger, for ``pec log`` and ``pec import``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pec_cli.context import Context


def link_checker(ctx: Context) -> Callable[[dict[str, Any]], None]:
    """A check for a record's ``atiende``: the entry it names found by the segments' keys (its id names its
    segment's line), loaded on first use; no read of the whole ledger."""
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.ledger.entries import entry_of
    from pec_cli.ledger.requests import check_link

    loaded: list[tuple[LedgerKeys, dict[str, str]]] = []

    def check(record: dict[str, Any]) -> None:
        if not loaded:
            keys = LedgerKeys(ctx.workspace, ctx.plan.vigencia)
            loaded.append((keys, dict.fromkeys(keys.voided, "")))
        keys, voided = loaded[0]
        found = [line.record for _, line in keys.find(record["atiende"]) if line.record is not None]
        check_link(ctx.plan, record, entry_of(found[0]) if len(found) == 1 else None, voided)

    return check
