"""``pec plan check`` and ``pec plan show``."""

import typer

from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, load, plan_app, year


@plan_app.command("check", cls=SpanishCommand)
def plan_check(root: RootOpt = None, vigencia: VigenciaOpt = None) -> None:
    """Validar el plan e informar de todos sus errores, con archivo y línea."""
    from pec_cli.plan.loader import load_plan
    from pec_cli.workspace import find_workspace, today

    ws = find_workspace(root)
    path = ws.plan_path(year(vigencia), today())
    plan = load_plan(path, ws.display(path))
    typer.echo(
        f"El plan {ws.display(path)} es válido: vigencia {plan.vigencia}, "
        f"{len(plan.lineas)} líneas, {len(plan.actividades)} actividades."
    )


@plan_app.command("show", cls=SpanishCommand)
def plan_show(root: RootOpt = None, vigencia: VigenciaOpt = None) -> None:
    """Mostrar el plan en tablas: líneas, actividades (y su línea), metas y fórmulas."""
    from pec_cli.report.plan_view import print_plan

    print_plan(load(root, vigencia).plan)
