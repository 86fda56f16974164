"""`python -m ops [global options] COMMAND`: operations of a deployed stack, or of the local runtime with
`--local` (docs/deploy.md). Messages are in English (for operators); exit codes in ops/errors.py."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ops import REPO_ROOT
from ops.errors import FAILED, INCOMPLETE, NO_TARGET, OK, USAGE, OpsError
from ops.target import Target

LOCAL_WORKDIR = REPO_ROOT / ".local-runtime"  # python -m local's default --workdir


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ops",
        description="Operations of a SAT-CCF stack: first administrator and services, reference data, smoke "
        "test. Against AWS (the ambient credentials, CloudFormation outputs of the stack) or the local runtime.",
        epilog="exit codes: 0 done, 1 failed, 2 usage, 3 stack or local runtime not found, "
        "4 done with rejected rows or failed checks. Runbook: docs/deploy.md",
    )
    where = p.add_argument_group("target")
    where.add_argument("--stage", default=os.environ.get("SAT_CCF_STAGE"), help="the stack SatCcf-<stage>")
    where.add_argument("--stack", help="the stack's name (default SatCcf-<stage>)")
    where.add_argument("--region", help="AWS region (default: AWS_REGION / the profile's)")
    where.add_argument("--profile", help="AWS profile (default: AWS_PROFILE / the ambient credentials)")
    where.add_argument(
        "--local",
        nargs="?",
        const=str(LOCAL_WORKDIR),
        metavar="WORKDIR",
        help="the local runtime instead of AWS (its --workdir; default .local-runtime)",
    )
    p.add_argument("--dry-run", action="store_true", help="check and report what would change; write nothing")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    boot = commands.add_parser(
        "bootstrap",
        help="the Ministry's services and its first administrator (idempotent)",
        description="Create the three Ministry services of the catalog file and the first Ministry administrator "
        "(people pool user in group ministerio, set-password link e-mailed; TOTP enrolment on first sign-in).",
    )
    boot.add_argument("--admin", required=True, metavar="TYPE-NUMBER", help="document, e.g. CC-63173063")
    boot.add_argument("--admin-email", required=True)
    boot.add_argument("--admin-first-name", required=True)
    boot.add_argument("--admin-first-surname", required=True)
    boot.add_argument(
        "--services-file", type=Path, default=REPO_ROOT / "local" / "seed" / "services.json", help="catalog file"
    )
    boot.add_argument(
        "--resend-link", action="store_true", help="send a new link to an administrator who has not set a password"
    )

    reference = commands.add_parser("reference", help="reference data").add_subparsers(
        dest="reference_command", required=True, metavar="SUBCOMMAND"
    )
    imp = reference.add_parser(
        "import",
        help="load a reference extract (CSV, JSON Lines, JSON) into the reference table",
        description="Validate every row, skip and report bad ones (by line), write the rest (idempotent), then "
        "count the identity questions' populations over the table. Format: docs/reference-sources.md.",
    )
    imp.add_argument("files", type=Path, nargs="+", metavar="FILE", help="the extract: all its files together")
    imp.add_argument("--format", choices=("csv", "jsonl", "json"), help="default: from each file's extension")
    counted = imp.add_mutually_exclusive_group()
    counted.add_argument(
        "--populations-only", action="store_true", help="write only the populations counted from the files"
    )
    counted.add_argument(
        "--keep-populations", action="store_true", help="leave the populations as they are (a correction file)"
    )
    counted.add_argument(
        "--populations-from-table",
        action="store_true",
        help="count the populations over the whole table (a Scan) instead of this extract",
    )
    imp.add_argument("--json", action="store_true", help="print the summary as JSON (for scripts)")

    commands.add_parser("smoke", help="read-only checks that the stack is ready for its users")
    commands.add_parser("outputs", help="print the stack outputs ops reads")

    dlq = commands.add_parser("dlq", help="dead-letter queues").add_subparsers(
        dest="dlq_command", required=True, metavar="SUBCOMMAND"
    )
    dlq.add_parser("list", help="messages waiting in each dead-letter queue")
    again = dlq.add_parser("redrive", help="move a dead-letter queue's messages back to their queue")
    again.add_argument("name", help="outbox, rut-uploads or email-events")

    email = commands.add_parser("email", help="e-mail addresses").add_subparsers(
        dest="email_command", required=True, metavar="SUBCOMMAND"
    )
    unsuppress = email.add_parser("unsuppress", help="let an address that bounced receive e-mail again")
    unsuppress.add_argument("address")

    backoffice = commands.add_parser("backoffice", help="the Ministry's back office").add_subparsers(
        dest="backoffice_command", required=True, metavar="SUBCOMMAND"
    )
    backoffice.add_parser(
        "reindex", help="keys and summaries the back office lists need, for items written before it (idempotent)"
    )

    shared = commands.add_parser("shared-services", help="the CCFs' shared services").add_subparsers(
        dest="shared_command", required=True, metavar="SUBCOMMAND"
    )
    shared.add_parser(
        "migrate-purpose", help="give services written before `purpose` their purpose and claim (0106, idempotent)"
    )

    signing = commands.add_parser(
        "signing-key", help="the Ministry's notification signing keys (current, next, previous)"
    ).add_subparsers(dest="signing_command", required=True, metavar="SUBCOMMAND")
    signing.add_parser("status", help="which key each alias names, and since when")
    rotate = signing.add_parser(
        "rotate",
        help="next becomes current, a new key becomes next, current stays published as previous (decision 0104)",
    )
    rotate.add_argument(
        "--min-published-seconds",
        type=int,
        default=3600,
        help="refuse while the next key has been published for less than this (receivers cache the JWKS)",
    )
    rotate.add_argument(
        "--deletion-window-days", type=int, default=30, choices=range(7, 31), metavar="7..30",
        help="pending window of the deletion of the key that leaves the JWKS",
    )  # fmt: skip
    return p


def resolve_target(args: argparse.Namespace) -> Target:
    from ops import target

    if args.local:
        return target.local(Path(args.local).resolve())
    stack = args.stack or (f"SatCcf-{args.stage}" if args.stage else None)
    if not stack:
        raise OpsError("name the stack: --stage <stage> or --stack <name> (or --local for the local runtime)", USAGE)
    return target.deployed(stack, args.region, args.profile)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except OpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted: run the command again, it is idempotent", file=sys.stderr)
        return 130
    except Exception as error:
        return _aws_failure(error)


def _run(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    if args.command == "outputs":
        for name, value in sorted(target.outputs.items()):
            print(f"{name}\t{value}")
        return OK
    if args.command == "bootstrap":
        return _bootstrap(target, args)
    if args.command == "reference":
        return _reference_import(target, args)
    if args.command == "dlq":
        return _dlq(target, args)
    if args.command == "email":
        return _unsuppress(target, args)
    if args.command == "backoffice":
        return _backoffice_reindex(target, args)
    if args.command == "signing-key":
        return _signing_key(target, args)
    if args.command == "shared-services":
        return _shared_purpose(target, args)
    return _smoke(target)


def _bootstrap(target: Target, args: argparse.Namespace) -> int:
    from ops import target as outputs
    from ops.ministry_admin import LINK_HOURS, bootstrap_operator, parse_operator
    from ops.services_catalog import now_iso, put_services, read_services, service_items

    operator = parse_operator(args.admin, args.admin_email, args.admin_first_name, args.admin_first_surname)
    if not args.services_file.is_file():
        raise OpsError(f"{args.services_file} is not a readable file", USAGE)
    items = service_items(read_services(args.services_file), now_iso())
    dry = " (dry run: nothing written)" if args.dry_run else ""
    print(f"bootstrap of {target.description}{dry}")
    table = target.table(target.output(outputs.MAIN_TABLE))
    created, existing = put_services(table, items, dry_run=args.dry_run)
    verb = "would create" if args.dry_run else "created"
    print(f"  services: {verb} {', '.join(created) or 'none'}; already there: {', '.join(existing) or 'none'}")
    outcome = bootstrap_operator(target, operator, dry_run=args.dry_run, resend_link=args.resend_link)
    masked = _mask(operator.email)
    said = {
        "created": f"created in group ministerio; set-password link e-mailed to {masked} (valid {LINK_HOURS} h)",
        "link-resent": f"new set-password link e-mailed to {masked}; earlier links no longer work",
        "pending": "exists, has not set a password yet (--resend-link sends a new link)",
        "active": "exists and is active (checked it is in group ministerio)",
        "would-create": f"would be created and sent a set-password link at {masked}",
        "would-resend": f"would get a new set-password link at {masked}",
    }[outcome.state]
    print(f"  administrator {outcome.username}: {said}")
    if outcome.link_sent:
        print("  next: the administrator opens the link, sets a password, signs in and enables TOTP (docs/deploy.md)")
    return OK


def _reference_import(target: Target, args: argparse.Namespace) -> int:
    from ops.reference_extract import detect_format
    from ops.reference_import import import_extract, render

    files = [(path, detect_format(path, args.format)) for path in args.files]
    populations_from = (
        "only"
        if args.populations_only
        else "keep"
        if args.keep_populations
        else "table"
        if args.populations_from_table
        else "extract"
    )
    report = import_extract(target, files, dry_run=args.dry_run, populations_from=populations_from, quiet=args.quiet)
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else render(report))
    return INCOMPLETE if report.rejected else OK


def _smoke(target: Target) -> int:
    from ops.smoke import FAIL, render, run

    print(f"smoke test of {target.description}")
    checks = run(target)
    print(render(checks))
    return INCOMPLETE if any(check.status == FAIL for check in checks) else OK


def _dlq(target: Target, args: argparse.Namespace) -> int:
    from ops.dead_letters import depths, redrive

    if args.dlq_command == "list":
        for name, count in depths(target):
            print(f"  {name:<22} {count} message(s)")
        return OK
    moved = redrive(target, args.name, dry_run=args.dry_run, quiet=args.quiet)
    print(f"{args.name}: {moved} message(s) {'would be moved' if args.dry_run else 'moved back to their queue'}")
    return OK


def _unsuppress(target: Target, args: argparse.Namespace) -> int:
    from ops.email_suppression import unsuppress

    status, in_ses = unsuppress(target, args.address, dry_run=args.dry_run)
    verb = "would be" if args.dry_run else "is"
    ses = "; removed from SES's suppression list too" if in_ses else ""
    print(f"{_mask(args.address)} was {status}; it {verb} deliverable again{ses}")
    return OK


def _backoffice_reindex(target: Target, args: argparse.Namespace) -> int:
    from ops.backoffice_reindex import reindex

    counts = reindex(target, dry_run=args.dry_run)
    verb = "would be" if args.dry_run else "were"
    print(f"{counts['employers']} employer(s) {verb} given the review queue's key")
    print(f"{counts['ccfs']} CCF summary(ies) {verb} recomputed")
    return OK


def _shared_purpose(target: Target, args: argparse.Namespace) -> int:
    from ops.shared_purpose import migrate

    counts = migrate(target, dry_run=args.dry_run)
    verb = "would be" if args.dry_run else "were"
    print(f"{counts['services']} shared service(s) without a purpose; {counts['notification']} {verb} claimed as")
    print(f"the CCF's notification service; {counts['conflicts']} conflict(s) {verb} set to OTRO (another service")
    print("holds the claim)")
    return OK


def _signing_key(target: Target, args: argparse.Namespace) -> int:
    from ops import signing_key

    if args.signing_command == "status":
        for slot, key in signing_key.status(target).items():
            shown = f"{key.key_id} (created {key.created.isoformat(timespec='seconds')}, {key.state})" if key else "-"
            print(f"  {slot:<9} {shown}")
        return OK
    print(f"signing key rotation of {target.description}{' (dry run: nothing changed)' if args.dry_run else ''}")
    for line in signing_key.rotate(
        target,
        dry_run=args.dry_run,
        min_published_seconds=args.min_published_seconds,
        deletion_window_days=args.deletion_window_days,
    ):
        print(f"  {line}")
    return OK


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _aws_failure(error: Exception) -> int:
    """AWS errors in one line (operation and code); anything else is a bug, shown with its type."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        print(f"error: AWS refused {error.operation_name}: {code} {message}".rstrip(), file=sys.stderr)
        return FAILED
    if isinstance(error, EndpointConnectionError | NoCredentialsError):
        print(f"error: {error}", file=sys.stderr)
        return NO_TARGET
    print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
    return FAILED
