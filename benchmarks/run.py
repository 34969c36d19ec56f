"""The pec benchmark (issue 5): pec against hledger and beancount on equivalent data.

For each size N, generates (``generate.py``) a pec workspace of N ledger lines,
the equivalent hledger journal and beancount file and an N-row CSV, then times
each command as a separate process, ``--runs`` times after one untimed warm-up,
measuring wall time and peak RSS (``os.wait4``'s rusage of that child):

* ``pec --help``
* ``pec status --trim IV`` (table) and ``pec status --trim IV --format json``
  (its JSON is checked against the generator's expected counts)
* ``pec log revista --titulo X --fecha 2024-05-01``, on a copy of the
  workspace, each run followed by a timed ``pec status --trim IV`` (the
  "after one more log" case)
* ``pec import FILE.csv`` into a fresh workspace (n/a while pec has no import)
* ``hledger balance -Q`` and ``bean-query`` (quarterly count per account), the
  peers; "no instalado" when missing (``benchmarks/setup.sh`` installs them)

Prints medians and ratios as a plain-text table; ``--json FILE`` writes the
same as JSON. Exits 0 unless a pec command fails (non-zero exit, or a status
whose counts disagree with the data); a peer that fails or times out is only
reported.

Quick (CI): python benchmarks/run.py --sizes 2000 --runs 1
Full:       python benchmarks/run.py --sizes 2000,10000,100000,1000000 --runs 5,5,5,3
"""

from __future__ import annotations

import argparse
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
BEAN_COLD = "bean-query (no pickle cache)"
BEAN_WARM = "bean-query (its pickle cache)"


