"""The ``pec`` command line: thin Typer commands over the core.

Each command finds the workspace, loads the plan and the ledger once, calls
the core and hands the result to a renderer. Every refusal is a PecError,
printed in one place (``SpanishGroup.main``) as one sentence on stderr with
exit status 1 (2 for usage errors). Heavy modules (rich, tabulate, pydantic,
yaml) are imported inside the commands that need them.
"""


import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import exceptions as click  # typer >= 0.29 vendors click; its exceptions live here
from typer.core import TyperCommand, TyperGroup

from .errors import PecError, reason

HELP = "Seguimiento del Plan Estratégico de Comunicaciones: registre piezas y calcule el avance trimestral."


def _param_name(exc: click.BadParameter) -> str:
    if isinstance(exc.param_hint, str):
        return exc.param_hint
    param = exc.param
    if param is not None and exc.ctx is not None:
        try:
            return str(param.get_error_hint(exc.ctx)).replace("'", "")
        except Exception:  # noqa: BLE001 - a name is only a courtesy here
            return str(getattr(param, "name", "un valor")).upper()
    return "un valor"


def _usage_message(exc: click.ClickException) -> str:  # noqa: C901 - one branch per click error
    """Click's usage errors, said in Spanish."""
    ctx = getattr(exc, "ctx", None)
    where = f"«{ctx.command_path} --help»" if ctx is not None else "«pec --help»"
    if isinstance(exc, click.NoSuchOption):
        hint = f" (¿quiso decir {' o '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"La opción {exc.option_name} no existe{hint}; vea {where}."
    if isinstance(exc, click.MissingParameter):
        return f"Falta el valor de {_param_name(exc)}; vea {where}."
    if isinstance(exc, click.BadParameter):
        hint = _param_name(exc)
        message = exc.message
        message = re.sub(r"'(.*)' is not a valid integer(?: range)?\.?", r"«\1» no es un número entero", message)
        message = re.sub(r"'(.*)' is not a valid float(?: range)?\.?", r"«\1» no es un número", message)
        message = re.sub(r"'(.*)' is not one of (.*)\.", r"«\1» no es una de las opciones: \2", message)
        message = re.sub(r"(File|Path) '(.*)' does not exist\.", r"el archivo «\2» no existe", message)
        return f"Valor no válido para {hint}: {message}; vea {where}."
    text = exc.format_message()
    match = re.match(r"No such command '(.*)'\.", text)
    if match:
        names = ", ".join(ctx.command.list_commands(ctx)) if ctx is not None and hasattr(ctx.command, "list_commands") else ""
        return f"El comando «{match.group(1)}» no existe; los comandos son: {names}."
    match = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text)
    if match:
        return (f"Sobra «{match.group(1)}»: un texto con espacios va entre comillas, "
                f"por ejemplo --titulo \"Revista No. 7\"; vea {where}.")
    if text.startswith("Missing command"):
        return f"Falta el comando; vea {where}."
    if re.match(r"Option '(.*)' requires an argument\.", text):
        option = re.match(r"Option '(.*)' requires an argument\.", text).group(1)  # type: ignore[union-attr]
        return f"La opción {option} necesita un valor; vea {where}."
    return f"Uso incorrecto: {text}; vea {where}."


def _fail(message: str, details: list[str] | None = None, code: int = 1) -> None:
    stream = sys.stderr
    stream.write(f"Error: {message}\n")
    for line in details or []:
        stream.write(f"  {line}\n")
    stream.flush()
    sys.exit(code)


_HELP_WORDS = (
    ("Usage:", "Uso:"), ("Arguments:", "Argumentos:"), ("Options:", "Opciones:"), ("Commands:", "Comandos:"),
    ("Show this message and exit.", "Muestra esta ayuda y termina."), ("[required]", "[obligatorio]"),
    ("[default: ", "[por defecto: "), ("[OPTIONS]", "[OPCIONES]"), ("COMMAND [ARGS]...", "COMANDO [ARGUMENTOS]..."),
)
CONTEXT = {"help_option_names": ["-h", "--help"]}


def _spanish_help(text: str) -> str:
    for english, spanish in _HELP_WORDS:
        text = text.replace(english, spanish)
    return text


class SpanishCommand(TyperCommand):
    """A command whose help is in Spanish."""

    def get_help(self, ctx: Any) -> str:
        return _spanish_help(super().get_help(ctx))


