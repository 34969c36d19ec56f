"""What every command shares: the Spanish Typer app, its options, and the one place refusals are printed.

Every refusal is a :class:`~pec_cli.errors.PecError`, printed by
``SpanishGroup.main`` as one sentence on stderr with exit status 1 (2 for
usage errors); Click's own usage errors are said in Spanish too.
"""

import os
import re
import sys
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pec_cli.console import degrade_streams, read_ascii_console_as_utf8
from pec_cli.errors import PecError, reason
from pec_cli.fields import visible

if TYPE_CHECKING:
    from pec_cli.context import Context

HELP = "Seguimiento del Plan Estratégico de Comunicaciones: registre piezas y calcule el avance trimestral."


# Typer vendors click in a private module: its errors are told apart by their public ancestors
# (``typer.TyperException``, ``typer.BadParameter``) and by the attributes each kind carries.
UsageErrorT = typer.TyperException


def _param_name(exc: Any) -> str:
    if isinstance(exc.param_hint, str):
        return exc.param_hint
    param = exc.param
    if param is not None and getattr(param, "metavar", None) and not any(o.startswith("-") for o in param.opts):
        return str(param.metavar)  # an argument, as its help names it (typer 0.29 would say ENTRY_ID for ID)
    if param is not None and exc.ctx is not None:
        try:
            return str(param.get_error_hint(exc.ctx)).replace("'", "")
        except Exception:  # noqa: BLE001 - a name is only a courtesy here
            return str(getattr(param, "name", "un valor")).upper()
    return "un valor"


def _command_path(args: Sequence[str]) -> str:
    """``pec log`` from the command line, where click's error carries no context (an option's value
    missing or not taken): the words before the first option that name commands."""
    words = ["pec"]
    for arg in args:
        if arg.startswith("-") or not re.fullmatch(r"[a-z]+", arg) or len(words) == 3:
            break
        words.append(arg)
        if arg != "plan":  # the only group: «pec plan check»
            break
    return " ".join(words)


def _usage_message(exc: Any, args: Sequence[str] = ()) -> str:  # noqa: C901 - one branch per click error
    """Click's usage errors (a ``typer.TyperException``), said in Spanish."""
    ctx = getattr(exc, "ctx", None)
    where = f"«{ctx.command_path if ctx is not None else _command_path(args)} --help»"
    if hasattr(exc, "possibilities") and hasattr(exc, "option_name"):  # an option that does not exist
        hint = f" (¿quiso decir {' o '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"La opción {exc.option_name} no existe{hint}; vea {where}."
    text = exc.format_message()
    if (hasattr(exc, "param_type") or text.startswith("Got unexpected extra argument")) and \
            (empty := _option_without_value(ctx, args)):  # «--rol --nombre x»: --rol took «--nombre»
        return f"La opción {empty} necesita un valor; vea {where}."
    if hasattr(exc, "param_type"):  # a parameter missing: named, with what its help says it takes
        what = (getattr(exc.param, "help", None) or "").split(";")[0].rstrip(" .,")
        if what[1:2].islower():  # «Id de la entrada…» reads on as «id de la entrada…»; «CSV con…» stays
            what = what[:1].lower() + what[1:]
        return f"Falta el valor de {_param_name(exc)}{': ' + what if what else ''}; vea {where}."
    if isinstance(exc, typer.BadParameter):
        hint = _param_name(exc)
        message = exc.message
        message = re.sub(r"'(.*)' is not a valid integer(?: range)?\.?", r"«\1» no es un número entero", message)
        message = re.sub(r"'(.*)' is not a valid float(?: range)?\.?", r"«\1» no es un número", message)
        message = re.sub(r"'(.*)' is not one of (.*)\.", r"«\1» no es una de las opciones: \2", message)
        message = re.sub(r"(File|Path) '(.*)' does not exist\.", r"el archivo «\2» no existe", message)
        return f"Valor no válido para {hint}: {message}; vea {where}."
    if match := re.match(r"No such command '(.*)'\.", text):
        names = ", ".join(ctx.command.list_commands(ctx)) if ctx is not None and hasattr(ctx.command, "list_commands") else ""
        return f"El comando «{match.group(1)}» no existe; los comandos son: {names}."
    if match := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text):
        return (f"Sobra «{match.group(1)}»: un texto con espacios va entre comillas, "
                f"por ejemplo --titulo \"Revista No. 7\"; vea {where}.")
    if match := re.match(r"Option '(.*)' does not take a value\.", text):
        return f"La opción {match.group(1)} no lleva valor: escriba solo {match.group(1)} (sin «=…»); vea {where}."
    if text.startswith("Missing command"):
        return f"Falta el comando; vea {where}."
    if match := re.match(r"Option '(.*)' requires an argument\.", text):
        return f"La opción {match.group(1)} necesita un valor; vea {where}."
    return f"Uso incorrecto: {text}; vea {where}."


