"""`python -m ops reference import FILE...`: a reference extract into the reference table (decision 0070).

1. Every row of every file is validated (ops.reference_extract); bad rows are reported by place and skipped.
2. The valid people and companies are written with the item keys the functions read
   (sat_common.reference.keys, as sat_common.reference.seed.items_from_seed), 25 per BatchWriteItem,
   unprocessed items retried. A row repeated in the extract is written once (the last one wins).
3. The identity questions' answer populations (decision 0026) are counted over the people and companies of
   this run, which is therefore the whole extract (its files together), and written as their five items.
   `--keep-populations` leaves them as they are (a small correction file); `--populations-from-table`
   counts them over the whole table instead (a Scan: slow, for an extract loaded in several runs).

Re-running it writes the same items again: the result is the same table. `--populations-only` writes only
the populations, counted from the files (for an HTTP reference source, which keeps people elsewhere).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ops import target as outputs
from ops.batch_write import WriteStats, batch_put
from ops.errors import USAGE, OpsError
from ops.progress import Progress
from ops.reference_extract import Format, Rejected, read_rows
from ops.target import Target
from sat_common.reference import Company, Person
from sat_common.reference.keys import company_key, person_key, population_key
from sat_common.reference.populations import populations

SHOW_REJECTED = 50  # the first ones are listed; the count is always complete
POPULATIONS = ("extract", "table", "keep", "only")  # where the populations are counted from, or not written


@dataclass
class ImportReport:
    files: list[str]
    table: str
    dry_run: bool
    populations_from: str
    rows: int = 0
    people: int = 0
    companies: int = 0
    rejected: int = 0
    duplicates: int = 0
    items_written: int = 0
    requests: int = 0
    retried_items: int = 0
    write_units: float = 0.0
    reported_units: float = 0.0
    populations_written: int = 0
    population_people: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0
    rejected_rows: list[str] = field(default_factory=list)

    @property
    def items_per_second(self) -> float:
        return self.items_written / self.write_seconds if self.write_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "items_per_second": round(self.items_per_second, 1)}


def import_extract(
    target: Target, files: list[tuple[Path, Format]], *, dry_run: bool, populations_from: str, quiet: bool
) -> ImportReport:
    if populations_from not in POPULATIONS:
        raise OpsError(f"unknown populations mode {populations_from!r}", USAGE)
    table_name = target.output(outputs.REFERENCE_TABLE)
    report = ImportReport(
        files=[path.name for path, _ in files], table=table_name, dry_run=dry_run, populations_from=populations_from
    )
    started = time.monotonic()
    people, companies = _read(files, report, quiet)
    if dry_run:
        report.seconds = time.monotonic() - started
        return report

    client = target.client("dynamodb")
    stats = WriteStats()
    if populations_from != "only":
        writing = Progress(f"writing to {table_name}", report.people + report.companies, quiet=quiet)
        write_started = time.monotonic()
        stats = batch_put(client, table_name, _items(people.values(), companies.values()), on_written=writing.advance)
        report.write_seconds = time.monotonic() - write_started
        writing.close()
    pop_stats = WriteStats()
    if populations_from != "keep":
        if populations_from == "table":
            counted_people, counted_companies = _whole_table(target, table_name, quiet)
        else:
            counted_people, counted_companies = list(people.values()), companies
        if counted_people:  # no people in the run: the populations already there stay
            population_items = [
                {**population_key(p.kind), "data": p.model_dump(mode="json")}
                for p in populations(counted_people, counted_companies, date.today())
            ]
            pop_stats = batch_put(client, table_name, population_items)
            report.population_people = len(counted_people)
    report.items_written = stats.items
    report.requests = stats.requests + pop_stats.requests
    report.retried_items = stats.retried_items + pop_stats.retried_items
    report.write_units = stats.write_units + pop_stats.write_units
    report.reported_units = stats.reported_units + pop_stats.reported_units
    report.populations_written = pop_stats.items
    report.seconds = time.monotonic() - started
    return report


def _read(
    files: list[tuple[Path, Format]], report: ImportReport, quiet: bool
) -> tuple[dict[tuple[str, str], Person], dict[str, Company]]:
    people: dict[tuple[str, str], Person] = {}
    companies: dict[str, Company] = {}
    for path, fmt in files:
        reading = Progress(f"validating {path.name}", quiet=quiet)
        for row in read_rows(path, fmt):
            report.rows += 1
            reading.advance()
            if isinstance(row, Rejected):
                report.rejected += 1
                if len(report.rejected_rows) < SHOW_REJECTED:
                    report.rejected_rows.append(f"{path.name} {row}" if len(files) > 1 else str(row))
            elif isinstance(row, Person):
                key = (row.documentType, row.documentNumber)
                report.duplicates += key in people
                people[key] = row
            else:
                report.duplicates += row.nit in companies
                companies[row.nit] = row
        reading.close()
    report.people, report.companies = len(people), len(companies)
    return people, companies


def _items(people: Iterable[Person], companies: Iterable[Company]) -> Iterator[dict[str, Any]]:
    for person in people:
        yield {**person_key(person.documentType, person.documentNumber), "data": person.model_dump(mode="json")}
    for company in companies:
        yield {**company_key(company.nit), "data": company.model_dump(mode="json")}


def _whole_table(target: Target, table_name: str, quiet: bool) -> tuple[list[Person], dict[str, Company]]:
    """Every person and company of the table (a Scan: fine for an operator's batch job, never for a request)."""
    from ops.repositories.reference import ReferenceRepository

    people: list[Person] = []
    companies: dict[str, Company] = {}
    scanning = Progress(f"counting populations over {table_name}", quiet=quiet)
    for kind, data in target.store(ReferenceRepository, outputs.REFERENCE_TABLE).people_and_companies():
        if kind == "person":
            people.append(Person.model_validate(data))
        elif kind == "company":
            company = Company.model_validate(data)
            companies[company.nit] = company
        scanning.advance()
    scanning.close()
    return people, companies


def render(report: ImportReport) -> str:
    mode = " (dry run: nothing written)" if report.dry_run else ""
    lines = [f"reference import of {', '.join(report.files)} into {report.table}{mode}"]
    lines += [f"  rejected {row}" for row in report.rejected_rows]
    if report.rejected > len(report.rejected_rows):
        lines.append(f"  ... and {report.rejected - len(report.rejected_rows)} more rejected rows")
    lines += [
        f"  rows read:      {report.rows}",
        f"  valid:          {report.people} people, {report.companies} companies"
        + (f" ({report.duplicates} repeated rows written once)" if report.duplicates else ""),
        f"  rejected:       {report.rejected}",
    ]
    if not report.dry_run:
        populations_line = {
            "keep": "kept as they were (--keep-populations)",
            "table": f"{report.populations_written} items, counted over the table's {report.population_people} people",
        }.get(
            report.populations_from,
            f"{report.populations_written} items, counted over the extract's {report.population_people} people"
            if report.populations_written
            else "kept as they were (no people in this run)",
        )
        lines += [
            f"  items written:  {report.items_written} in {report.requests} requests"
            + (f" ({report.retried_items} unprocessed items retried)" if report.retried_items else ""),
            f"  populations:    {populations_line}",
            f"  write units:    {report.write_units:.0f} (from the item sizes, 1 per started KB)",
        ]
    rate = f" ({report.items_per_second:.0f} items/s while writing)" if report.write_seconds else ""
    lines.append(f"  time:           {report.seconds:.1f} s{rate}")
    return "\n".join(lines)