class SpanishGroup(TyperGroup):
    """Runs the app and turns every expected failure into one Spanish sentence."""

    def get_help(self, ctx: Any) -> str:
        return _spanish_help(super().get_help(ctx))

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except PecError as exc:
            _fail(exc.message, exc.details, exc.code)
        except typer.Abort:
            _fail("Cancelado; no se registró nada.")
        except click.NoArgsIsHelpError as exc:
            ctx = exc.ctx
            sys.stdout.write((ctx.get_help() if ctx is not None else HELP) + "\n")
            sys.exit(0)
        except click.ClickException as exc:
            _fail(_usage_message(exc), code=exc.exit_code if exc.exit_code else 2)
        except BrokenPipeError:
            # the reader (e.g. `head`) went away: not an error of the user's
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt:
            _fail("Interrumpido; no se registró nada a medias.", code=130)
        except RecursionError:
            _fail("La entrada anida demasiado para procesarla; simplifíquela.")
        except OSError as exc:
            if os.environ.get("PEC_DEBUG"):
                raise
            _fail(f"Error del sistema de archivos ({reason(exc)}); revise la ruta, los permisos y el espacio en disco.")
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=SpanishGroup, help=HELP, no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None, context_settings=CONTEXT,
)
plan_app = typer.Typer(
    cls=SpanishGroup, help="Ver y validar el plan.", no_args_is_help=True, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings=CONTEXT,
)
app.add_typer(plan_app, name="plan")

RootOpt = Annotated[
    str | None,
    typer.Option("--root", metavar="CARPETA", help="Carpeta del espacio de trabajo (si no, PEC_ROOT o la carpeta con plan/ más cercana).", show_default=False),
]
VigenciaOpt = Annotated[
    str | None,
    typer.Option("--vigencia", metavar="AÑO", help="Año del plan (plan/<vigencia>.yaml); por defecto el del año en curso, si no el último.", show_default=False),
]
TrimOpt = Annotated[
    str | None,
    typer.Option("--trim", metavar="TRIM", help="Trimestre: I, II, III o IV (o 1-4); por defecto el actual, o IV fuera de la vigencia.", show_default=False),
]


@app.callback()
def _global_options(root: RootOpt = None) -> None:
    # `pec --root DIR status` as well as `pec status --root DIR`
    if root is not None:
        os.environ["PEC_ROOT"] = root


def _year(vigencia: str | None) -> int | None:
    if vigencia is None:
        return None
    if not re.fullmatch(r"\s*\d{4}\s*", vigencia):
        raise PecError(f"La vigencia «{vigencia}» no es un año: escríbala con cuatro cifras, por ejemplo --vigencia 2024.", code=2)
    return int(vigencia)


def _context(root: str | None, vigencia_arg: str | None, year_hint: int | None = None) -> tuple[Any, Any, Any]:
    """(workspace, plan, today), loaded once at the edge."""
    from .cache import load_plan_cached
    from .workspace import find_workspace, today

    ws = find_workspace(root)
    day = today()
    vigencia = _year(vigencia_arg)
    if vigencia is None and year_hint is not None and year_hint in ws.plans():
        vigencia = year_hint
    plan = load_plan_cached(ws, ws.plan_path(vigencia, day))
    return ws, plan, day


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _interactive() -> bool:
    """Whether to ask for what is missing: only when a person is at a terminal."""
    return sys.stdin.isatty()


def _warn(messages: list[str]) -> None:
    for message in messages:
        sys.stderr.write(f"aviso: {message}\n")


def _format(value: str, allowed: tuple[str, ...]) -> str:
    key = value.strip().lower()
    if key not in allowed:
        raise PecError(f"El formato «{value}» no existe: use {', '.join(allowed)}.", code=2)
    return key


# ---------------------------------------------------------------- workspace


@app.command(cls=SpanishCommand)
def init(
    carpeta: Annotated[Path, typer.Argument(metavar="[CARPETA]", help="Carpeta del nuevo espacio de trabajo (por defecto la actual).", show_default=False)] = Path("."),
) -> None:
    """Crear un espacio de trabajo: plan/ (con el plan 2024), ledger/, .gitattributes."""
    from .workspace import init_workspace

    created = init_workspace(carpeta)
    typer.echo(f"Espacio de trabajo creado en {created}. Siguiente paso: pec plan show")


@plan_app.command("check", cls=SpanishCommand)
def plan_check(root: RootOpt = None, vigencia: VigenciaOpt = None) -> None:
    """Validar el plan e informar de todos sus errores, con archivo y línea."""
    from .plan import load_plan
    from .workspace import find_workspace, today

    ws = find_workspace(root)
    path = ws.plan_path(_year(vigencia), today())
    plan = load_plan(path, ws.display(path))
    typer.echo(
        f"El plan {ws.display(path)} es válido: vigencia {plan.vigencia}, "
        f"{len(plan.lineas)} líneas, {len(plan.actividades)} actividades."
    )


