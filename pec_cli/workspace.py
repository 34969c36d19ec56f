"""Where a workspace is, which plan it uses, who writes, and what day it is.

A workspace is a folder holding ``plan/`` (and ``ledger/``); it is found like
git finds its repository: ``--root``/``PEC_ROOT``, else the current folder or
its nearest parent with a ``plan/`` folder. Standard library only.
"""

import datetime as dt
import errno
import os
import re
from pathlib import Path, PurePath
from typing import BinaryIO, NamedTuple, TypeVar

from pec_cli.errors import PecError, reason

TIMEZONE = "America/Bogota"
_PLAN_NAME = re.compile(r"^(\d{4})\.ya?ml$")
_WRITER_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
WRITER_ID = "[a-z0-9]{3,16}"  # what a writer id may be (made from the alphabet above, 5 long)
PERSON_FILE = "nombre"  # .pec/nombre: who registers in this clone (SPEC §4), never committed
_P = TypeVar("_P", bound=PurePath)

GITATTRIBUTES = """\
# pec: each clone appends to its own ledger segment, so merges never collide;
# union is the safety net if two clones ever share one (pec verify reports it).
ledger/**/*.jsonl merge=union text eol=lf
"""
GITIGNORE = """\
# pec: per-clone state (writer id, caches); never shared.
.pec/
# pec: what a writer killed mid-write may leave (pec verify names it; delete it)
*.pec-tmp
# pec: what the exports write by default in the folder they run in (made again at will from the
# plan and the ledger); pec.log is the log of a scheduled run (README, «Scripts and scheduled runs»)
seguimiento-*
detalle-*
paquete-*
fichas-*
pendientes-*.ics
plan-*.pdf
pec.log
"""


def today() -> dt.date:
    """Today in Bogotá; ``PEC_HOY=AAAA-MM-DD`` fixes it (reports as of a date, tests)."""
    fixed = os.environ.get("PEC_HOY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise PecError(f"PEC_HOY={fixed!r} no es una fecha AAAA-MM-DD: corríjala o bórrela.") from None
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def now_iso() -> str:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(TIMEZONE)).isoformat(timespec="seconds")


class Workspace(NamedTuple):
    root: Path

    @property
    def plan_dir(self) -> Path:
        return self.root / "plan"

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def state_dir(self) -> Path:
        return self.root / ".pec"

    def plans(self) -> dict[int, Path]:
        found: dict[int, Path] = {}
        try:
            names = sorted(os.listdir(self.plan_dir))
        except OSError:
            return found
        for name in names:
            match = _PLAN_NAME.match(name)
            if match:
                found.setdefault(int(match.group(1)), self.plan_dir / name)
        return found

    def plan_path(self, vigencia: int | None, day: dt.date) -> Path:
        """``plan/<vigencia>.yaml``: the one asked for, else today's year, else the latest."""
        plans = self.plans()
        if vigencia is not None:
            if vigencia not in plans:
                have = ", ".join(str(y) for y in sorted(plans)) or "ninguna"
                raise PecError(
                    f"No hay plan para la vigencia {vigencia} en {self.plan_dir} "
                    f"(vigencias disponibles: {have}); cree plan/{vigencia}.yaml o elija otra con --vigencia."
                )
            return plans[vigencia]
        if not plans:
            raise PecError(
                f"La carpeta {self.plan_dir} no tiene ningún plan AAAA.yaml; cree uno o ejecute «pec init»."
            )
        return plans.get(day.year) or plans[max(plans)]

    def writer_id(self) -> str:
        """This clone's writer id, made once (race-free) and never shared via git.

        ``.pec/escritor-origen`` records the host and folder the id was made
        for (it is written first): a workspace copied with its ``.pec/``
        (``cp -r``) is seen from another folder or host, and so is one copied
        from a workspace made before the origin was kept (an id without its
        origin); either gets a new id before it writes, so two copies never
        append to one segment.
        """
        path = self.state_dir / "escritor"
        origin = self.state_dir / "escritor-origen"
        import socket  # here, not at start-up: only writers need it

        here = f"{socket.gethostname()}\t{self.root.resolve()}\n"
        made = path.exists()  # before the origin is read: a new id's origin is written before the id
        try:
            recorded: str | None = origin.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            recorded = None
        if recorded != here:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            _write_state(origin, here)
        if not made:
            self._new_writer(path, replace=False)
        elif recorded != here:
            self._new_writer(path, replace=True)  # a copy: its own id from now on
        try:
            value = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            value = ""
        if not re.fullmatch(WRITER_ID, value):
            raise PecError(
                f"El archivo {path} (el id de escritor de esta copia) está dañado; bórrelo y pec creará uno nuevo."
            )
        return value

    def _state(self) -> Path:
        """``.pec/``, made with a ``.gitignore`` of its own: what is in it is this clone's, never shared."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.state_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="ascii")
        return self.state_dir

    def person(self) -> str | None:
        """The name this clone registers under (``.pec/nombre``: from ``pec init --nombre`` or asked once on
        a terminal), or None; as written, for the caller to check."""
        path = self.state_dir / PERSON_FILE
        try:
            return path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            why = reason(exc) if isinstance(exc, OSError) else "no es texto UTF-8"
            raise PecError(f"No se pudo leer {path}, el nombre de quien registra en esta copia ({why}); "
                           "corríjalo o bórrelo.") from None

    def save_person(self, name: str) -> None:
        """Keep ``name`` as the one this clone registers under (``.pec/nombre``)."""
        _write_state(self._state() / PERSON_FILE, name + "\n")

    def _new_writer(self, path: Path, replace: bool) -> None:
        from pec_cli.files import write_atomic

        self._state()
        import secrets  # here, not at start-up: made once per clone

        text = ("".join(secrets.choice(_WRITER_ALPHABET) for _ in range(5)) + "\n").encode("ascii")
        try:
            write_atomic(path, text, exclusive=not replace)  # exclusive: only one concurrent writer wins
        except FileExistsError:
            pass

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def refuse_links(self, path: Path, what: str) -> None:
        """A PecError if ``path``, or a folder between the workspace and it, is a symbolic link, where pec writes
        ``what``: git stores links, and one a pull brought would make pec write outside the workspace."""
        here = self.root
        for part in path.relative_to(self.root).parts:
            here = here / part
            if here.is_symlink():
                raise PecError(f"{Path(self.display(here)).as_posix()} es un enlace simbólico y pec no escribe {what} "
                               "a través de un enlace (pudo llegar con un «git pull»); reemplácelo por la carpeta o "
                               "el archivo real.")


def _write_state(path: Path, text: str) -> None:
    """Write a small state file atomically (nothing half-written is left on a full disk)."""
    from pec_cli.files import write_atomic

    write_atomic(path, text.encode("utf-8"))


def read_regular(path: Path, limit: int, what: str, fix: str, follow: bool = True) -> bytes:
    """The bytes of ``path`` if it is an ordinary file of at most ``limit`` bytes; a PecError otherwise.

    A FIFO would hang the reader and ``/dev/zero`` never ends: only a regular
    file is opened (without blocking), and never more than ``limit`` bytes are read.
    ``follow=False``: a symlink is not opened (``O_NOFOLLOW``, where the platform has it).
    """
    with open_regular(path, limit, what, fix, follow) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise PecError(f"{what} pesa más de {limit // (1 << 20)} MB, más de lo que pec lee; {fix}")
    return data


def open_regular(path: Path, limit: int, what: str, fix: str, follow: bool = True) -> BinaryIO:
    """``path`` open for reading if it is an ordinary file of at most ``limit`` bytes (its size
    now); a PecError otherwise (see :func:`read_regular`)."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    handle = os.fdopen(fd, "rb")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise PecError(f"{what} no es un archivo normal (es una tubería, un dispositivo o un enlace especial); {fix}")
        if st.st_size > limit:
            raise PecError(f"{what} pesa más de {limit // (1 << 20)} MB, más de lo que pec lee; {fix}")
    except BaseException:
        handle.close()
        raise
    return handle


