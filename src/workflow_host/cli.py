"""The `workflow-host` command."""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import date, datetime
from pathlib import Path

from .config import Settings
from .engine import now
from .host import Host
from .services import deployment, schema
from .services.calendar import load_calendar_year
from .services.deadlines import compute_deadline, parse_period
from .services.directory import load_directory
from .services.errors import Invalid, ServiceError
from .services.notices import deliver_pending, fire_due_notices
from .services.recompute import recompute_provisional
from .services.timers import fire_due_timers
from .services.verification import verify_instance

__all__ = ["main"]


_opened: list[Host] = []


def _host() -> Host:
    host = Host.create(Settings.from_env(Path.cwd() / "instance"))
    _opened.append(host)
    return host


def _read_text(name: str) -> str:
    """A UTF-8 file the command was given; a clear error, not a traceback, when it cannot be read."""
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as err:
        raise Invalid(f"cannot read {name}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise Invalid(f"{name} is not UTF-8 text") from None


def cmd_init_db(args: argparse.Namespace) -> int:
    schema.init_db(_host().database)
    print("database is up to date")
    return 0


def cmd_directory_load(args: argparse.Namespace) -> int:
    host = _host()
    text = _read_text(args.file)
    with host.database.transaction() as session:
        summary = load_directory(session, text)
    print(f"loaded {summary['units']} units and {summary['users']} users")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    host = _host()
    files = deployment.read_directory(Path(args.dir), Path(args.forms) if args.forms else None)
    try:
        with host.database.transaction() as session:
            result = deployment.deploy(session, host.runtime, files, "cli")
    except ServiceError as err:
        print(f"deploy refused: {err.message}", file=sys.stderr)
        for item in err.details.get("errors", []):
            where = item.get("file") or ""
            if item.get("element_id"):
                where += f" [{item['element_id']}]"
            if item.get("line"):
                where += f" line {item['line']}"
            print(f"  {where}: {item['message']}", file=sys.stderr)
        return 1
    state = "deployed as new version" if result.created else "unchanged, still version"
    print(f"{state} {result.version.id} ({result.version.content_hash[:12]})")
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        raise Invalid(f"'{args.start}' is not a date like 2026-09-20") from None
    host = _host()
    result = compute_deadline(host.calendar.current(), start, parse_period(args.period, args.working_days))
    note = "  provisional: the holiday calendar does not cover this period yet" if result.provisional else ""
    print(f"{result.due_on.isoformat()}  ({start.isoformat()} + {result.period}){note}")
    return 0


def cmd_calendar_load(args: argparse.Namespace) -> int:
    host = _host()
    with host.database.transaction() as session:
        year, days = load_calendar_year(session, _read_text(args.file), "cli")
    print(f"loaded {year}: {days} holidays and adjusted working days")
    host.calendar.invalidate()
    moved = recompute_provisional(host.database, host.runtime, host.calendar.current(), "cli")
    print(f"recomputed {len(moved)} provisional deadline(s)")
    return 0


def cmd_calendar_years(args: argparse.Namespace) -> int:
    print(" ".join(str(y) for y in _host().calendar.current().years))
    return 0


def _parse_now(value: str | None) -> datetime:
    if not value:
        return now()
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"--now '{value}' is not an ISO-8601 instant") from None
    if at.tzinfo is None:
        raise Invalid("--now needs a time zone, e.g. 2026-12-01T09:00:00+08:00")
    return at


def _tick(host: Host, at: datetime) -> tuple[list[int], list[int]]:
    fired = fire_due_timers(host.database, host.runtime, at)
    noticed = fire_due_notices(host.database, at)
    deliver_pending(host.database, host.sinks, at)
    return fired, noticed


def cmd_tick(args: argparse.Namespace) -> int:
    fired, noticed = _tick(_host(), _parse_now(args.now))
    print(f"fired timers of {len(fired)} instance(s); sent {len(noticed)} reminder(s) or escalation(s)")
    return 0


