"""``python -m backend <command>`` (also installed as ``saha``).

init            migrate, then load demo data into an empty database (not in production)
migrate         apply database migrations
demo            load demo data (only into an empty database)
serve           run the HTTP server (PORT, default 8000)
create-user     add a user (password read from SAHA_NEW_PASSWORD or asked for)
export-schema   write schema.graphql
export-rules    write frontend/src/generated/rules.ts (the rules the PWA shares with the server)
settings        print the settings in force (secrets masked)
sync-prune      forget sync change-log entries older than --keep-days (devices whose cursor
                is older get a fresh snapshot; their outboxes are unaffected)
sync-new-epoch  make every device drop its local copy and pull a fresh snapshot (after
                restoring a backup, cloning the database, or editing rows outside Saha);
                outboxes are unaffected
blob-sweep      delete expired partial uploads and uploaded files nothing references
                (older than blob_grace_hours); the server also runs it daily
probe           on-site ONVIF probe: diagnose a site's inventory cameras from this machine,
                queue the results and push them through the sync (``saha probe --help``)
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable

from backend.config import Settings, get_settings, private_umask
from backend.probe.cli import add_arguments as add_probe_arguments


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def cmd_migrate(settings: Settings) -> None:
    from backend.db.migrate import upgrade

    settings.ensure_data_dir()
    upgrade(settings.effective_database_url)
    _seed(settings)
    print(f"migrated: {_safe_url(settings)}")


def _seed(settings: Settings) -> None:
    """Idempotent data every installation needs: the shipped checklist templates."""
    from backend.db.engine import Database
    from backend.domain.maintenance.defaults import ensure_default_templates
    from backend.domain.sync_adapter import install_change_tracking

    install_change_tracking()
    db = Database(settings.effective_database_url)
    try:
        db.run_write(ensure_default_templates)
    finally:
        db.dispose()


def cmd_demo(settings: Settings) -> None:
    from backend.demo.data import DEMO_PASSWORD, DEMO_USERS
    from backend.demo.loader import load_demo

    if settings.production:
        print("production mode: demo data is never loaded", file=sys.stderr)
        return
    loaded = load_demo(settings)
    if loaded:
        print(f"demo data loaded. Demo accounts (password: {DEMO_PASSWORD}):")
        for username, _full, role in DEMO_USERS:
            print(f"  {username:<12} {role.value}")
    else:
        print("database not empty: demo data not loaded")


def cmd_sync_prune(settings: Settings, keep_days: int) -> None:
    from datetime import UTC, datetime, timedelta

    from backend.db.engine import Database
    from sync.pull import prune_older_than

    db = Database(settings.effective_database_url)
    try:
        cutoff = datetime.now(UTC) - timedelta(days=keep_days)
        removed = db.run_write(lambda s: prune_older_than(s, cutoff))
    finally:
        db.dispose()
    print(f"pruned {removed} change-log entries older than {keep_days} days")


def cmd_sync_new_epoch(settings: Settings) -> None:
    from backend.db.engine import Database
    from sync.pull import new_epoch

    db = Database(settings.effective_database_url)
    try:
        epoch = db.run_write(new_epoch)
    finally:
        db.dispose()
    print(f"sync epoch {epoch}: every device pulls a fresh snapshot on its next sync")


def cmd_blob_sweep(settings: Settings) -> None:
    import anyio

    from backend.db.engine import Database
    from backend.integrations.blobs.store import open_blob_store
    from backend.services.uploads import UploadService

    db = Database(settings.effective_database_url)
    try:
        service = UploadService(db, open_blob_store(settings), settings)
        done = anyio.run(service.sweep)
    finally:
        db.dispose()
    print(f"removed {done.uploads} expired uploads, {done.blobs} unused files ({done.freed_bytes} bytes)")


def tune_gc() -> None:
    """The garbage collector, once the process has loaded what it keeps (modules, schema,
    command registry): that is left out of every later collection, and the youngest generation
    is collected every 50,000 allocations instead of 700 — a sync batch allocates hundreds of
    thousands of short-lived objects, and collecting them so often was ~12 % of a busy server's
    time. Reference counting frees almost all of them anyway."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def cmd_serve(settings: Settings) -> None:
    import uvicorn

    import backend.app  # noqa: F401 - imported before the freeze below
    from backend.domain.commands import load_all_commands

    load_all_commands()
    tune_gc()
    print(f"Saha is at {settings.effective_public_url}/", flush=True)
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> None:
    from backend.demo.loader import create_user

    password = os.environ.get("SAHA_NEW_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        sys.exit("password must have at least 8 characters")
    create_user(settings, args.username, args.full_name, args.role, password)
    print(f"user {args.username} created")


def cmd_probe(args: argparse.Namespace) -> int:
    from backend.probe.cli import main as probe_main

    return probe_main(args)


def _safe_url(settings: Settings) -> str:
    url = settings.effective_database_url
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def cmd_init(settings: Settings) -> None:
    cmd_migrate(settings)
    if settings.demo_data:
        cmd_demo(settings)


def cmd_export_schema() -> None:
    from backend.graphql.schema import export

    print(f"wrote {export()}")


def cmd_export_rules() -> None:
    from backend.domain.export import export

    print(f"wrote {export()}")


def cmd_settings(settings: Settings) -> None:
    for key, value in settings.model_dump().items():
        shown = "***" if "secret" in key and value else value
        print(f"{key} = {shown}")
    print(f"effective_database_url = {_safe_url(settings)}")


Command = Callable[[Settings, argparse.Namespace], None]
# name → (what runs it, whether it opens the database and the data folder)
COMMANDS: dict[str, tuple[Command, bool]] = {
    "init": (lambda s, _a: cmd_init(s), True),
    "migrate": (lambda s, _a: cmd_migrate(s), True),
    "demo": (lambda s, _a: cmd_demo(s), True),
    "serve": (lambda s, _a: cmd_serve(s), True),
    "create-user": (cmd_create_user, True),
    "sync-prune": (lambda s, a: cmd_sync_prune(s, a.keep_days), True),
    "sync-new-epoch": (lambda s, _a: cmd_sync_new_epoch(s), True),
    "blob-sweep": (lambda s, _a: cmd_blob_sweep(s), True),
    "export-schema": (lambda _s, _a: cmd_export_schema(), False),
    "export-rules": (lambda _s, _a: cmd_export_rules(), False),
    "settings": (lambda s, _a: cmd_settings(s), False),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saha", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "migrate", "demo", "serve", "export-schema", "export-rules", "settings"):
        sub.add_parser(name)
    sp = sub.add_parser("sync-prune")
    sp.add_argument("--keep-days", type=int, default=90)
    sub.add_parser("sync-new-epoch")
    sub.add_parser("blob-sweep")
    cu = sub.add_parser("create-user")
    cu.add_argument("username")
    cu.add_argument("--full-name", required=True)
    cu.add_argument(
        "--role",
        required=True,
        choices=["technician", "security", "unit_head", "manager", "zabita", "admin"],
    )
    add_probe_arguments(sub.add_parser("probe", help="on-site ONVIF probe (see backend/probe)"))
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "probe":  # a laptop tool: the server's settings do not apply
        sys.exit(cmd_probe(args))
    settings = get_settings()
    _configure_logging(settings)
    run, uses_data = COMMANDS[args.command]
    if uses_data:
        private_umask()  # the database, its WAL, blobs and keys: 0600 / 0700
        from backend.domain.sync_adapter import install_change_tracking

        install_change_tracking()  # every write of this process lands in the change log
        if args.command != "serve":  # create_app makes the data folder private when it serves
            settings.restrict_data_dir()
    run(settings, args)