def search_folders(here: _P) -> list[_P]:
    """Where to look for ``plan/``, nearest first: ``here`` up to its root, which on Windows is
    the drive (``C:\\``) or the share (``\\\\servidor\\prensa\\``), never beyond."""
    return [here, *here.parents]


def find_workspace(root: str | Path | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace named by ``root``/``PEC_ROOT``, else the nearest with ``plan/``."""
    explicit = root if root is not None else os.environ.get("PEC_ROOT")
    if explicit is not None and not str(explicit).strip():  # a script's unset variable: never another workspace
        raise PecError("--root (o PEC_ROOT) está vacío: indique la carpeta del espacio de trabajo o quite la opción "
                       "(y la variable).", code=2)
    if explicit is not None:
        try:
            path = Path(explicit).expanduser().resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13
            why = reason(exc if isinstance(exc, OSError) else OSError(errno.ELOOP, str(exc)))
            raise PecError(f"No se puede usar {explicit} como espacio de trabajo ({why}); "
                           "corrija --root/PEC_ROOT.") from None
        if not (path / "plan").is_dir():
            raise PecError(
                f"{path} no es un espacio de trabajo de pec (no tiene carpeta plan/); "
                f"créelo con «pec init {explicit}» o corrija --root/PEC_ROOT."
            )
        return Workspace(path)
    here = (cwd or Path.cwd()).resolve()
    for folder in search_folders(here):
        if (folder / "plan").is_dir():
            return Workspace(folder)
    raise PecError(
        f"No se encontró un espacio de trabajo de pec en {here} ni en sus carpetas superiores; "
        "ejecute «pec init» o indique uno con --root."
    )


def _ensure_lines(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` unless its lines are already there."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    wanted = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    if all(ln in current.splitlines() for ln in wanted):
        return
    prefix = "" if not current or current.endswith("\n") else "\n"
    path.write_text(current + prefix + text, encoding="utf-8")


def init_workspace(folder: Path) -> Path:
    """A new workspace in ``folder``: the bundled 2024 plan, ledger/, git settings."""
    from importlib.resources import files

    target = folder.expanduser().resolve()
    if (target / "plan").exists():
        raise PecError(f"{target} ya es un espacio de trabajo (tiene plan/); use otra carpeta o trabaje en esa.")
    if target.exists() and not target.is_dir():
        raise PecError(f"{target} es un archivo, no una carpeta; elija otra ruta para el espacio de trabajo.")
    try:
        (target / "plan").mkdir(parents=True)
        (target / "ledger").mkdir(exist_ok=True)
        (target / "ledger" / ".gitkeep").touch()
        bundled = files("pec_cli").joinpath("data/2024.yaml").read_text(encoding="utf-8")
        (target / "plan" / "2024.yaml").write_text(bundled, encoding="utf-8")
        _ensure_lines(target / ".gitattributes", GITATTRIBUTES)
        _ensure_lines(target / ".gitignore", GITIGNORE)
    except OSError as exc:
        raise PecError(f"No se pudo crear el espacio de trabajo en {target} ({reason(exc)}); revise permisos.") from None
    return target
