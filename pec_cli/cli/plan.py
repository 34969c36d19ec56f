"""``pec plan check`` and ``pec plan show``."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, load, plan_app, warn, year

if TYPE_CHECKING:
    from pec_cli.plan.model import Plan
    from pec_cli.workspace import Workspace


@plan_app.command("check", cls=SpanishCommand)
def plan_check(root: RootOpt = None, vigencia: VigenciaOpt = None) -> None:
    """Validar el plan e informar de todos sus errores, con archivo y línea."""
    from pec_cli.plan.loader import load_plan
    from pec_cli.workspace import find_workspace, today

    ws = find_workspace(root)
    path = ws.plan_path(year(vigencia), today())
    plan = load_plan(path, ws.display(path), document=True)
    _check_ledger(ws, plan, ws.display(path))
    _check_closed_versions(ws, plan, ws.display(path))
    from pec_cli.plan.document import firmas_notices
    from pec_cli.plan.proportion import programacion_notices

    # the plan's own inconsistencies: pointed out, never changed
    warn(programacion_notices(plan) + firmas_notices(plan))
    typer.echo(
        f"El plan {ws.display(path)} es válido: vigencia {plan.vigencia}, "
        f"{len(plan.lineas)} líneas, {len(plan.actividades)} actividades."
    )


@plan_app.command("show", cls=SpanishCommand)
def plan_show(
    formato: Annotated[str, typer.Option(
        "--format", metavar="FORMATO",
        help="table (por defecto: el plan en tablas), o el documento del plan para publicarlo: html o markdown "
             "(en la salida estándar, o en -o ARCHIVO), pdf (plan-<vigencia>.pdf, o -o ARCHIVO).")] = "table",
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="ARCHIVO", help="Archivo del documento; «-o -» lo escribe en la salida estándar.",
        show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Mostrar el plan en tablas (líneas, actividades y su línea, metas y fórmulas), o el documento del plan."""
    from pec_cli.cli.base import output_format
    from pec_cli.report.export import PLAN_DOCUMENT

    fmt = output_format(formato, ("table", *PLAN_DOCUMENT))
    plan = load(root, vigencia).plan
    if fmt == "table":
        if output is not None:
            from pec_cli.errors import PecError

            raise PecError("-o escribe el documento del plan: úselo con --format html, pdf o markdown.", code=2)
        from pec_cli.report.plan_view import print_plan

        print_plan(plan)
        return
    from pec_cli.cli.exporting import run_document

    document = PLAN_DOCUMENT[fmt]
    if output is None and fmt != "pdf":
        output = Path("-")  # a text document goes to stdout, like the table
    for written in run_document(lambda: document.render(plan), fmt, output, f"plan-{plan.vigencia}.{document.extension}"):
        typer.echo(str(written))


def _check_ledger(ws: "Workspace", plan: "Plan", name: str) -> None:
    """Fail when the ledger holds entries of no activity of the plan (a rename without «antes»)."""
    from pec_cli.errors import PecError
    from pec_cli.ledger.cache import read_tally
    from pec_cli.ledger.orphans import orphan_counts, orphans_text

    warnings: list[str] = []
    found = orphan_counts(plan, read_tally(ws, plan.vigencia, warnings).net())
    warn(warnings)
    if found:
        first = next(iter(found))
        raise PecError(
            f"El registro de {plan.vigencia} tiene entradas de actividades que no están en {name}: {orphans_text(found)}; "
            f"no cuentan en ninguna cifra. Si la actividad cambió de id, añada «antes: [{first}]» a la actividad nueva; "
            "si sobran, anúlelas con «pec void ID --motivo ...»."
        )


def _check_closed_versions(ws: "Workspace", plan: "Plan", name: str) -> None:
    """A plan whose metas, programación, windows or formulas differ from the plan a closed quarter kept under
    the same versión is refused: a change needs a new versión (a row in «cambios»), so that closed quarters
    keep their own plan and open ones take the new one."""
    from pec_cli.errors import PecError
    from pec_cli.ledger.cache import read_tally
    from pec_cli.ledger.closures import quarters
    from pec_cli.plan.loader import load_plan

    for _, closure in sorted(quarters(read_tally(ws, plan.vigencia, []).net().events).closed.items()):
        if closure.version != plan.version:
            continue
        kept = load_plan(ws.root / closure.plan_archivo, closure.plan_archivo)
        changed = sorted(k for k, v in _substance(plan).items() if _substance(kept).get(k) != v)
        if changed:
            raise PecError(
                f"Cambió el plan sin nueva versión: {name} dice versión {plan.version}, la del cierre del Trim. "
                f"{closure.label} ({closure.plan_archivo}), y difiere en {', '.join(changed[:6])}; añada una fila "
                "en cambios con la versión nueva (y cambie «version»), o deshaga el cambio.")


def _substance(plan: "Plan") -> dict[str, object]:
    """What a plan's figures depend on, per activity and line: metas, programación, windows, formulas."""
    out: dict[str, object] = {}
    for act in plan.actividades:
        out[act.id] = (act.meta, act.programacion, act.inicio, act.fin, act.formula_texto, act.meta_mensual,
                       tuple((s.id, s.meta, s.linea_base) for s in act.series))
    for line in plan.lineas:
        out[line.id] = (line.meta, line.programacion, line.indicador.formula)
    return out


@plan_app.command("nueva", cls=SpanishCommand)
def plan_nueva(
    anio: Annotated[str, typer.Argument(metavar="AÑO", help="Vigencia del nuevo plan, p. ej. 2025.")],
    root: RootOpt = None,
) -> None:
    """Crear plan/<AÑO>.yaml a partir del último plan, con las fechas movidas, para que la oficina lo revise."""
    from pec_cli.errors import PecError, reason
    from pec_cli.plan.loader import load_plan, plan_data_from_text
    from pec_cli.plan.nueva import next_plan_text
    from pec_cli.workspace import find_workspace, today

    new_year = year(anio, "pec plan nueva 2025")
    assert new_year is not None
    ws = find_workspace(root)
    plans = ws.plans()
    target = ws.plan_dir / f"{new_year}.yaml"
    if new_year in plans:
        raise PecError(f"Ya existe {ws.display(plans[new_year])}: edítelo, o bórrelo si quiere crearlo de nuevo.")
    if not plans:
        raise PecError(f"La carpeta {ws.plan_dir} no tiene ningún plan del que partir; ejecute «pec init».")
    source = plans[max(plans)]
    plan = load_plan(source, ws.display(source))
    text = next_plan_text(source.read_text(encoding="utf-8"), plan, new_year, ws.display(source), today())
    plan_data_from_text(text, ws.display(target), document=True)  # the draft must pass `pec plan check` as written
    from pec_cli.files import write_atomic

    try:
        write_atomic(target, text.encode("utf-8"), exclusive=True)  # never over a plan written meanwhile
    except FileExistsError:
        raise PecError(f"Ya existe {ws.display(target)}: edítelo, o bórrelo si quiere crearlo de nuevo.") from None
    except OSError as exc:
        raise PecError(f"No se pudo escribir {ws.display(target)} ({reason(exc)}); revise permisos.") from None
    typer.echo(f"Plan {new_year} creado en {ws.display(target)} a partir de {ws.display(source)}; "
               f"revise lo que indica su comentario inicial y valídelo con «pec plan check --vigencia {new_year}».")