def _option_without_value(ctx: Any, args: Sequence[str]) -> str | None:
    """An option given with no value, so that click took the next option's name for it and left that one's
    value over («--fecha --titulo "Revista X"»)."""
    options = [p for p in getattr(ctx.command, "params", ()) if hasattr(p, "is_flag")] if ctx is not None else []
    valued = {name for p in options if not p.is_flag and not p.count for name in p.opts}
    names = {name for p in options for name in p.opts}
    return next((arg for arg, following in pairwise(args) if arg in valued and following in names), None)


def _help_asked(exc: Any) -> bool:
    """Whether ``exc`` is click's «no arguments, so here is the help» (its message is the help)."""
    ctx = getattr(exc, "ctx", None)
    try:
        return ctx is not None and exc.format_message() == ctx.get_help()
    except Exception:  # noqa: BLE001 - only a courtesy
        return False


def terminal_width() -> int | None:
    """The width of the terminal behind stderr, or None when stderr is a pipe or a file."""
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _fail(message: str, details: list[str] | None = None, code: int = 1) -> None:
    """The refusal on stderr; on a terminal, wrapped between words (a pipe gets one line, for scripts)."""
    stream = sys.stderr
    width = terminal_width()
    lines = [visible(f"Error: {message}")] + [visible(f"  {line}") for line in details or []]
    if width:
        import textwrap

        lines = [part for line in lines for part in textwrap.wrap(
            line, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False) or [""]]
    stream.write("".join(line + "\n" for line in lines))
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


INTERRUPTED = "Interrumpido; no se registró nada a medias."


def interrupted_code(exc: BaseException) -> int:
    """The exit status of an interruption: 130 for Ctrl-C, 128 + the signal for SIGTERM or SIGHUP."""
    return 128 + getattr(exc, "signum", 2)


def _refusal(exc: BaseException, args: Sequence[str] = ()) -> tuple[str, list[str], int]:
    """The one Spanish sentence (with its detail lines and exit status) for an expected failure."""
    if isinstance(exc, PecError):
        return exc.message, exc.details, exc.code
    if isinstance(exc, typer.Abort):  # a prompt left with Ctrl-D, or Ctrl-C (then 130, as anywhere else)
        return "Cancelado; no se registró nada.", [], 130 if isinstance(exc.__context__, KeyboardInterrupt) else 1
    if isinstance(exc, UsageErrorT):
        return _usage_message(exc, args), [], getattr(exc, "exit_code", 2) or 2
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED, [], interrupted_code(exc)
    if isinstance(exc, UnicodeEncodeError):  # argv decoded as ASCII (surrogate-escaped): a locale without UTF-8
        return ("El texto recibido no es UTF-8 para este Python (configuración regional ASCII); "
                "ejecute pec con PYTHONUTF8=1 o en una consola UTF-8. No se registró nada."), [], 1
    if isinstance(exc, UnicodeDecodeError):  # typed at a prompt in another encoding than the console's
        return (f"Lo escrito en la consola no es texto {exc.encoding} válido; configure la consola en UTF-8 "
                "(o PYTHONIOENCODING) y repita. No se registró nada."), [], 1
    if isinstance(exc, RecursionError):
        return "La entrada anida demasiado para procesarla; simplifíquela.", [], 1
    if isinstance(exc, OSError):
        where = f" en {exc.filename}" if isinstance(exc.filename, str) and exc.filename else ""
        return (f"Error del sistema de archivos{where} ({reason(exc)}); revise la ruta, los permisos y el espacio "
                "en disco."), [], 1
    raise exc