def find_tool(name: str) -> str | None:
    """The executable beside this Python first (skips pyenv shims' start-up), else PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


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

    def as_dict(self) -> dict:
        ok = self.ok
        return {
            "n": self.n,
            "command": self.command,
            "peer": self.peer,
            "runs": len(ok),
            "median_s": round(self.median, 4) if self.median is not None else None,
            "min_s": round(min(s.seconds for s in ok), 4) if ok else None,
            "max_s": round(max(s.seconds for s in ok), 4) if ok else None,
            "peak_rss_mib": round(max(s.rss_kib for s in ok) / 1024, 1) if ok else None,
            "note": self.note,
            "samples_s": [round(s.seconds, 4) for s in self.samples],
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
    return Sample(seconds, rss, proc.returncode, fired.is_set())


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.results: list[Result] = []
        self.failures: list[str] = []
        # children run as an installed pec would: with bytecode caches (kept under
        # the data folder, so the source tree gets no __pycache__), no PEC_ROOT
        drop = ("PEC_ROOT", "PYTHONDONTWRITEBYTECODE")
        self.env = {k: v for k, v in os.environ.items() if k not in drop}
        self.env["PEC_HOY"] = HOY
        self.env["PYTHONPYCACHEPREFIX"] = str(args.data.resolve() / "pycache")
        if args.pec_src:
            self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.pec_src), os.environ.get("PYTHONPATH")]))
        self.pec = find_tool("pec")
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

    def measure(self, n: int, name: str, argv: list[str], out: Path, runs: int, peer: bool = False,
                warmup: bool = True, prepare=None) -> Result:
        result = Result(n, name, peer)
        self.results.append(result)
        if self.args.only and not re.search(self.args.only, name):
            result.note = "omitido (--only)"
            return result
        if warmup and self.args.warmup:
            if prepare:
                prepare(-1)
            sample = run_child(argv, self.env, self.args.timeout, out)
            if sample.timed_out or sample.code != 0:
                result.samples.append(sample)
                result.note = f"timeout (>{self.args.timeout:g} s)" if sample.timed_out else f"error (exit {sample.code})"
                if not sample.timed_out:
                    err = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace").strip()
                    detail = f"{name} at N={n}: exit {sample.code}: {err[-800:]}"
                    (self.say if peer else self.failures.append)(detail)
                self.say(f"  {name}: {result.note}")
                return result
        for k in range(runs):
            if prepare:
                prepare(k)
            if self.time_one(result, argv, out) is None:
                break
        self.say(f"  {name}: {fmt_s(result.median)} s" + (f" ({result.note})" if result.note else ""))
        return result

    def size(self, n: int, runs: int) -> None:
        args = self.args
        folder = args.data / f"n{n}"
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
        ws = folder / "ws"
        tmp = folder / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        pec = self.pec
        assert pec is not None

        self.measure(n, "pec --help", [pec, "--help"], tmp / "help.out", runs)
        status_ws = [pec, "status", "--trim", "IV", "--root", str(ws)]

        def drop_pec_cache(_k: int) -> None:
            shutil.rmtree(ws / ".pec" / "cache", ignore_errors=True)

        # first the cost without pec's caches (.pec/cache deleted: a fresh clone, or after
        # deleting it), which also leaves them rebuilt for the rows that follow
        self.measure(n, PEC_COLD, status_ws, tmp / "status.out", runs, prepare=drop_pec_cache)
        self.measure(n, PEC_STATUS, status_ws, tmp / "status.out", runs)
        res = self.measure(n, "pec status --trim IV --format json",
                           [pec, "status", "--trim", "IV", "--format", "json", "--root", str(ws)],
                           tmp / "status.json", runs)
        if res.ok and not res.note:
            self.check_status(n, tmp / "status.json", meta)
        if n <= args.verify_max:
            done = subprocess.run([pec, "verify", "--root", str(ws)], capture_output=True, text=True, env=self.env,
                                  stdin=subprocess.DEVNULL, timeout=args.timeout)
            if done.returncode != 0:
                self.failures.append(f"pec verify at N={n} rejects the generated ledger: {done.stdout[-800:]}{done.stderr[-800:]}")

        # one more log, then status: on a copy, so the generated ledger stays as made
        ws_log = tmp / "ws-log"
        shutil.copytree(ws, ws_log)
        log_argv = [pec, "log", "revista", "--titulo", "X", "--fecha", "2024-05-01", "--root", str(ws_log)]
        status_argv = [pec, "status", "--trim", "IV", "--root", str(ws_log)]
        log_res = Result(n, "pec log revista")
        after_res = Result(n, "pec status (after one more log)")
        self.results += [log_res, after_res]
        warm = run_child(status_argv, self.env, args.timeout, tmp / "after.out")  # caches as they would be
        if warm.code != 0 and not warm.timed_out:
            self.failures.append(f"pec status on the copy at N={n}: exit {warm.code}")
        for _ in range(runs):
            if self.time_one(log_res, log_argv, tmp / "log.out") is None:
                break
            if self.time_one(after_res, status_argv, tmp / "after.out") is None:
                break
        for r in (log_res, after_res):
            self.say(f"  {r.command}: {fmt_s(r.median)} s" + (f" ({r.note})" if r.note else ""))
        shutil.rmtree(ws_log, ignore_errors=True)

        # bulk import into a fresh workspace each run
        csv_path = folder / "import.csv"
        if self.has_import:
            ws_imp = tmp / "ws-import"

            def fresh(_k: int) -> None:
                shutil.rmtree(ws_imp, ignore_errors=True)
                (ws_imp / "plan").mkdir(parents=True)
                (ws_imp / "ledger").mkdir()
                shutil.copyfile(ws / "plan" / "2024.yaml", ws_imp / "plan" / "2024.yaml")

            res = self.measure(n, "pec import FILE.csv", [pec, "import", str(csv_path), "--root", str(ws_imp)],
                               tmp / "import.out", runs, prepare=fresh)
            if res.ok and not res.note:
                landed = sum(len(p.read_bytes().splitlines()) for p in (ws_imp / "ledger").rglob("*.jsonl"))
                if landed != n:
                    self.failures.append(f"pec import at N={n}: {landed} entries in the ledger, expected {n}")
            shutil.rmtree(ws_imp, ignore_errors=True)
        else:
            self.results.append(Result(n, "pec import FILE.csv", note="n/a (pec has no import)"))
            self.say("  pec import FILE.csv: n/a (pec has no import)")

        if self.hledger:
            self.measure(n, "hledger balance -Q", [self.hledger, "-f", str(folder / "journal.hledger"), "balance", "-Q"],
                         tmp / "hledger.out", runs, peer=True)
        else:
            self.results.append(Result(n, "hledger balance -Q", peer=True, note=NO_INSTALADO))
        if self.bean_query:
            # beancount keeps a pickle of a file that took over 1 s to load beside it, and
            # loads that while the file is unchanged: time it without (as after any edit) and with
            cache = folder / f".{BEAN_FILE}.picklecache"
            bean_argv = [self.bean_query, str(folder / BEAN_FILE), BQL]

            def drop_cache(_k: int) -> None:
                cache.unlink(missing_ok=True)

            self.measure(n, BEAN_COLD, bean_argv, tmp / "bean.out", runs, peer=True, prepare=drop_cache)
            self.measure(n, BEAN_WARM, bean_argv, tmp / "bean.out", runs, peer=True)
        else:
            self.results.append(Result(n, BEAN_COLD, peer=True, note=NO_INSTALADO))
            self.results.append(Result(n, BEAN_WARM, peer=True, note=NO_INSTALADO))
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def check_status(self, n: int, path: Path, meta: dict) -> None:
        """pec's por_tipo per quarter must equal the generator's net counts."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            got = {}
            for act in doc["actividades"]:
                for q, fig in act["trimestres"].items():
                    for tipo, count in (fig.get("por_tipo") or {}).items():
                        if count:
                            got[f"{act['id']}|{tipo}|{('I', 'II', 'III', 'IV').index(q) + 1}"] = count
        except (ValueError, KeyError, TypeError) as exc:
            self.failures.append(f"pec status --format json at N={n}: not the documented JSON ({exc})")
            return
        want = {k: v for k, v in meta["expected"].items() if v}
        if got != want:
            diff = sorted(set(got.items()) ^ set(want.items()))[:6]
            self.failures.append(f"pec status at N={n} counts differ from the generated data: {diff}")


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
    }


