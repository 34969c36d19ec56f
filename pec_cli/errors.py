"""The one exception type for what a user did wrong (caught once, in the CLI)."""

from __future__ import annotations


class PecError(Exception):
    """A refusal: ``message`` is one Spanish sentence saying what and how to fix it.

    ``field`` names the input field at fault (``fecha``, ``titulo``...).
    ``details`` are extra ``file:line: message`` lines (all the errors of a plan,
    all the bad rows of an import), printed after the sentence.
    """

    def __init__(self, message: str, details: list[str] | None = None, code: int = 1, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.code = code
        self.field = field  # the input field at fault, when there is one (for import's row/column)


_REASONS = {
    "ENOENT": "no existe",
    "EACCES": "permiso denegado",
    "EPERM": "operación no permitida",
    "ENOSPC": "no queda espacio en el disco",
    "EROFS": "el sistema de archivos es de solo lectura",
    "EISDIR": "es una carpeta, no un archivo",
    "ENOTDIR": "una parte de la ruta no es una carpeta",
    "EEXIST": "ya existe",
    "ENAMETOOLONG": "el nombre es demasiado largo",
    "EDQUOT": "se agotó la cuota de disco",
    "EIO": "error de lectura o escritura del disco",
    "ELOOP": "la ruta es un bucle de enlaces simbólicos",
    "ENXIO": "nadie está leyendo de esa tubería o el dispositivo no existe",
    "ENODEV": "el dispositivo no existe",
    "EINVAL": "la ruta o el nombre no son válidos",
    "EBUSY": "el archivo está en uso",
    "ETXTBSY": "el archivo está en uso",
    "EFBIG": "el archivo es demasiado grande",
    "EMFILE": "hay demasiados archivos abiertos",
    "ENFILE": "hay demasiados archivos abiertos",
    "ENOTEMPTY": "la carpeta no está vacía",
    "EXDEV": "origen y destino están en discos distintos",
    "EAGAIN": "el recurso no está disponible ahora",
    "EPIPE": "el lector se cerró",
    "ENOMEM": "no queda memoria",
    "ESPIPE": "no es un archivo que se pueda recorrer",
}


def reason(exc: OSError) -> str:
    """An operating-system error, said in Spanish (one the table lacks, by its code: never English)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _REASONS:
        return _REASONS[name]
    return f"error del sistema {name or exc.errno or type(exc).__name__}"