@plan_app.command("show", cls=SpanishCommand)
def plan_show(root: RootOpt = None, vigencia: VigenciaOpt = None) -> None:
    """Mostrar el plan en tablas: líneas, actividades (y su línea), metas y fórmulas."""
    from .plan_view import print_plan

    _, plan, _ = _context(root, vigencia)
    print_plan(plan)


# ---------------------------------------------------------------- ledger


@app.command(cls=SpanishCommand)
def log(
    actividad: Annotated[str, typer.Argument(metavar="ACTIVIDAD", help="Id de la actividad (revista, noti, capsulas, ...).")],
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de la pieza, AAAA-MM-DD (por defecto hoy, en Bogotá).")] = None,
    titulo: Annotated[str | None, typer.Option(metavar="TEXTO", help="Título de la pieza (entre comillas si tiene espacios).")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Tipo de entrada (por defecto el primero de la actividad).")] = None,
    canal: Annotated[str | None, typer.Option(metavar="TEXTO", help="Canal donde se publicó.")] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="Enlace a la pieza publicada.")] = None,
    evidencia: Annotated[Path | None, typer.Option(metavar="ARCHIVO", help="Archivo de evidencia; se copia a evidencias/<año>/ con su SHA-256.")] = None,
    area: Annotated[str | None, typer.Option(metavar="TEXTO", help="Área solicitante (para una solicitud).")] = None,
    red: Annotated[str | None, typer.Option(metavar="RED", help="Red social medida (para una medición): instagram, twitter, tiktok, facebook, youtube.")] = None,
    valor: Annotated[str | None, typer.Option(metavar="NÚMERO", help="Valor medido, p. ej. seguidores (para una medición).")] = None,
    nota: Annotated[str | None, typer.Option(metavar="TEXTO", help="Nota libre.")] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una pieza publicada; imprime el id de la nueva entrada."""
    from . import ledger
    from .records import build_piece, find_activity, parse_date
    from .workspace import now_iso

    hint = parse_date(fecha).year if fecha else None
    ws, plan, day = _context(root, vigencia, hint)
    fields: dict[str, Any] = {
        "fecha": fecha, "titulo": titulo, "tipo": tipo, "canal": canal, "url": url,
        "area": area, "red": red, "valor": valor, "nota": nota,
    }
    act = find_activity(plan, actividad)
    if _interactive():
        from .prompts import complete_fields

        complete_fields(act, fields, day)
    record = build_piece(plan, act.id, fields, day, now_iso())
    if evidencia is not None:
        from .evidence import store_evidence

        record["evidencia"] = store_evidence(ws, plan.vigencia, evidencia)
    (entry_id,) = ledger.append(ws, plan.vigencia, [record])
    typer.echo(entry_id)


@app.command("import", cls=SpanishCommand)
def import_csv(
    archivo: Annotated[Path, typer.Argument(metavar="ARCHIVO.csv", help="CSV con columnas actividad, fecha, titulo, tipo, ...")],
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Importar muchas piezas de un CSV: todas las filas válidas o ninguna."""
    from . import ledger
    from .importer import plan_import
    from .workspace import now_iso

    ws, plan, day = _context(root, vigencia)
    try:
        data = archivo.read_bytes()
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}); compruebe la ruta del CSV.") from None
    job = plan_import(plan, data, archivo.name, archivo.parent, day, now_iso(), _warn)
    if job.evidence:
        from .evidence import store_evidence

        for index, source in job.evidence:
            job.records[index]["evidencia"] = store_evidence(ws, plan.vigencia, source)
    appended = ledger.append(ws, plan.vigencia, job.records, skip_imported=True) if job.records else []
    already = len(job.records) - len(appended)  # rows imported before: dropped under the lock
    skipped = ""
    if already == 1:
        skipped = "; 1 fila ya estaba importada y se omitió"
    elif already:
        skipped = f"; {already} filas ya estaban importadas y se omitieron"
    typer.echo(f"Importadas {_count(len(appended), 'entrada', 'entradas')} de {_count(job.rows, 'fila', 'filas')}{skipped}.")