def report(bench: Bench, sizes: list[int], runs: list[int]) -> tuple[str, dict]:
    info = machine(bench)
    by = {(r.n, r.command): r for r in bench.results}
    lines = [
        f"pec benchmark · nproc {info['nproc']} · Python {info['python']} · {info['platform']} · pec {info['pec']}"
        f" ({info['pec_source']})",
        f"peers: hledger {info['hledger']} · beancount {info['beancount']} · beanquery {info['beanquery']}",
        f"wall time: median of {'/'.join(map(str, runs))} runs (after 1 warm-up) · peak RSS: max over runs,"
        f" from {info['rss_source']} · PEC_HOY={HOY}",
        "",
        f"{'N':>9}  {'command':<34} {'median s':>9} {'min s':>8} {'peak RSS MiB':>13}  note",
    ]
    for n in sizes:
        for r in (r for r in bench.results if r.n == n):
            d = r.as_dict()
            rss = "-" if d["peak_rss_mib"] is None else f"{d['peak_rss_mib']:.1f}"
            lines.append(f"{n:>9}  {r.command:<34} {fmt_s(d['median_s']):>9} {fmt_s(d['min_s']):>8} {rss:>13}  {r.note}"
                         .rstrip())
        lines.append("")
    base_n = sizes[0]
    lines.append(f"{'N':>9}  {'hledger/pec':>11} {'bean/pec':>9} {'hledger/cold':>12} {'bean/cold':>10} "
                 f"{f'pec N/{base_n}':>10} {f'cold N/{base_n}':>11} {f'N/{base_n}':>7} {'after log/pec':>14}")
    ratios = []
    for n in sizes:
        def med(name: str, n: int = n) -> float | None:
            r = by.get((n, name))
            return r.median if r else None

        def peer(name: str, against: str, n: int = n) -> str:
            r = by.get((n, name))
            if r is not None and r.note == NO_INSTALADO:
                return NO_INSTALADO
            return ratio(r.median if r else None, med(against, n))

        row = {
            "n": n,
            "hledger_over_pec": peer("hledger balance -Q", PEC_STATUS),
            "beanquery_warm_over_pec": peer(BEAN_WARM, PEC_STATUS),
            "hledger_over_pec_cold": peer("hledger balance -Q", PEC_COLD),
            "beanquery_cold_over_pec_cold": peer(BEAN_COLD, PEC_COLD),
            "pec_over_base": ratio(med(PEC_STATUS), med(PEC_STATUS, base_n)),
            "pec_cold_over_base": ratio(med(PEC_COLD), med(PEC_COLD, base_n)),
            "n_over_base": f"{n / base_n:g}",
            "after_log_over_pec": ratio(med("pec status (after one more log)"), med(PEC_STATUS)),
        }
        ratios.append(row)
        lines.append(f"{n:>9}  {row['hledger_over_pec']:>11} {row['beanquery_warm_over_pec']:>9} "
                     f"{row['hledger_over_pec_cold']:>12} {row['beanquery_cold_over_pec_cold']:>10} "
                     f"{row['pec_over_base']:>10} {row['pec_cold_over_base']:>11} {row['n_over_base']:>7} "
                     f"{row['after_log_over_pec']:>14}")
    lines += [
        "ratios of median wall time, > 1 means pec is faster. pec = pec status --trim IV with its caches,",
        "cold = pec status with .pec/cache deleted; bean = bean-query with its pickle cache (bean/pec) and",
        "without it (bean/cold); hledger has no cache. pec N/N0 and cold N/N0 against N/N0 show the growth.",
    ]
    doc = {"machine": info, "sizes": sizes, "runs": runs, "pec_hoy": HOY,
           "results": [r.as_dict() for r in bench.results], "ratios": ratios, "failures": bench.failures}
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
