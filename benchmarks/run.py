"""The pec benchmark (issues 5, 13 and 20): every command of pec, against hledger and beancount on equivalent data.

For each size N, generates (``generate.py``) a pec workspace of N ledger lines,
the equivalent hledger journal and beancount file, an N-row CSV and a 10k-row
CSV, then times each command as a separate process: one untimed warm-up round,
then ``--runs`` rounds in which every command runs once, pec and the peers
interleaved (A B A B), so that load from elsewhere on the machine falls on all
of them alike. Each run records wall time, CPU time (user + system, from
``os.wait4``) and peak RSS (GNU time's ``%M``); each row is also given as a
ratio to the warm ``pec status`` of the same size and run:

* ``pec --help``; ``pec status --trim IV`` with ``.pec/cache`` deleted (cold:
  every line read, like the peers), with its caches, and ``--format json``
* status right after a ``git pull`` brought 1,000 lines into another
  writer's segment (a new file renamed over the old one, as git writes it)
* ``pec log``, ``pec note`` and ``pec void`` (a piece mid-ledger) on a copy
* ``pec list`` (table, json, csv, ``--abiertas``), ``pec pendientes`` (table,
  json), ``pec export`` csv/json/markdown/xlsx/html, csv/markdown/xlsx
  ``--detalle``, ``paquete``, ``pdf`` (a browser: timed once, apart), ``pec verify``
* ``pec import`` of the N-row CSV into an empty workspace, and of 10k rows
  into the N-entry ledger
* ``hledger balance -Q`` and ``bean-query`` (quarterly count per account), the
  peers; "no instalado" when missing (``benchmarks/setup.sh`` installs them)

Above ``--status-only-above`` (100,000) only the status rows run; ``--skip
N:REGEX`` leaves out rows at large N. pec's per-quarter counts are checked
against the generator's, against hledger's own printed table, after the
pulls and after the logs and voids; the lists and the detail export against
the number of entries generated. Prints medians, CPU time and ratios as a
plain-text table; ``--json FILE`` writes the same as JSON. Exits 0 unless a
pec command fails (non-zero exit, or counts that disagree); a peer that fails
or times out is only reported.

Quick (CI): python benchmarks/run.py --sizes 2000 --runs 1
Full:       python benchmarks/run.py --sizes 2000,10000,100000,1000000 --runs 5,5,3,3
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
generate = None  # the sibling module, imported in main() once the pec source is chosen

HOY = "2024-12-31"
BQL = "SELECT quarter(date) AS q, account, sum(number) AS n GROUP BY q, account ORDER BY q, account"
NO_INSTALADO = "no instalado"
BEAN_FILE = "ledger.beancount"
PEC_STATUS = "pec status --trim IV"
PEC_COLD = "pec status (.pec/cache deleted)"
PEC_JSON = "pec status --trim IV --format json"
PEC_PULL = "status after git pull (1,000 lines, other writer)"
PEC_LOG = "pec log revista"
PEC_AFTER_LOG = "pec status (after one more log)"
PEC_NOTE = "pec note revista --trim II"
PEC_VOID = "pec void ID (a piece mid-ledger)"
PEC_IMPORT = "pec import FILE.csv"
PEC_IMPORT_INTO = "import 10k into this ledger"
LIST_TABLE = "pec list (table, to a file)"
LIST_JSON = "pec list --format json"
LIST_CSV = "pec list --format csv"
LIST_OPEN = "pec list --abiertas"
PEND_TABLE = "pec pendientes"
PEND_JSON = "pec pendientes --format json"
EXPORTS = ("csv", "json", "markdown", "xlsx", "html")
DETAILS = ("csv", "markdown", "xlsx")
PAQUETE = "pec export paquete"
PDF = "pec export pdf (a browser; once)"
VERIFY = "pec verify"
HLEDGER = "hledger balance -Q"
BEAN_COLD = "bean-query (no pickle cache)"
BEAN_WARM = "bean-query (its pickle cache)"
TYPER_FLOOR = "python -c 'import typer' (floor)"


def export_row(fmt: str, detalle: bool = False) -> str:
    return f"pec export {fmt}" + (" --detalle" if detalle else "")


# the status rows: the only ones timed above --status-only-above (a million entries)
STATUS_ROWS = (TYPER_FLOOR, "pec --help", PEC_COLD, PEC_STATUS, PEC_JSON)
ROW_ORDER = (TYPER_FLOOR, "pec --help", PEC_COLD, PEC_STATUS, PEC_JSON, PEC_PULL, PEC_LOG, PEC_AFTER_LOG, PEC_NOTE,
             PEC_VOID, PEC_IMPORT, PEC_IMPORT_INTO, LIST_TABLE, LIST_JSON, LIST_CSV, LIST_OPEN, PEND_TABLE, PEND_JSON,
             *(export_row(f) for f in EXPORTS), *(export_row(f, True) for f in DETAILS), PAQUETE, PDF, VERIFY,
             HLEDGER, BEAN_COLD, BEAN_WARM)
PULL_LINES = 1000  # lines a git pull brings into another writer's segment, per run
IMPORT_SMALL = 10_000  # rows of the CSV imported into the generated ledger


def find_tool(name: str) -> str | None:
    """The executable beside this Python first (skips pyenv shims' start-up), else PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def pec_python(pec: str | None) -> str:
    """The interpreter that runs the pec script (its #! line), else this one."""
    try:
        with open(pec or "", "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    return first[2:].strip() if first.startswith("#!") and os.access(first[2:].strip(), os.X_OK) else sys.executable


def tool_version(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if out.returncode == 0 and text else None


def py_version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return None


@dataclass
class Sample:
    seconds: float
    rss_kib: int
    code: int
    timed_out: bool
    cpu: float = 0.0  # user + system seconds of the process and its children (os.wait4)


@dataclass
class Result:
    n: int
    command: str
    peer: bool = False
    samples: list[Sample] = field(default_factory=list)
    note: str = ""  # "no instalado", "n/a", "timeout", "error"...

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.code == 0 and not s.timed_out]

    @property
    def median(self) -> float | None:
        ok = self.ok
        return statistics.median(s.seconds for s in ok) if ok and not self.note else None

    @property
    def cpu(self) -> float | None:
        ok = self.ok
        return statistics.median(s.cpu for s in ok) if ok and not self.note else None

    def as_dict(self) -> dict:
        ok = self.ok
        return {
            "n": self.n,
            "command": self.command,
            "peer": self.peer,
            "runs": len(ok),
            "median_s": round(self.median, 4) if self.median is not None else None,
            "min_s": round(min(s.seconds for s in ok), 4) if ok else None,
            "cpu_median_s": round(self.cpu, 4) if self.cpu is not None else None,
            "max_s": round(max(s.seconds for s in ok), 4) if ok else None,
            "peak_rss_mib": round(max(s.rss_kib for s in ok) / 1024, 1) if ok else None,
            "note": self.note,
            "samples_s": [round(s.seconds, 4) for s in self.samples],
            "samples_cpu_s": [round(s.cpu, 4) for s in self.samples],
        }


GNU_TIME = "/usr/bin/time"


def run_child(argv: list[str], env: dict[str, str], timeout: float, out: Path, cwd: Path | None = None) -> Sample:
    """Run argv once; wall time, peak RSS (KiB) and exit code of that process alone.

    Peak RSS comes from GNU time (``%M``) when /usr/bin/time exists: Linux
    charges a child with the high-water mark of the process it was forked
    from, so ``os.wait4`` on a child of this (large) Python reports at least
    this Python's RSS; a child of the small ``time`` process does not have
    that floor. Without it, ``os.wait4``'s figure is used (an upper bound).
    """
    rss_file = out.with_suffix(".rss")
    use_time = os.access(GNU_TIME, os.X_OK)
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), "--", *argv] if use_time else argv
    with out.open("wb") as stdout, out.with_suffix(".err").open("wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env,
                                cwd=cwd, start_new_session=True)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    rss = usage.ru_maxrss
    if use_time:
        try:
            rss = int(rss_file.read_text(encoding="ascii").strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            pass
    # wait4 on the GNU time process: Linux adds the times of the children it waited for
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, rss, proc.returncode, fired.is_set(), cpu)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.results: list[Result] = []
        self.failures: list[str] = []
        self.checked: list[str] = []
        # children run as an installed pec would: with bytecode caches (kept under
        # the data folder, so the source tree gets no __pycache__), no PEC_ROOT
        drop = ("PEC_ROOT", "PYTHONDONTWRITEBYTECODE")
        self.env = {k: v for k, v in os.environ.items() if k not in drop}
        self.env["PEC_HOY"] = HOY
        self.env["PYTHONPYCACHEPREFIX"] = str(args.data.resolve() / "pycache")
        if args.pec_src:
            self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.pec_src), os.environ.get("PYTHONPATH")]))
        self.pec = find_tool("pec")
        self.python = pec_python(self.pec)
        self.hledger = find_tool("hledger")
        self.bean_query = find_tool("bean-query")
        self.has_import = self._has_import()

    def _has_import(self) -> bool:
        if self.pec is None:
            return False
        done = subprocess.run([self.pec, "import", "--help"], capture_output=True, env=self.env,
                              stdin=subprocess.DEVNULL, timeout=60)
        return done.returncode == 0

    def say(self, text: str) -> None:
        if not self.args.quiet:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()

    def time_one(self, result: Result, argv: list[str], out: Path, cwd: Path | None = None) -> Sample | None:
        """One timed run into result; None (and a note) when it failed or timed out."""
        sample = run_child(argv, self.env, self.args.timeout, out, cwd)
        result.samples.append(sample)
        if sample.timed_out:
            result.note = f"timeout (>{self.args.timeout:g} s)"
            return None
        if sample.code != 0:
            err = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace").strip()
            result.note = f"error (exit {sample.code})"
            detail = f"{result.command} at N={result.n}: exit {sample.code}: {err[-800:]}"
            if result.peer:
                self.say(f"  peer failed: {detail}")
            else:
                self.failures.append(detail)
                self.say(f"  FAILED: {detail}")
            return None
        return sample

    def skipped(self, name: str, n: int) -> str:
        """Why the row ``name`` is not timed at size ``n`` ("" when it is)."""
        args = self.args
        if args.only and re.search(args.only, name) is None:
            return "omitido (--only)"
        if n > args.status_only_above and name not in STATUS_ROWS:
            return f"omitido (N > {args.status_only_above:,}: solo status)"
        for at_least, pattern in args.skip:
            if n >= at_least and re.search(pattern, name):
                return "omitido (--skip)"
        return ""

    def wanted(self, name: str, n: int) -> bool:
        return not self.skipped(name, n)

    def interleave(self, n: int, cases: list[Case], runs: int) -> None:
        """A B A B: one untimed round, then ``runs`` rounds each running every case once, in order.

        Interleaving puts pec and the peers under the same load on a shared machine:
        a burst of other work slows one round of every command, not all runs of one.
        """
        live = []
        for case in cases:
            case.result = Result(n, case.name, case.peer)
            self.results.append(case.result)
            case.result.note = self.skipped(case.name, n)
            if not case.result.note:
                live.append(case)
        rounds = ([-1] if self.args.warmup else []) + list(range(runs))
        for k in rounds:
            for case in live:
                result = case.result
                assert result is not None
                if result.note:
                    continue
                if case.prepare:
                    case.prepare(k)
                if k >= 0:
                    self.time_one(result, case.argv, case.out)
                    continue
                sample = run_child(case.argv, self.env, self.args.timeout, case.out)
                if sample.timed_out or sample.code != 0:  # a failed warm-up is reported like a failed run
                    result.samples.append(sample)
                    self._failed(result, sample, case.out)
        for case in live:
            r = case.result
            assert r is not None
            self.say(f"  {r.command}: {fmt_s(r.median)} s" + (f" ({r.note})" if r.note else ""))

    def _failed(self, result: Result, sample: Sample, out: Path) -> None:
        if sample.timed_out:
            result.note = f"timeout (>{self.args.timeout:g} s)"
            return
        err = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace").strip()
        result.note = f"error (exit {sample.code})"
        detail = f"{result.command} at N={result.n}: exit {sample.code}: {err[-800:]}"
        (self.say if result.peer else self.failures.append)(detail)

    def size(self, n: int, runs: int) -> None:
        args = self.args
        folder = args.data / f"n{n}"
        meta = self.data(n, folder)
        ws = folder / "ws"
        tmp = folder / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        out = tmp / "out"  # what the exports write (-o)
        out.mkdir(parents=True)
        pec = self.pec
        assert pec is not None
        root = ["--root", str(ws)]
        status_ws = [pec, "status", "--trim", "IV", *root]

        # caches of this code only (made in the warm-up round); the cold row reads a copy, so that the
        # other rows find the caches a user's workspace has
        shutil.rmtree(ws / ".pec" / "cache", ignore_errors=True)
        ws_cold = tmp / "ws-cold"

        def drop_pec_cache(_k: int) -> None:
            shutil.rmtree(ws_cold / ".pec" / "cache", ignore_errors=True)

        # log, note and void change a copy of the workspace, so the generated ledger stays as made
        ws_log = tmp / "ws-log"
        log_argv = [pec, "log", "revista", "--titulo", "X", "--fecha", "2024-05-01", "--root", str(ws_log)]
        note_argv = [pec, "note", "revista", "--trim", "II", "X", "--root", str(ws_log)]
        void_argv = [pec, "void", "ID", "--motivo", "anulada por el benchmark", "--root", str(ws_log)]
        targets: list[dict] = []

        changed = Changes()

        def new_title(k: int) -> None:  # a title of its own each run: the same piece twice is refused
            log_argv[4] = f"Revista de la prueba {k + 2}"
            changed.logged += 1

        def new_note(k: int) -> None:
            note_argv[5] = f"Observación de la prueba {k + 2}"

        def next_target(k: int) -> None:  # a piece not voided yet, from the middle of another writer's segment
            void_argv[2] = changed.target(targets[k + 1])["id"]

        pull = Pull(self, ws, tmp / "ws-pull", meta["writers"][1 % len(meta["writers"])])
        paquete = out / "paquete"

        def fresh_paquete(_k: int) -> None:  # the paquete's folder must be new or empty
            shutil.rmtree(paquete, ignore_errors=True)
            (out / "paquete.zip").unlink(missing_ok=True)

        cases = [
            # what any pec command pays before its own code: Python, site and typer
            Case(TYPER_FLOOR, [self.python, "-c", "import typer"], tmp / "floor.out"),
            Case("pec --help", [pec, "--help"], tmp / "help.out"),
            # without pec's caches (a fresh clone): reads every line, as the peers do
            Case(PEC_COLD, [pec, "status", "--trim", "IV", "--root", str(ws_cold)], tmp / "cold.out",
                 prepare=drop_pec_cache),
            Case(HLEDGER, [self.hledger or "hledger", "-f", str(folder / "journal.hledger"), "balance", "-Q"],
                 tmp / "hledger.out", peer=True),
            Case(PEC_STATUS, status_ws, tmp / "status.out"),
            Case(BEAN_COLD, [self.bean_query or "bean-query", str(folder / BEAN_FILE), BQL], tmp / "bean.out",
                 peer=True, prepare=lambda _k: (folder / f".{BEAN_FILE}.picklecache").unlink(missing_ok=True)),
            Case(PEC_JSON, [pec, "status", "--trim", "IV", "--format", "json", *root], tmp / "status.json"),
            Case(PEC_PULL, [pec, "status", "--trim", "IV", "--root", str(pull.ws)], tmp / "pull.out",
                 prepare=pull.bring),
            # beancount keeps a pickle of a file that took over 1 s to load, used while the file is unchanged
            Case(BEAN_WARM, [self.bean_query or "bean-query", str(folder / BEAN_FILE), BQL], tmp / "bean.out",
                 peer=True),
            Case(PEC_LOG, log_argv, tmp / "log.out", prepare=new_title),
            Case(PEC_AFTER_LOG, [pec, "status", "--trim", "IV", "--root", str(ws_log)], tmp / "after.out"),
            Case(PEC_NOTE, note_argv, tmp / "note.out", prepare=new_note),
            Case(PEC_VOID, void_argv, tmp / "void.out", prepare=next_target),
            Case(LIST_TABLE, [pec, "list", *root], tmp / "list.out"),
            Case(LIST_JSON, [pec, "list", "--format", "json", *root], tmp / "list.json"),
            Case(LIST_CSV, [pec, "list", "--format", "csv", *root], tmp / "list.csv"),
            Case(LIST_OPEN, [pec, "list", "--abiertas", *root], tmp / "abiertas.out"),
            Case(PEND_TABLE, [pec, "pendientes", *root], tmp / "pendientes.out"),
            Case(PEND_JSON, [pec, "pendientes", "--format", "json", *root], tmp / "pendientes.json"),
            *(Case(export_row(fmt), [pec, "export", fmt, "-o", str(out / f"seguimiento.{fmt}"), *root],
                   tmp / f"export-{fmt}.out") for fmt in EXPORTS),
            *(Case(export_row(fmt, True), [pec, "export", fmt, "--detalle", "-o", str(out / f"detalle.{fmt}"), *root],
                   tmp / f"detalle-{fmt}.out") for fmt in DETAILS),
            Case(PAQUETE, [pec, "export", "paquete", "-o", str(paquete), *root], tmp / "paquete.out",
                 prepare=fresh_paquete),
            Case(VERIFY, [pec, "verify", *root], tmp / "verify.out"),
        ]
        missing = {HLEDGER: self.hledger, BEAN_COLD: self.bean_query, BEAN_WARM: self.bean_query}
        for case in [c for c in cases if c.name in missing and missing[c.name] is None]:
            cases.remove(case)
            self.results.append(Result(n, case.name, peer=True, note=NO_INSTALADO))
        if any(self.wanted(name, n) for name in (PEC_LOG, PEC_AFTER_LOG, PEC_NOTE, PEC_VOID)):
            shutil.copytree(ws, ws_log)
            run_child([pec, "status", "--root", str(ws_log)], self.env, args.timeout, tmp / "after.out")  # warm caches
            targets = void_targets(ws_log, meta["writers"][1 % len(meta["writers"])], runs + 1)
        if self.wanted(PEC_PULL, n):
            pull.start()
        if self.wanted(PEC_COLD, n):
            shutil.copytree(ws, ws_cold, ignore=shutil.ignore_patterns("cache"))
        self.interleave(n, cases, runs)
        self.pdf(n, out, tmp)
        self.check_results(n, tmp, meta, pull)
        self.check_lists(n, tmp, meta)
        self.check_changes(n, tmp, meta, ws_log, changed)
        if n <= args.verify_max:
            done = subprocess.run([pec, "verify", "--root", str(ws)], capture_output=True, text=True, env=self.env,
                                  stdin=subprocess.DEVNULL, timeout=args.timeout)
            if done.returncode != 0:
                self.failures.append(f"pec verify at N={n} rejects the generated ledger: {done.stdout[-800:]}{done.stderr[-800:]}")
        for copy in (ws_log, pull.ws, ws_cold):
            shutil.rmtree(copy, ignore_errors=True)
        self.imports(n, folder, tmp, runs)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def pdf(self, n: int, out: Path, tmp: Path) -> None:
        """``pec export pdf``, timed once (a browser's start-up and printing, not pec's): reported apart."""
        result = Result(n, PDF)
        self.results.append(result)
        why = self.skipped(PDF, n)
        browser = os.environ.get("PEC_NAVEGADOR") or next(
            (found for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
             if (found := shutil.which(name))), None)
        if why or browser is None:
            result.note = why or f"{NO_INSTALADO} (un navegador)"
            return
        assert self.pec is not None
        self.time_one(result, [self.pec, "export", "pdf", "-o", str(out / "seguimiento.pdf"), "--root",
                               str(self.args.data / f"n{n}" / "ws")], tmp / "pdf.out")

    def data(self, n: int, folder: Path) -> dict:
        """The generated data of size n (reused when it is there and of this generator)."""
        args = self.args
        meta_path = folder / "meta.json"
        meta = None
        if meta_path.exists() and not args.fresh:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if (meta.get("generator"), meta.get("n"), meta.get("seed")) != (generate.GENERATOR_VERSION, n, args.seed):
                meta = None
        if meta is None:
            self.say(f"N={n}: generating into {folder}")
            meta = generate.generate(n, folder, seed=args.seed, writers=args.writers)
            self.say(f"  generated {meta['lines']} lines in {meta['seconds']} s")
        else:
            self.say(f"N={n}: reusing {folder} (--fresh regenerates)")
        small = folder / "import10k.csv"
        if not small.exists():
            activities = generate.load_activities()
            generate.write_csv(small, generate.random.Random(args.seed + 2), generate.combos(activities), activities,
                               generate.Clock(), IMPORT_SMALL)
        return meta

    def imports(self, n: int, folder: Path, tmp: Path, runs: int) -> None:
        """``pec import`` of the N-row CSV into an empty workspace, and of 10k rows into this ledger."""
        pec = self.pec
        assert pec is not None
        ws = folder / "ws"
        if not self.has_import:
            for name in (PEC_IMPORT, PEC_IMPORT_INTO):
                self.results.append(Result(n, name, note="n/a (pec has no import)"))
            return
        ws_imp = tmp / "ws-import"

        def fresh(_k: int) -> None:
            shutil.rmtree(ws_imp, ignore_errors=True)
            (ws_imp / "plan").mkdir(parents=True)
            (ws_imp / "ledger").mkdir()
            shutil.copyfile(ws / "plan" / "2024.yaml", ws_imp / "plan" / "2024.yaml")
            # the plan checked once, as by the `pec status` a new user runs first: the row times the import, not
            # the plan's first check (about 0.15 s, the cold status row's: every first command of a clone pays it)
            run_child([pec, "status", "--root", str(ws_imp)], self.env, self.args.timeout, tmp / "import-plan.out")

        into = tmp / "ws-into"
        if self.wanted(PEC_IMPORT_INTO, n):
            shutil.copytree(ws, into)
        sizes = {p: p.stat().st_size for p in (into / "ledger").rglob("*.jsonl")}

        def restore(_k: int) -> None:
            # the ledger as generated (the import's lines cut off), its caches warm as a user's would be after
            # any pec log or import: the totals and the keys (list --abiertas gathers the keys of every segment)
            for path in (into / "ledger").rglob("*.jsonl"):
                if path in sizes:
                    os.truncate(path, sizes[path])
                else:
                    path.unlink()
            run_child([pec, "list", "--abiertas", "--format", "json", "--root", str(into)], self.env,
                      self.args.timeout, tmp / "into-status.out")

        cases = [
            # --confirmar: a network measured twice a day is a correction, which pec asks to confirm; and
            # import10k's counts jump from the ledger's
            Case(PEC_IMPORT, [pec, "import", str(folder / "import.csv"), "--confirmar", "--root", str(ws_imp)],
                 tmp / "import.out", prepare=fresh),
            Case(PEC_IMPORT_INTO, [pec, "import", str(folder / "import10k.csv"), "--confirmar", "--root", str(into)],
                 tmp / "into.out", prepare=restore),
        ]
        self.interleave(n, cases, runs)
        for case, root, want in ((cases[0], ws_imp, n), (cases[1], into, IMPORT_SMALL)):
            if case.result and case.result.ok and not case.result.note:
                landed = sum(p.read_bytes().count(b'"importe"') for p in (root / "ledger").rglob("*.jsonl"))
                if landed != want:
                    self.failures.append(f"{case.name} at N={n}: {landed} imported entries in the ledger, expected {want}")
        shutil.rmtree(ws_imp, ignore_errors=True)
        shutil.rmtree(into, ignore_errors=True)

    def check_results(self, n: int, tmp: Path, meta: dict, pull: Pull) -> None:
        """pec's counts against the generator's, against hledger's own output, and after the pulls."""
        by = {r.command: r for r in self.results if r.n == n}

        def ran(name: str) -> bool:
            r = by.get(name)
            return r is not None and bool(r.ok) and not r.note

        want = {k: v for k, v in meta["expected"].items() if v}
        got = self.pec_counts(n, tmp / "status.json", PEC_JSON) if ran(PEC_JSON) else None
        if got is not None:
            self.compare(n, "pec status", got, "the generated data", want)
        if got is not None and ran(HLEDGER):
            theirs = hledger_counts((tmp / "hledger.out").read_text(encoding="utf-8", errors="replace"))
            if theirs is None:
                self.failures.append(f"hledger balance -Q at N={n}: output not understood, counts not compared")
            else:
                self.compare(n, "pec status", got, "hledger balance -Q", theirs)
                self.checked.append(f"N={n}: pec's {sum(got.values())} net pieces in {len(got)} (actividad, tipo,"
                                    " trimestre) cells equal hledger balance -Q's")
        if ran(PEC_PULL) and self.pec:
            out = tmp / "pull.json"
            run_child([self.pec, "status", "--trim", "IV", "--format", "json", "--root", str(pull.ws)], self.env,
                      self.args.timeout, out)
            after = self.pec_counts(n, out, PEC_PULL)
            if after is not None:
                expected = dict(want)
                for key, value in pull.added.items():
                    expected[key] = expected.get(key, 0) + value
                before = len(self.failures)
                self.compare(n, "pec status after the pulls", after, "the generated data plus the pulled lines",
                             expected)
                if len(self.failures) == before:
                    self.checked.append(f"N={n}: after {pull.pulled:,} lines pulled into {pull.writer}'s segment,"
                                        " pec's counts equal the generated data plus those lines")
            if n <= self.args.verify_max:
                done = subprocess.run([self.pec, "verify", "--root", str(pull.ws)], capture_output=True, text=True,
                                      env=self.env, stdin=subprocess.DEVNULL, timeout=self.args.timeout)
                if done.returncode != 0:
                    self.failures.append(f"pec verify at N={n} rejects the pulled lines: {done.stdout[-800:]}")

    def check_changes(self, n: int, tmp: Path, meta: dict, ws_log: Path, changed: Changes) -> None:
        """After the log and void rows: the copy's counts are the generated ones, plus the revistas
        logged, less the pieces voided."""
        by = {r.command: r for r in self.results if r.n == n}
        if not any(by.get(name) and by[name].ok and not by[name].note for name in (PEC_LOG, PEC_VOID)):
            return
        assert self.pec is not None
        out = tmp / "changed.json"
        run_child([self.pec, "status", "--trim", "IV", "--format", "json", "--root", str(ws_log)], self.env,
                  self.args.timeout, out)
        got = self.pec_counts(n, out, "pec status after log and void")
        if got is None:
            return
        want = {k: v for k, v in meta["expected"].items() if v}
        key = "revista|publicacion|2"  # pec log revista --fecha 2024-05-01
        want[key] = want.get(key, 0) + changed.logged
        for record in changed.voided:
            key = f"{record['actividad']}|{record['tipo']}|{generate.quarter_of(record['fecha'])}"
            want[key] -= 1
        want = {k: v for k, v in want.items() if v}
        before = len(self.failures)
        self.compare(n, "pec status after log and void", got, "the generated data, the logs and the voids", want)
        if len(self.failures) == before:
            self.checked.append(f"N={n}: after {changed.logged} pec log and {len(changed.voided)} pec void, pec's"
                                " counts equal the generated data plus the revistas less the voided pieces")

    def check_lists(self, n: int, tmp: Path, meta: dict) -> None:
        """Every entry listed and exported: as many as the generator wrote (in force, or all with voided)."""
        by = {r.command: r for r in self.results if r.n == n}
        in_force, pieces = meta["pieces"] - meta["voids"], meta["pieces"]
        want_open = sum(v for k, v in meta["expected"].items() if k.startswith(("internas|solicitud|", "eventos|evento|")))

        def rows_of(path: Path, fmt: str) -> int | None:
            try:
                if fmt == "json":
                    return len(json.loads(path.read_text(encoding="utf-8")))
                if fmt == "csv":
                    with path.open(encoding="utf-8-sig", newline="") as handle:
                        return sum(1 for _ in csv.reader(handle, delimiter=";")) - 1
                found = re.search(r"^(\d+) entradas?\.", path.read_text(encoding="utf-8"), re.M)
                return int(found.group(1)) if found else None
            except (OSError, ValueError):
                return None

        for name, path, fmt, want in ((LIST_JSON, tmp / "list.json", "json", in_force),
                                      (LIST_CSV, tmp / "list.csv", "csv", in_force),
                                      (LIST_OPEN, tmp / "abiertas.out", "table", want_open),
                                      (export_row("csv", True), tmp / "out" / "detalle.csv", "csv", pieces)):
            r = by.get(name)
            if r is None or not r.ok or r.note:
                continue
            got = rows_of(path, fmt)
            if got != want:
                self.failures.append(f"{name} at N={n}: {got} rows, expected {want}")
            else:
                self.checked.append(f"N={n}: {name} gives {got:,} rows, as generated")

    def pec_counts(self, n: int, path: Path, name: str) -> dict[str, int] | None:
        try:
            return status_counts(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.failures.append(f"{name} --format json at N={n}: not the documented JSON ({exc})")
            return None

    def compare(self, n: int, what: str, got: dict[str, int], source: str, want: dict[str, int]) -> None:
        if got != want:
            diff = sorted(set(got.items()) ^ set(want.items()))[:6]
            self.failures.append(f"{what} at N={n}: counts differ from {source}: {diff}")


@dataclass
class Case:
    """One command of an interleaved round."""

    name: str
    argv: list[str]
    out: Path
    peer: bool = False
    prepare: Callable[[int], None] | None = None
    result: Result | None = None


class Changes:
    """What the log and void rows changed in their copy of the workspace."""

    def __init__(self) -> None:
        self.logged = 0
        self.voided: list[dict] = []

    def target(self, record: dict) -> dict:
        self.voided.append(record)
        return record


def void_targets(ws: Path, writer: str, k: int) -> list[dict]:
    """``k`` pieces not voided, from the middle of ``writer``'s segment on: what ``pec void`` is given."""
    voided: set[str] = set()
    for segment in (ws / "ledger").rglob("*.jsonl"):
        voided.update(m.decode() for m in re.findall(rb'"anula":"([^"]+)"', segment.read_bytes()))
    (segment,) = list((ws / "ledger").glob(f"*/{writer}.jsonl"))
    lines = segment.read_bytes().splitlines()
    out = []
    for raw in lines[len(lines) // 2:]:
        record = json.loads(raw)
        if record.get("clase") == "pieza" and record["id"] not in voided:
            out.append(record)
            if len(out) == k:
                break
    return out


class Pull:
    """A copy of the workspace whose other writer's segment grows as ``git pull`` makes it grow.

    Git writes a changed file anew (a new inode, the old content plus the new
    lines), so each pull here writes a new file and renames it over the old one.
    """

    def __init__(self, bench: Bench, ws: Path, copy: Path, writer: str) -> None:
        self.bench, self.source, self.ws = bench, ws, copy
        self.writer = writer
        self.added: dict[str, int] = {}
        self.pulled = 0

    def start(self) -> None:
        shutil.copytree(self.source, self.ws)
        # as after the last status before the pull: every cache current
        run_child([self.bench.pec or "pec", "status", "--root", str(self.ws)], self.bench.env, self.bench.args.timeout,
                  self.ws.parent / "pull-warm.out")

    def bring(self, _k: int) -> None:
        (segment,) = list((self.ws / "ledger").glob(f"*/{self.writer}.jsonl"))
        data, added = generate.pulled_lines(segment, PULL_LINES, self.pulled)
        self.pulled += PULL_LINES
        for key, value in added.items():
            self.added[key] = self.added.get(key, 0) + value
        new = segment.with_name(segment.name + ".git-tmp")
        with segment.open("rb") as old, new.open("wb") as handle:
            shutil.copyfileobj(old, handle, 1 << 20)
            handle.write(data)
        os.replace(new, segment)


def status_counts(doc: dict) -> dict[str, int]:
    """The non-zero por_tipo of ``pec status --format json``, keyed «actividad|tipo|trimestre 1-4»."""
    got = {}
    for act in doc["actividades"]:
        for q, fig in act["trimestres"].items():
            for tipo, count in (fig.get("por_tipo") or {}).items():
                if count:
                    got[f"{act['id']}|{tipo}|{('I', 'II', 'III', 'IV').index(q) + 1}"] = count
    return got


def hledger_counts(text: str) -> dict[str, int] | None:
    """The non-zero quarterly balances of ``hledger balance -Q``'s own table, keyed as ``status_counts``.

    Its rows read `` pec:<actividad>:<tipo> || 5 PZ  7 PZ  0  4 PZ``, under a header
    naming the quarters (``2024Q1``...); ``pec:fuente`` is the balancing account.
    """
    quarters: list[int] | None = None
    got: dict[str, int] = {}
    for line in text.splitlines():
        if "||" not in line:
            continue
        left, right = (part.strip() for part in line.split("||", 1))
        if quarters is None:
            found = re.findall(r"\d{4}[Qq]([1-4])", right)
            if found:
                quarters = [int(q) for q in found]
            continue
        parts = left.split(":")
        if len(parts) != 3 or parts[0] != "pec" or parts[1] == "fuente":
            continue
        values = re.findall(r"(-?\d+)(?: PZ)?(?=\s|$)", right)
        if len(values) != len(quarters):
            return None
        for q, value in zip(quarters, values, strict=True):
            if int(value):
                got[f"{parts[1]}|{parts[2]}|{q}"] = int(value)
    return got if quarters else None


def fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def machine(bench: Bench) -> dict:
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {
        "nproc": nproc,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "pec": py_version("pec"),
        "pec_source": bench.args.pec_label,
        "hledger": tool_version([bench.hledger, "--version"]) if bench.hledger else NO_INSTALADO,
        "beancount": py_version("beancount") if bench.bean_query else NO_INSTALADO,
        "beanquery": py_version("beanquery") if bench.bean_query else NO_INSTALADO,
        "rss_source": "GNU time %M" if os.access(GNU_TIME, os.X_OK) else "os.wait4 (upper bound: includes the runner's RSS)",
        "date": dt.date.today().isoformat(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "-",
    }


def per_entry(seconds: float | None, n: int) -> str:
    return "-" if seconds is None else f"{seconds / n * 1e6:.1f}"


def ratio_rows(bench: Bench, sizes: list[int]) -> list[dict]:
    by = {(r.n, r.command): r for r in bench.results}
    rows = []
    for n in sizes:
        def med(name: str, n: int = n) -> float | None:
            r = by.get((n, name))
            return r.median if r else None

        def peer(name: str, against: str, n: int = n) -> str:
            r = by.get((n, name))
            if r is not None and r.note == NO_INSTALADO:
                return NO_INSTALADO
            return ratio(r.median if r else None, med(against, n))

        cold, warm = med(PEC_COLD), med(PEC_STATUS)
        rows.append({
            "n": n,
            "hledger_over_pec_cached": peer(HLEDGER, PEC_STATUS),
            "hledger_over_pec_cold": peer(HLEDGER, PEC_COLD),
            "beanquery_warm_over_pec_cached": peer(BEAN_WARM, PEC_STATUS),
            "beanquery_cold_over_pec_cold": peer(BEAN_COLD, PEC_COLD),
            "after_pull_over_pec": ratio(med(PEC_PULL), warm),
            "after_log_over_pec": ratio(med(PEC_AFTER_LOG), warm),
            "pec_cold_us_per_entry": per_entry(None if cold is None or warm is None else cold - warm, n),
            "hledger_us_per_entry": per_entry(med(HLEDGER), n),
            "import_us_per_row": per_entry(med(PEC_IMPORT), n),
        })
    return rows


RATIO_COLUMNS = (
    ("hledger/pec", "cached", "hledger_over_pec_cached"),
    ("hledger/pec", "cold", "hledger_over_pec_cold"),
    ("bean/pec", "cached", "beanquery_warm_over_pec_cached"),
    ("bean/pec", "cold", "beanquery_cold_over_pec_cold"),
    ("pull/pec", "", "after_pull_over_pec"),
    ("log/pec", "", "after_log_over_pec"),
    ("µs/entry", "pec cold", "pec_cold_us_per_entry"),
    ("µs/entry", "hledger", "hledger_us_per_entry"),
    ("µs/row", "import", "import_us_per_row"),
)
RATIO_LEGEND = """\
Ratios of median wall times in this run, > 1 means pec is faster.
  cold is like for like: pec status with .pec/cache deleted reads and checks every line, as hledger
    and bean-query (no pickle cache) parse their whole file; this is the ratio to compare the tools by.
  cached is what a user sees day to day: pec status reads its cache of per-segment totals, while
    hledger has no cache (bean-query's pickle cache holds the parsed entries, still summed per query).
  pull/pec: status right after a git pull brought 1,000 lines into another writer's segment, over
    the warm status; log/pec: status right after one more pec log, over the warm status.
  µs/entry: the per-line cost: pec cold = (cold - cached status) / N, the scan alone (plus checking
    the YAML plan again, whose cache .pec/cache also holds: about 0.15 s, which dominates at small N);
    hledger = its time / N; import = pec import of the N-row CSV / N. Constant across N = linear."""


def warm_status(bench: Bench, n: int) -> float | None:
    """The median of the warm ``pec status`` at size n: what every row is compared with."""
    return next((r.median for r in bench.results if r.n == n and r.command == PEC_STATUS), None)


def over_warm(bench: Bench, r: Result) -> float | None:
    warm = warm_status(bench, r.n)
    return None if r.median is None or not warm else round(r.median / warm, 2)


def report(bench: Bench, sizes: list[int], runs: list[int]) -> tuple[str, dict]:
    info = machine(bench)
    width = max(len(r.command) for r in bench.results) if bench.results else 34
    lines = [
        f"pec benchmark · nproc {info['nproc']} · Python {info['python']} · {info['platform']} · pec {info['pec']}"
        f" ({info['pec_source']})",
        f"peers: hledger {info['hledger']} · beancount {info['beancount']} · beanquery {info['beanquery']}",
        f"wall and CPU (user+sys) time: median of {'/'.join(map(str, runs))} runs (after 1 warm-up), pec and"
        " the peers interleaved (A B A B)",
        f"peak RSS: max over runs, from {info['rss_source']} · PEC_HOY={HOY} · load average at the end:"
        f" {info['load']}",
        "",
        f"{'N':>9}  {'command':<{width}} {'median s':>9} {'min s':>8} {'cpu s':>8} {'peak RSS MiB':>13}"
        f" {'x status':>9}  note",
    ]
    order = {name: i for i, name in enumerate(ROW_ORDER)}
    for n in sizes:
        warm = warm_status(bench, n)
        for r in sorted((r for r in bench.results if r.n == n), key=lambda r: order.get(r.command, len(order))):
            d = r.as_dict()
            rss = "-" if d["peak_rss_mib"] is None else f"{d['peak_rss_mib']:.1f}"
            lines.append(f"{n:>9}  {r.command:<{width}} {fmt_s(d['median_s']):>9} {fmt_s(d['min_s']):>8}"
                         f" {fmt_s(d['cpu_median_s']):>8} {rss:>13} {ratio(r.median, warm):>9}  {r.note}".rstrip())
        lines.append("")
    ratios = ratio_rows(bench, sizes)
    widths = [max(len(a), len(b), 7) for a, b, _ in RATIO_COLUMNS]
    lines.append(f"{'':>9}  " + " ".join(f"{a:>{w}}" for (a, _, _), w in zip(RATIO_COLUMNS, widths, strict=True)))
    lines.append(f"{'N':>9}  " + " ".join(f"{b:>{w}}" for (_, b, _), w in zip(RATIO_COLUMNS, widths, strict=True)))
    for row in ratios:
        lines.append(f"{row['n']:>9}  " + " ".join(f"{row[k]:>{w}}" for (_, _, k), w in
                                                     zip(RATIO_COLUMNS, widths, strict=True)))
    lines += RATIO_LEGEND.splitlines()
    if bench.checked:
        lines += ["", "counts checked:", *(f"  {c}" for c in bench.checked)]
    doc = {"machine": info, "sizes": sizes, "runs": runs, "pec_hoy": HOY,
           "results": [{**r.as_dict(), "over_warm_status": over_warm(bench, r)} for r in bench.results], "ratios": ratios, "checked": bench.checked,
           "failures": bench.failures}
    return "\n".join(lines) + "\n", doc


def snapshot(rev: str, data: Path) -> tuple[Path, str]:
    """pec_cli/ as committed at ``rev``, extracted under ``data`` (git archive: the work tree is not touched)."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    dest = data / f"pec-{sha[:12]}"
    if not (dest / "pec_cli" / "__init__.py").exists():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha, "pec_cli"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest, f"commit {sha[:12]}"


def skip_rule(text: str) -> tuple[int, str]:
    size, sep, pattern = text.partition(":")
    if not sep or not pattern:
        raise argparse.ArgumentTypeError("--skip takes N:REGEX, e.g. 100000:'xlsx|paquete'")
    re.compile(pattern)
    return int(size.replace("_", "")), pattern


def int_list(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pec vs hledger vs beancount (see benchmarks/README.md)")
    parser.add_argument("--sizes", type=int_list, default=[2000], help="ledger sizes, e.g. 2000,10000,100000,1000000")
    parser.add_argument("--runs", type=int_list, default=[5],
                        help="timed runs per command: one number, or one per size (e.g. 5,5,5,3)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per command before it is killed")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where the generated data go (reused)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data even when it is there")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--writers", type=int, default=3, help="writer segments, 1-4")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the untimed first run")
    parser.add_argument("--verify-max", type=int, default=10000, help="check `pec verify` on sizes up to this")
    parser.add_argument("--keep", action="store_true", help="keep each size's command outputs (tmp/)")
    parser.add_argument("--quiet", action="store_true", help="print only the table")
    parser.add_argument("--only", help="time only the commands whose name matches this regular expression")
    parser.add_argument("--status-only-above", type=int, default=100_000, metavar="N",
                        help="above this size time only the status rows (default 100000: 1M is status alone)")
    parser.add_argument("--skip", type=skip_rule, action="append", default=[], metavar="N:REGEX",
                        help="at sizes of at least N, skip the commands whose name matches REGEX (repeatable),"
                        " e.g. 100000:'xlsx|paquete'")
    parser.add_argument("--rev", help="benchmark pec_cli as committed at this git revision (a snapshot under"
                        " --data, put first on PYTHONPATH) instead of the working tree")
    args = parser.parse_args(argv)
    sizes = args.sizes
    runs = args.runs * len(sizes) if len(args.runs) == 1 else args.runs
    if len(runs) != len(sizes) or min(runs) < 1 or min(sizes) < 1:
        parser.error("--runs takes one positive number, or one per size")

    args.data.mkdir(parents=True, exist_ok=True)
    args.pec_src, args.pec_label = None, "working tree"
    if args.rev:
        args.pec_src, args.pec_label = snapshot(args.rev, args.data)
    sys.path[:0] = [str(p) for p in (args.pec_src, HERE) if p]
    global generate
    import generate

    bench = Bench(args)
    if bench.pec is None:
        sys.stderr.write("pec is not installed (python -m pip install -e .)\n")
        return 1
    if bench.hledger is None:
        bench.say(f"hledger: {NO_INSTALADO} (bash benchmarks/setup.sh)")
    if bench.bean_query is None:
        bench.say(f"bean-query: {NO_INSTALADO} (bash benchmarks/setup.sh)")
    started = time.perf_counter()
    for n, k in zip(sizes, runs, strict=True):
        bench.size(n, k)
    text, doc = report(bench, sizes, runs)
    doc["total_seconds"] = round(time.perf_counter() - started, 1)
    sys.stdout.write("\n" + text)
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if bench.failures:
        sys.stdout.write("\npec failures:\n" + "".join(f"  {f}\n" for f in bench.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
