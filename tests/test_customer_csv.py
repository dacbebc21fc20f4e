"""Customer CSV import/export: all-or-nothing, per-row errors, skip-invalid with rejects, dry run, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from shop import csvio, customer_csv, customers, vehicles
from shop.errors import ValidationError

HEADER = "name,phone,email,address,notes,make,model,year,vin,plate,colour,mileage\n"
GOOD = (
    HEADER
    + "Anna Müller,030 1234567,anna@example.com,Hauptstr. 1,,VW,Golf,2019,,B-AM 1,blue,42000\n"
    + "Anna Müller,030 1234567,anna@example.com,Hauptstr. 1,,Honda,Accord,,1HGCM82633A004352,B-AM 2,,\n"
    + "Ben Schmidt,,ben@example.com,,likes coffee,,,,,,,\n"
)


def test_import_adds_customers_with_their_cars(db) -> None:
    result = customer_csv.import_customers(GOOD)
    assert (result.rows, result.customers_added, result.cars_added) == (3, 2, 2)
    anna = customers.list_customers(search="anna")[0]
    cars = vehicles.list_vehicles(customer_id=anna.id)
    assert [c.plate for c in cars] == ["B AM 1", "B AM 2"]
    assert cars[1].make == "Honda" and cars[1].year is None
    assert [h.mileage for h in vehicles.mileage_history(cars[0].id)] == [42000]
    assert [c.name for c in customers.list_customers(search="b am 2")] == ["Anna Müller"]


def test_import_with_a_bad_row_imports_nothing_and_names_row_and_field(db) -> None:
    text = GOOD + "Carla,12,carla@,,,,,1850,,,,-5\n" + ",,,,,,,,,,,\n" + "Dora,,dora@example.com,,,VW,,,,,,\n"
    with pytest.raises(ValidationError) as err:
        customer_csv.import_customers(text)
    fields = err.value.fields
    assert "row 5: phone" in fields and "row 5: email" in fields
    assert "row 5: year" in fields and "row 5: mileage" in fields
    assert "row 7: model" in fields
    assert customers.list_customers() == []
    assert vehicles.list_vehicles() == []


def test_import_refuses_duplicates_in_file_and_in_database(db) -> None:
    customers.add_customer("Existing", email="old@example.com", phone="0171 1111111")
    text = (
        HEADER
        + "A,,old@example.com,,,,,,,,,\n"
        + "B,0171 1111111,,,,,,,,,,\n"
        + "C,,c@example.com,,,VW,Golf,,,HH-X 1,,\n"
        + "D,,c@example.com,,,VW,Polo,,,hh x 1,,\n"
    )
    with pytest.raises(ValidationError) as err:
        customer_csv.import_customers(text)
    fields = err.value.fields
    assert "Existing" in fields["row 2: email"]
    assert "Existing" in fields["row 3: phone"]
    assert "line 4" in fields["row 5: email"] and "line 4" in fields["row 5: plate"]
    assert len(customers.list_customers()) == 1


def test_skip_invalid_imports_good_rows_and_returns_bad_ones(db) -> None:
    text = GOOD + "Carla,,carla@,,,,,,,,,\n"
    result = customer_csv.import_customers(text, skip_invalid=True)
    assert (result.customers_added, result.cars_added) == (2, 2)
    assert [(r.line, list(r.errors)) for r in result.rejected] == [(5, ["email"])]
    rejects = customer_csv.rejects_csv(result.rejected)
    assert rejects.splitlines()[0].endswith(",row,error")
    fixed = rejects.replace("carla@", "carla@example.com")
    assert customer_csv.import_customers(fixed).customers_added == 1


def test_dry_run_checks_and_counts_but_stores_nothing(db) -> None:
    result = customer_csv.import_customers(GOOD, dry_run=True)
    assert (result.customers_added, result.cars_added, result.dry_run) == (2, 2, True)
    assert customers.list_customers() == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("phone,email\n030 1234567,a@example.com\n", "missing column(s) name"),
        ("name,shoe_size\nAnna,42\n", "unknown column(s) shoe_size"),
        ("", "is empty"),
    ],
)
def test_bad_header_is_refused(db, text, reason) -> None:
    with pytest.raises(ValidationError) as err:
        customer_csv.import_customers(text)
    assert reason in str(err.value)


def test_broken_encoding_names_the_line() -> None:
    data = "name,phone\nAnna,\nMüller,\n".encode("cp1252")
    with pytest.raises(ValidationError) as err:
        csvio.decode(data)
    assert "line 3" in err.value.fields["file"] and "0xfc" in err.value.fields["file"]
    assert csvio.decode(data, "cp1252").splitlines()[2] == "Müller,"


def test_export_is_read_back_by_import(db, tmp_path) -> None:
    customer_csv.import_customers(GOOD)
    lone = customers.add_customer('Zoe, "the" boss', phone="+1 212 555 0123", notes="line one\nline two")
    exported = customer_csv.export_customers()
    before = _snapshot()
    # Into a second, empty database: the same customers and cars come back.
    from shop.db import close_database, open_database

    other = f"sqlite:///{tmp_path / 'copy.db'}"
    close_database()
    open_database(other, create=True)
    try:
        result = customer_csv.import_customers(exported)
        assert (result.customers_added, result.cars_added) == (3, 2)
        assert _snapshot() == before
        assert customers.list_customers(search="zoe")[0].notes == lone.notes
    finally:
        close_database()
        open_database(db.url)


def _snapshot() -> list[tuple]:
    out = []
    for c in customers.list_customers(limit=0):
        cars = [(v.make, v.model, v.year, v.vin, v.plate, v.colour, v.mileage) for v in vehicles.list_vehicles(c.id)]
        out.append((c.name, c.phone, c.email, c.address, c.notes, cars))
    return sorted(out)


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_import_all_or_nothing_then_skip_invalid_with_reject_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(GOOD + "Carla,,carla@,,,,,,,,,\n", encoding="utf-8")
    refused = cli("customer", "import", str(path))
    assert refused.exit_code == 1
    assert "row 5: email:" in refused.stderr and "nothing imported" in refused.stderr
    assert cli("customer", "list", "--json").json() == []
    dry = cli("customer", "import", str(path), "--skip-invalid", "--dry-run", "--json")
    assert dry.json()["customers"] == 2 and dry.json()["dry_run"] is True
    assert cli("customer", "list", "--json").json() == []
    done = cli("customer", "import", str(path), "--skip-invalid", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["customers"] == 2 and done.json()["rejected"] == 1
    rejects = tmp_path / "customers.rejects.csv"
    assert done.json()["reject_file"] == str(rejects)
    assert "carla@" in rejects.read_text(encoding="utf-8")
    assert len(cli("customer", "list", "--json").json()) == 2


def test_cli_import_broken_encoding_and_missing_column_exit_1(cli, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,phone\nJürgen,\n".encode("latin-1"))
    result = cli("customer", "import", str(latin))
    assert result.exit_code == 1 and "line 2" in result.stderr and "--encoding" in result.stderr
    assert cli("customer", "import", str(latin), "--encoding", "latin-1").exit_code == 0
    missing = tmp_path / "missing.csv"
    missing.write_text("phone\n030 1234567\n", encoding="utf-8")
    result = cli("customer", "import", str(missing))
    assert result.exit_code == 1 and "missing column(s) name" in result.stderr


def test_cli_export_round_trip_through_a_file(cli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert cli("customer", "import", str(source)).exit_code == 0
    out = tmp_path / "out.csv"
    assert cli("customer", "export", str(out)).exit_code == 0
    stdout = cli("customer", "export").stdout
    assert out.read_text(encoding="utf-8") == stdout
    again = cli("customer", "import", str(out), "--dry-run", "--json")
    assert again.exit_code == 1  # everything is already there: duplicates, named by row
    assert "already belongs to customer" in again.stderr


def test_import_into_a_shop_with_customers_links_cars_to_the_right_owner(db) -> None:
    customers.add_customer("Already Here")
    with pytest.raises(ValidationError):  # a refused import must not disturb the ids of the next one
        customer_csv.import_customers(GOOD + "Bad,,bad@,,,,,,,,,\n")
    customer_csv.import_customers(GOOD + "Carla,,,,,Fiat,500,,,B-CA 3,,\n")
    for plate, owner in [("B AM 1", "Anna Müller"), ("B AM 2", "Anna Müller"), ("B CA 3", "Carla")]:
        car = vehicles.find_by_plate(plate)
        assert customers.get_customer(car.customer_id).name == owner


# ------------------------------------------------------------------------------------------ archived


def test_export_all_then_import_keeps_archived_customers_archived(db, tmp_path) -> None:
    customer_csv.import_customers(GOOD)
    ben = customers.list_customers(search="ben")[0]
    customers.archive_customer(ben.id)
    exported = customer_csv.export_customers(include_archived=True)
    assert exported.splitlines()[0].startswith("name,phone,email,address,notes,archived,")
    flags = {line.split(",")[0]: line.split(",")[5] for line in exported.splitlines()[1:]}
    assert flags == {"Anna Müller": "no", "Ben Schmidt": "yes"}

    from shop.db import close_database, open_database

    close_database()
    open_database(f"sqlite:///{tmp_path / 'copy.db'}", create=True)
    try:
        result = customer_csv.import_customers(exported)
        assert (result.customers_added, result.cars_added) == (2, 2)
        assert [c.name for c in customers.list_customers()] == ["Anna Müller"]
        everyone = {c.name: c.archived for c in customers.list_customers(include_archived=True, limit=0)}
        assert everyone == {"Anna Müller": False, "Ben Schmidt": True}
        assert customer_csv.export_customers(include_archived=True) == exported
    finally:
        close_database()
        open_database(db.url)


def test_export_without_all_leaves_archived_customers_out_and_says_no(db) -> None:
    customer_csv.import_customers(GOOD)
    customers.archive_customer(customers.list_customers(search="ben")[0].id)
    rows = customer_csv.export_customers().splitlines()[1:]
    assert [(r.split(",")[0], r.split(",")[5]) for r in rows] == [("Anna Müller", "no"), ("Anna Müller", "no")]


def test_import_reads_yes_no_spellings_and_a_file_without_the_column_as_active(db) -> None:
    text = "name,email,archived\nA,a@example.com,YES\nB,b@example.com,n\nC,c@example.com,1\nD,d@example.com,\n"
    customer_csv.import_customers(text)
    flags = {c.name: c.archived for c in customers.list_customers(include_archived=True, limit=0)}
    assert flags == {"A": True, "B": False, "C": True, "D": False}
    customer_csv.import_customers("name,email\nE,e@example.com\n")
    assert customers.list_customers(search="e@example.com")[0].archived is False


def test_import_refuses_an_unreadable_or_contradictory_archived_flag_by_row(db) -> None:
    text = (
        "name,email,archived,make,model,plate\n"
        "A,a@example.com,maybe,,,\n"
        "B,b@example.com,yes,VW,Golf,B-B 1\n"
        "B,b@example.com,no,VW,Polo,B-B 2\n"
    )
    with pytest.raises(ValidationError) as err:
        customer_csv.import_customers(text)
    assert err.value.fields == {
        "row 2: archived": "'maybe' is not yes or no",
        "row 4: archived": "line 3 says this customer is archived",
    }
    assert customers.list_customers(include_archived=True) == []


def test_cli_export_all_round_trip_keeps_the_archived_flag(cli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,email,archived\nOld Client,old@example.com,yes\nNew Client,new@example.com,no\n", "utf-8")
    assert cli("customer", "import", str(source)).exit_code == 0
    assert [c["name"] for c in cli("customer", "list", "--json").json()] == ["New Client"]
    out = tmp_path / "out.csv"
    assert cli("customer", "export", str(out), "--all").exit_code == 0
    assert "Old Client,,old@example.com,,,yes," in out.read_text(encoding="utf-8")
