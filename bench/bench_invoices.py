"""Billing at scale: reports over 1M invoice lines, and issuing invoices one by one.

    python -m bench.bench_invoices [--engine sqlite|postgres] [--lines 1000000] [--issue 1000] [--runs 3]

Generates two years of issued invoices (5 lines each) inside the database (a recursive CTE, so
generation is not what is measured), then times, median of the runs:
  * the monthly revenue report over the two years (`shop.reports.revenue`, by month);
  * the repairs report (joins and sums every invoice line of the range);
  * issuing N drafts sequentially (`shop.invoices.issue`, one transaction each: counter row lock,
    totals, number, event), in invoices per second.
PostgreSQL needs GARAGE_BENCH_PG_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop import catalog, customers, invoices, lines, reports  # noqa: E402
from shop.db import close_database, database, is_postgres, open_database, transaction  # noqa: E402
from shop.models import InvoiceLine  # noqa: E402

LINES_PER_INVOICE = 5


def _generate(total_lines: int) -> int:
    """Issued invoices spread over 2025-01-01 .. 2026-12-31, LINES_PER_INVOICE lines each."""
    count = total_lines // LINES_PER_INVOICE
    customer = customers.add_customer("Bench Customer", email="bench@example.com")
    catalog.add_category("Bench")
    service = catalog.add_service("Bench service", "Bench", 60, "100.00")
    pg = is_postgres()
    m = "%%" if pg else "%"  # psycopg2 reads a lone % as a placeholder
    day = f"(DATE '2025-01-01' + (n {m} 730))" if pg else "date('2025-01-01', '+' || (n % 730) || ' days')"
    stamp = "TIMESTAMP '2025-01-01 10:00:00'" if pg else "'2025-01-01 10:00:00.000000'"
    series = (
        f"SELECT n FROM generate_series(1, {count}) AS n"
        if pg
        else f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) SELECT n FROM s"
    )
    with database.atomic():
        database.execute_sql(
            f"""INSERT INTO invoice (id, kind, number, status, customer_id, notes, reason, issue_date, issued_at,
                    net, tax, total, paid, credited, created_at, updated_at)
                SELECT n, 'invoice', 'B-' || n, CASE WHEN n {m} 10 = 0 THEN 'issued' ELSE 'paid' END, {customer.id},
                    '', '', {day}, {stamp}, 0, 0, 0, 0, 0, {stamp}, {stamp}
                FROM ({series}) AS g"""
        )
        parts = " UNION ALL ".join(f"SELECT {p} AS p" for p in range(1, LINES_PER_INVOICE + 1))
        database.execute_sql(
            f"""INSERT INTO invoice_line (invoice_id, position, kind, service_id, description, quantity,
                    unit_price, tax_rate, amount)
                SELECT n, p, 'service', {service.id}, 'Bench line', 100, 1000 + (n * 7 + p * 13) {m} 9000, 1900,
                    1000 + (n * 7 + p * 13) {m} 9000
                FROM ({series}) AS g CROSS JOIN ({parts}) AS q"""
        )
        database.execute_sql(
            f"""UPDATE invoice SET net = (SELECT SUM(amount) FROM invoice_line l WHERE l.invoice_id = invoice.id)
                WHERE number LIKE 'B-{m}'"""
        )
        database.execute_sql("UPDATE invoice SET tax = (net * 19 + 50) / 100 WHERE tax = 0")
        database.execute_sql(
            "UPDATE invoice SET total = net + tax, paid = CASE WHEN status = 'paid' THEN net + tax ELSE 0 END"
        )
        if pg:
            database.execute_sql(
                "SELECT setval(pg_get_serial_sequence('invoice', 'id'), (SELECT MAX(id) FROM invoice))"
            )
    database.execute_sql("ANALYZE")
    return customer.id


@transaction
def _draft(customer_id: int, i: int) -> int:
    doc = invoices.new_draft(customer_id, None)
    items = [("labour", "Diagnosis", "1.50", "90.00"), ("other", "Material", "1", f"{i % 50}.95")]
    for kind, text, qty, price in [*items, ("discount", "Loyalty", "1", "5.00")]:
        values = lines.prepare(kind, description=text, quantity=qty, unit_price=price)
        lines.add(InvoiceLine, {"invoice": doc.id}, values)
    invoices.refresh_totals(doc)
    return doc.id


def one_run(url: str, total_lines: int, issue: int) -> dict[str, float]:
    open_database(url, create=True)
    t0 = time.perf_counter()
    customer_id = _generate(total_lines)
    generated = time.perf_counter() - t0
    n_lines = InvoiceLine.select().count()
    assert n_lines == total_lines, n_lines

    t0 = time.perf_counter()
    monthly = reports.revenue("2025-01-01", "2026-12-31", by="month")
    t_revenue = time.perf_counter() - t0
    assert len(monthly) == 24, len(monthly)
    t0 = time.perf_counter()
    repairs = reports.repairs("2025-01-01", "2026-12-31")
    t_repairs = time.perf_counter() - t0
    assert repairs and repairs[0].invoiced > 0

    drafts = [_draft(customer_id, i) for i in range(issue)]
    t0 = time.perf_counter()
    for draft in drafts:
        invoices.issue(draft)
    t_issue = time.perf_counter() - t0
    assert invoices.number_gaps(invoices.get_invoice(drafts[0]).issue_date.year) == []
    close_database()
    return {
        "generate_s": generated,
        "revenue_monthly_2y_s": t_revenue,
        "repairs_2y_s": t_repairs,
        "issue_per_s": issue / t_issue,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--issue", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            schema = f"bench_invoices_{uuid.uuid4().hex[:8]}"
            if args.engine == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
            else:
                base = os.environ.get("GARAGE_BENCH_PG_URL")
                if not base:
                    sys.exit("set GARAGE_BENCH_PG_URL=postgresql://user@host:port/db for the postgres run")
                url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
            try:
                results.append(one_run(url, args.lines, args.issue))
            finally:
                close_database()
                if args.engine == "postgres":
                    open_database(os.environ["GARAGE_BENCH_PG_URL"], upgrade=False)
                    database.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                    close_database()
        print(f"run {run + 1}: " + ", ".join(f"{k}={v:.3f}" for k, v in results[-1].items()), file=sys.stderr)
    print(f"invoices {args.engine}, {args.lines} invoice lines, issuing {args.issue}, median of {args.runs}:")
    for key in results[0]:
        print(f"  {key}: {statistics.median(r[key] for r in results):.3f}")


if __name__ == "__main__":
    main()