def _worker_loop(host: Host, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            _tick(host, now())
        except Exception as err:  # the worker must outlive one bad step
            print(f"timer worker: {err}", file=sys.stderr)
        stop.wait(interval)


def cmd_worker(args: argparse.Namespace) -> int:
    host = _host()
    stop = threading.Event()
    print(f"timer worker running every {args.interval}s; Ctrl+C stops it")
    try:
        _worker_loop(host, args.interval, stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import create_app

    app = create_app()
    host: Host = app.extensions["workflow_host"]
    stop = threading.Event()
    if not args.no_worker:
        threading.Thread(target=_worker_loop, args=(host, 30.0, stop), daemon=True, name="timer-worker").start()
    try:
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    finally:
        stop.set()
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .models import Instance

    host = _host()
    with host.database.transaction() as session:
        ids = [args.instance] if args.instance else list(session.scalars(select(Instance.id).order_by(Instance.id)))
        failures = 0
        for done, instance_id in enumerate(ids, start=1):
            result = verify_instance(session, host.runtime, instance_id)
            if not result["ok"]:
                failures += 1
                mismatch = result["mismatch"]
                print(f"\ninstance {instance_id}: FAILED at event {mismatch['seq']}: {mismatch['reason']}")
            bar = "#" * (30 * done // max(len(ids), 1))
            print(f"\r[{bar:<30}] {done}/{len(ids)}", end="", flush=True)
    print(f"\n{len(ids) - failures} of {len(ids)} instance(s) verified, {failures} failed")
    return 1 if failures else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workflow-host", description="Shiguai litigation-response workflow host")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create or migrate the schema").set_defaults(func=cmd_init_db)
    directory = sub.add_parser("directory", help="organisation directory").add_subparsers(dest="action", required=True)
    load = directory.add_parser("load", help="load or update the directory from a YAML file")
    load.add_argument("file")
    load.set_defaults(func=cmd_directory_load)
    deploy = sub.add_parser("deploy", help="validate and deploy diagrams as a new version")
    deploy.add_argument("dir", nargs="?", default="processes")
    deploy.add_argument("--forms", help="forms directory (default: forms/ beside DIR)")
    deploy.set_defaults(func=cmd_deploy)
    serve = sub.add_parser("serve", help="web UI + API + timer worker")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the in-process timer worker")
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="timer worker only")
    worker.add_argument("--interval", type=float, default=30.0)
    worker.set_defaults(func=cmd_worker)
    tick = sub.add_parser("tick", help="fire everything due as of --now once")
    tick.add_argument("--now", help="ISO-8601 instant with zone (default: the current time)")
    tick.set_defaults(func=cmd_tick)
    deadline = sub.add_parser("deadline", help="print the due date of a statutory period")
    deadline.add_argument("start", help="the triggering day, e.g. 2026-09-20 (not counted)")
    deadline.add_argument("period", help="15 (days), 5wd (working days) or 6m (months)")
    deadline.add_argument("--working-days", action="store_true", help="count working days")
    deadline.set_defaults(func=cmd_deadline)
    calendar = sub.add_parser("calendar", help="holiday calendar").add_subparsers(dest="action", required=True)
    calendar_load = calendar.add_parser("load", help="load a year from a State Council notice file (YAML)")
    calendar_load.add_argument("file")
    calendar_load.set_defaults(func=cmd_calendar_load)
    calendar.add_parser("years", help="list the years the calendar knows").set_defaults(func=cmd_calendar_years)
    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="action", required=True)
    verify = audit.add_parser("verify", help="check hash chains")
    group = verify.add_mutually_exclusive_group(required=True)
    group.add_argument("--instance", type=int)
    group.add_argument("--all", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ServiceError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 1
    finally:
        while _opened:
            _opened.pop().database.dispose()


if __name__ == "__main__":
    sys.exit(main())