@app.command(cls=SpanishCommand)
def note(
    actividad: Annotated[str, typer.Argument(metavar="ACTIVIDAD", help="Id de la actividad.")],
    trim: Annotated[str, typer.Option("--trim", metavar="TRIM", help="Trimestre de la observación: I, II, III o IV.")],
    texto: Annotated[str | None, typer.Argument(metavar="[TEXTO]", help="Texto de la observación, entre comillas (en una terminal se pregunta si falta).", show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una observación para la tabla de Seguimiento."""
    from . import ledger
    from .records import build_note
    from .workspace import now_iso

    ws, plan, _ = _context(root, vigencia)
    if not texto and _interactive():
        texto = typer.prompt("Observación", err=True)
    record = build_note(plan, actividad, trim, texto or "", now_iso())
    (entry_id,) = ledger.append(ws, plan.vigencia, [record])
    typer.echo(entry_id)


@app.command(cls=SpanishCommand)
def void(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Id de la entrada que se anula.")],
    motivo: Annotated[str | None, typer.Option("--motivo", metavar="TEXTO", help="Por qué se anula (queda en el registro); en una terminal se pregunta si falta.", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Anular una entrada con un motivo (se añade una corrección; nada se borra)."""
    from . import ledger
    from .records import build_void
    from .workspace import find_workspace, now_iso

    ws = find_workspace(root)
    match = re.fullmatch(r"(\d{4})-[a-z0-9]+-\d+", entry_id.strip())
    if not match:
        raise PecError(f"«{entry_id}» no es un id de entrada (tienen la forma 2024-abcde-12); búsquelo con «pec list».")
    vig = int(match.group(1))
    warnings: list[str] = []
    target = None
    voided: set[str] = set()
    for entry in ledger.read_entries(ws, vig, warnings):
        if entry.id == entry_id.strip():
            target = entry
        if entry.anula:
            voided.add(entry.anula)
    _warn(warnings)
    if target is None:
        raise PecError(f"No existe la entrada {entry_id} en el registro; búsquela con «pec list».")
    if not motivo and _interactive():
        motivo = typer.prompt(f"Motivo de la anulación de {target.id}", err=True)
    record = build_void(target, motivo or "", voided, now_iso())
    (new_id,) = ledger.append(ws, vig, [record])
    typer.echo(new_id)


@app.command("list", cls=SpanishCommand)
def list_entries(
    actividad: Annotated[str | None, typer.Option(metavar="ACTIVIDAD", help="Solo esta actividad.")] = None,
    trim: Annotated[str | None, typer.Option("--trim", metavar="TRIM", help="Solo este trimestre: I, II, III o IV (por defecto, todo el año).", show_default=False)] = None,
    desde: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Desde esta fecha.")] = None,
    hasta: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Hasta esta fecha.")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Solo este tipo de entrada.")] = None,
    anuladas: Annotated[bool, typer.Option("--anuladas", help="Incluir también las entradas anuladas (marcadas).")] = False,
    observaciones: Annotated[bool, typer.Option("--observaciones", help="Listar las observaciones (pec note) en lugar de las piezas.")] = False,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o csv.")] = "table",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Listar las piezas registradas (o las observaciones), con filtros."""
    from . import ledger
    from .model import NOTE, PIECE, quarter_bounds
    from .records import find_activity, parse_date, quarter_arg

    fmt = _format(formato, ("table", "json", "csv"))
    ws, plan, _ = _context(root, vigencia)
    act_id = find_activity(plan, actividad).id if actividad else None
    lo = parse_date(desde, " en --desde") if desde else None
    hi = parse_date(hasta, " en --hasta") if hasta else None
    if lo is not None and hi is not None and lo > hi and trim is None:
        raise PecError(f"--desde ({lo.isoformat()}) es posterior a --hasta ({hi.isoformat()}); inviértalas.")
    known_tipos = {t.id for a in plan.actividades if act_id in (None, a.id) for t in a.tipos}
    if tipo is not None and tipo not in known_tipos:
        raise PecError(f"El tipo «{tipo}» no existe{f' en «{act_id}»' if act_id else ''}; use uno de: {', '.join(sorted(known_tipos))}.")
    quarter = quarter_arg(trim) if trim is not None else None
    if quarter is not None:
        q_lo, q_hi = quarter_bounds(plan.vigencia, quarter)
        lo, hi = max(lo or q_lo, q_lo), min(hi or q_hi, q_hi)
    warnings: list[str] = []
    entries = list(ledger.read_entries(ws, plan.vigencia, warnings))
    _warn(warnings)
    voided = {e.anula for e in entries if e.anula}
    if observaciones:
        from .export import notes_text

        notes = [e for e in entries if e.clase == NOTE and (act_id is None or e.actividad == act_id)
                 and (quarter is None or e.trimestre == quarter) and (anuladas or e.id not in voided)]
        sys.stdout.write(notes_text(notes, voided, fmt))
        return
    selected = [
        e for e in entries
        if e.clase == PIECE
        and (act_id is None or e.actividad == act_id)
        and (tipo is None or e.tipo == tipo)
        and (lo is None or (e.fecha is not None and e.fecha >= lo))
        and (hi is None or (e.fecha is not None and e.fecha <= hi))
        and (anuladas or e.id not in voided)
    ]
    selected.sort(key=lambda e: (e.fecha, e.registrado, e.id))
    if fmt == "table":
        from .terminal import print_entries

        print_entries(selected, {e.anula: str(e.get("motivo") or "") for e in entries if e.anula})
        return
    from .export import entries_csv, entries_json

    text = entries_json(selected, voided) if fmt == "json" else entries_csv(selected, voided)  # Excel es-CO: ; and ,
    sys.stdout.write(text)


# ---------------------------------------------------------------- reports


def _report(root: str | None, vigencia: str | None, trim: str | None) -> Any:
    from .avance import compute, default_quarter
    from .ledger import tally
    from .records import quarter_arg
    from .render import unstarted_notice

    quarter = quarter_arg(trim) if trim is not None else None
    ws, plan, day = _context(root, vigencia)
    warnings: list[str] = []
    totals = tally(ws, plan.vigencia, warnings)
    report = compute(plan, totals, quarter or default_quarter(plan, day), day)
    notice = unstarted_notice(report, day)
    _warn(warnings + ([notice] if notice else []))
    return report


@app.command(cls=SpanishCommand)
def status(
    trim: TrimOpt = None,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o markdown.")] = "table",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Avance de cada línea y actividad hasta el trimestre pedido."""
    fmt = _format(formato, ("table", "json", "markdown"))
    if trim is not None:
        from .records import quarter_arg

        quarter_arg(trim)  # refuse a bad quarter before touching anything
    report = _report(root, vigencia, trim)
    if fmt == "json":
        from .render import render_json

        sys.stdout.write(render_json(report))
    elif fmt == "markdown":
        from .render import render_markdown

        sys.stdout.write(render_markdown(report))
    else:
        from .terminal import print_status

        print_status(report)


@app.command(cls=SpanishCommand)
def export(
    formato: Annotated[str, typer.Argument(metavar="FORMATO", help="csv, xlsx, markdown, json o html.")],
    trim: TrimOpt = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="ARCHIVO",
        help="Archivo de salida; por defecto seguimiento-<vigencia>-T<trimestre>.<ext> en la carpeta actual "
             "(detalle-... con --detalle). «-o -» escribe en la salida estándar.",
        show_default=False,
    )] = None,
    detalle: Annotated[bool, typer.Option("--detalle", help="Exportar las entradas (con su evidencia y SHA-256) en lugar de la tabla de Seguimiento; con --trim, las del trimestre.")] = False,
    separador: Annotated[str, typer.Option("--separador", metavar="SEP", help="Separador CSV: ; o ,")] = ";",
    decimal: Annotated[str, typer.Option("--decimal", metavar="SEP", help="Separador decimal CSV: , o .")] = ",",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Exportar la tabla de Seguimiento (o, con --detalle, las entradas) para el comité; imprime la ruta del archivo."""
    from . import export as exp
    from .records import quarter_arg

    fmt = _format(formato, exp.FORMATS)
    if separador not in (";", ","):
        raise PecError(f"El separador «{separador}» no sirve: use ; o ,.", code=2)
    if decimal not in (",", "."):
        raise PecError(f"El separador decimal «{decimal}» no sirve: use , o .", code=2)
    if separador == decimal:
        raise PecError("El separador de campos y el decimal no pueden ser iguales: use --separador ; con --decimal ,", code=2)
    quarter = quarter_arg(trim) if trim is not None else None  # refuse a bad quarter before touching anything
    ws, plan, day = _context(root, vigencia)
    written = exp.run_export(ws, plan, day, fmt, quarter, detalle, output, separador, decimal, _warn)
    if written is not None:
        typer.echo(str(written))


@app.command(cls=SpanishCommand)
def verify(root: RootOpt = None) -> None:
    """Comprobar el registro: líneas, ids, anulaciones e integridad de la cadena."""
    from .verify import verify_workspace
    from .workspace import find_workspace

    ws = find_workspace(root)
    problems, summary = verify_workspace(ws)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    if problems:
        raise PecError(f"El registro tiene {len(problems)} problema(s); revíselos arriba (archivo:línea: mensaje).")
    typer.echo(summary)


def main() -> None:
    app()
