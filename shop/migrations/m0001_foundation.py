"""Settings, staff, audit log, customers, cars and the service catalogue."""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE TABLE staff (
            id {pk},
            username TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'front_desk', 'mechanic')),
            password_hash TEXT NOT NULL,
            email TEXT,
            active {bool} NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE TABLE audit_log (
            id {pk},
            at {ts} NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            details {json} NOT NULL
        );
        CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
        CREATE TABLE customer (
            id {pk},
            name TEXT NOT NULL,
            phone TEXT,
            email TEXT,
            address TEXT NOT NULL,
            notes TEXT NOT NULL,
            search_text TEXT NOT NULL,
            archived {bool} NOT NULL,
            version INTEGER NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE UNIQUE INDEX customer_email ON customer (email);
        CREATE INDEX customer_phone ON customer (phone);
        CREATE INDEX customer_name ON customer (name);
        CREATE TABLE vehicle (
            id {pk},
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            make TEXT NOT NULL,
            model TEXT NOT NULL,
            year INTEGER,
            vin TEXT,
            plate TEXT,
            colour TEXT NOT NULL,
            mileage INTEGER,
            archived {bool} NOT NULL,
            version INTEGER NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX vehicle_customer ON vehicle (customer_id);
        CREATE UNIQUE INDEX vehicle_vin ON vehicle (vin);
        CREATE UNIQUE INDEX vehicle_plate ON vehicle (plate);
        CREATE TABLE mileage_reading (
            id {pk},
            vehicle_id INTEGER NOT NULL REFERENCES vehicle (id),
            mileage INTEGER NOT NULL CHECK (mileage >= 0),
            at {ts} NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX mileage_reading_vehicle ON mileage_reading (vehicle_id, at);
        CREATE TABLE service_category (
            id {pk},
            name TEXT NOT NULL UNIQUE,
            position INTEGER NOT NULL
        );
        CREATE TABLE service (
            id {pk},
            category_id INTEGER NOT NULL REFERENCES service_category (id),
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
            price {money} NOT NULL CHECK (price >= 0),
            requires_capability TEXT,
            active {bool} NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE INDEX service_category_idx ON service (category_id)
        """
    )
