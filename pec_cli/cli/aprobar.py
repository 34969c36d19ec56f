"""``pec aprobar --trim Q --rol revisó|aprobó --nombre --cargo``: a sign-off of a closed quarter's figures."""

from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def aprobar(
    trim: Annotated[str, typer.Option("--trim", metavar="TRIM", help="Trimestre cerrado que se aprueba: I, II, III o IV.")],
    rol: Annotated[str, typer.Option("--rol", metavar="ROL", help="revisó o aprobó.")],
    nombre: Annotated[str, typer.Option("--nombre", metavar="TEXTO", help="Nombre de quien firma.")],
    cargo: Annotated[str, typer.Option("--cargo", metavar="TEXTO", help="Cargo de quien firma.")],
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Firmar (revisó o aprobó) las cifras selladas de un trimestre cerrado; los informes las muestran."""
    from pec_cli.ledger import store
    from pec_cli.ledger.entries import ROLES
    from pec_cli.ledger.records import clean_text
    from pec_cli.plan.model import QUARTERS
    from pec_cli.plan.names import plain_id, quarter_arg
    from pec_cli.workspace import now_iso

    quarter = quarter_arg(trim)
    label = QUARTERS[quarter - 1]
    base.refuse_empty(rol=rol, nombre=nombre, cargo=cargo)
    wanted = next((r for r in ROLES if plain_id(r) == plain_id(rol)), None)
    if wanted is None:
        raise PecError(f"El rol «{rol}» no existe: use --rol revisó o --rol aprobó.", code=2)
    from pec_cli.cli.registrant import registrant

    ctx = base.load(root, vigencia)
    por = registrant(ctx.workspace)
    state = ctx.quarters()
    closure = state.closed.get(quarter)
    if closure is None:
        raise PecError(f"El Trim. {label} no está cerrado: se aprueban cifras selladas; ciérrelo antes con "
                       f"«pec cierre --trim {label}».")
    same_role = [done for done in state.approvals.get(quarter, []) if done.rol == wanted]
    for done in same_role:
        if plain_id(done.nombre) == plain_id(nombre):
            raise PecError(f"{done.nombre} ya firmó «{wanted}» estas cifras del Trim. {label} ({done.id}, el "
                           f"{done.fecha.isoformat()}); no hace falta otra firma.")
    record = {"clase": "aprobacion", "trimestre": label, "fecha": ctx.today.isoformat(), "rol": wanted,
              "nombre": clean_text("nombre", nombre), "cargo": clean_text("cargo", cargo),
              "cifras_sha256": closure.cifras_sha256, "registrado": now_iso()}
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record], por=por)
    base.tell(f"{record['nombre']} ({record['cargo']}) firmó como «{wanted}» las cifras selladas del Trim. {label} de "
              f"{ctx.plan.vigencia} (cierre {closure.id}).")
    base.warn([f"ya había firmado «{wanted}» {done.nombre} ({done.id}): los informes muestran cada firma; si esta "
               f"reemplaza aquella, anúlela con «pec void {done.id} --motivo …»" for done in same_role])
    typer.echo(entry_id)
