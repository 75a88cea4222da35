"""The tenant's database, as the stand-in backend uses it: one table and one row per tenant."""
from contract import fail, variant

MIGRATIONS = ["0001_initial", "0002_seed_columns"]


class DatabaseUnavailable(Exception):
    pass


def connect(env):
    # Imported here, not at the top: the Host check of the server needs no driver.
    import pg8000.dbapi

    try:
        port = int(env["DB_PORT"])
    except ValueError:
        fail(f"stand-in backend: DB_PORT is not a number: {env['DB_PORT']!r}")
    try:
        return pg8000.dbapi.connect(
            host=env["DB_HOST"],
            port=port,
            database=env["TENANT_DB_NAME"],
            user=env["DB_USER"],
            password=env["DB_PASSWORD"],
            timeout=10,
        )
    except Exception as error:
        where = f"{env['TENANT_DB_NAME']} on {env['DB_HOST']}:{port} as {env['DB_USER']}"
        raise DatabaseUnavailable(f"cannot connect to {where}: {error}") from error


def migrate(env):
    """Creates the table if it does not exist. Pods that start together take turns (an advisory lock)."""
    connection = connect(env)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT pg_advisory_xact_lock(20240001)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS standin_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS standin_school (id integer PRIMARY KEY, subdomain text NOT NULL UNIQUE, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute("INSERT INTO standin_migration (name) VALUES (%s) ON CONFLICT DO NOTHING", (MIGRATIONS[0],))
        connection.commit()
        failing = variant().get("failMigration")
        if failing:
            fail(f"stand-in: migration {failing} failed: this image was built to fail it (variant {variant().get('name')})")
        cursor.execute("INSERT INTO standin_migration (name) VALUES (%s) ON CONFLICT DO NOTHING", (MIGRATIONS[1],))
        connection.commit()
    finally:
        connection.close()
    print(f"stand-in backend: migrations applied to {env['TENANT_DB_NAME']}: {', '.join(MIGRATIONS)}", flush=True)


def bootstrap(env):
    """Seeds the tenant's row once; a second run changes nothing."""
    connection = connect(env)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT to_regclass('standin_school') IS NOT NULL")
        if not cursor.fetchone()[0]:
            fail(f"stand-in backend: {env['TENANT_DB_NAME']} has no table standin_school: run migrate first")
        cursor.execute(
            "INSERT INTO standin_school (id, subdomain) VALUES (1, %s) ON CONFLICT DO NOTHING",
            (env["TENANT_SUBDOMAIN"],),
        )
        inserted = cursor.rowcount
        connection.commit()
    finally:
        connection.close()
    print(f"stand-in backend: tenant {env['TENANT_SUBDOMAIN']} {'seeded' if inserted else 'was already seeded'}", flush=True)


def seeded_school(env):
    """The seeded row of this tenant as (subdomain, seeded_at ISO), or None."""
    connection = connect(env)
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT subdomain, seeded_at FROM standin_school WHERE subdomain = %s", (env["TENANT_SUBDOMAIN"],)
        )
        row = cursor.fetchone()
    finally:
        connection.close()
    return None if row is None else (row[0], row[1].isoformat())