class SpanishGroup(TyperGroup):
    """Runs the app and turns every expected failure into one Spanish sentence."""

    def get_help(self, ctx: Any) -> str:
        return _spanish_help(super().get_help(ctx))

    def invoke(self, ctx: Any) -> Any:
        # typer turns Ctrl-C into a silent exit 130; say it, in Spanish (and what was kept)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise PecError(INTERRUPTED, code=interrupted_code(exc)) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        degrade_streams()  # any console encoding: what it cannot hold degrades instead of crashing
        read_ascii_console_as_utf8()
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except UsageErrorT as exc:
            if not _help_asked(exc):
                _fail(*_refusal(exc, list(args) if args is not None else sys.argv[1:]))
            sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            sys.exit(0)
        except BrokenPipeError:
            # the reader (e.g. `head`) went away: not an error of the user's
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except (PecError, typer.Abort, KeyboardInterrupt, UnicodeError, RecursionError, OSError) as exc:
            if isinstance(exc, OSError) and os.environ.get("PEC_DEBUG"):
                raise
            message, details, code = _refusal(exc, list(args) if args is not None else sys.argv[1:])
            _fail(message, details, code)
        if rv == 130:  # typer's silent exit for a Ctrl-C outside a command (while parsing): say it
            _fail(INTERRUPTED, code=130)
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


def year(vigencia: str | None, example: str = "--vigencia 2024") -> int | None:
    """``--vigencia`` (or another year a person typed) as a year, or a refusal showing ``example``."""
    if vigencia is None:
        return None
    if not re.fullmatch(r"\s*\d{4}\s*", vigencia) or not 1900 <= int(vigencia) <= 2999:
        raise PecError(f"La vigencia «{vigencia}» no es un año de 1900 a 2999: escríbala con cuatro cifras, por "
                       f"ejemplo {example}.", code=2)
    return int(vigencia)


def refuse_empty(**given: str | None) -> None:
    """An option given empty (``--url ''``, a script's unset variable) is refused: it would silently mean
    no URL, today, every activity."""
    for name, value in given.items():
        if value is not None and not value.strip():
            raise PecError(f"La opción --{name} está vacía: escriba su valor o quítela"
                           f"{' (sin --fecha se usa la de hoy)' if name == 'fecha' else ''}.", code=2)


def load(root: str | None, vigencia: str | None, year_hint: int | None = None) -> "Context":
    """The command's context, loaded once at the edge."""
    from pec_cli.context import Context

    return Context.load(root, year(vigencia), year_hint)


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def interactive() -> bool:
    """Whether to ask for what is missing: only when a person is at a terminal."""
    return sys.stdin.isatty()


def warn(messages: list[str]) -> None:
    for message in messages:
        sys.stderr.write(visible(f"aviso: {message}") + "\n")


def tell(message: str) -> None:
    """What a command changed, said in one line on stderr (stdout keeps the new id alone, for scripts)."""
    sys.stderr.write(visible(message) + "\n")


def flush(ctx: "Context") -> None:
    """Print the context's warnings (each once) on stderr."""
    warn(ctx.take_warnings())


def output_format(value: str, allowed: tuple[str, ...]) -> str:
    key = value.strip().lower()
    if key not in allowed:
        raise PecError(f"El formato «{value}» no existe: use {', '.join(allowed)}.", code=2)
    return key


def quarter_option(trim: str | None) -> int | None:
    """``--trim`` as 1-4, refused before anything is read when it is not a quarter."""
    if trim is None:
        return None
    from pec_cli.plan.names import quarter_arg

    return quarter_arg(trim)
