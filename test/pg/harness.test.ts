// Proves the throw-away PostgreSQL helper works: a real server starts, takes DDL, and pg_constraint is read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';

test('startPostgres: a real server, foreign keys read back from pg_constraint, then stopped', async () => {
  let pg: PgServer | undefined = await startPostgres();
  try {
    assert.ok(pg.versionNum >= 100000, `server_version_num ${pg.versionNum}`);
    assert.ok(existsSync(pg.baseDir));

    // Listens on the unix socket only.
    const [settings] = await pg.query<{ listen: string; fsync: string }>(
      'postgres',
      "SELECT current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync",
    );
    assert.deepEqual(settings, { listen: '', fsync: 'off' });

    assert.equal(await pg.createDatabase('harness'), 'harness');
    await pg.exec(
      'harness',
      `CREATE SCHEMA shop;
       CREATE TABLE shop.customers (
         id bigint PRIMARY KEY,
         region text NOT NULL,
         UNIQUE (id, region)
       );
       CREATE TABLE orders (
         id bigint PRIMARY KEY,
         customer_id bigint NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
         customer_region text,
         CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id, customer_region)
           REFERENCES shop.customers (id, region) MATCH FULL ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED
       );
       CREATE TABLE notes (order_id bigint, customer_id bigint);
       ALTER TABLE notes ADD FOREIGN KEY (order_id) REFERENCES orders ON DELETE SET DEFAULT NOT VALID;
       ALTER TABLE notes ADD FOREIGN KEY (customer_id) REFERENCES shop.customers ON DELETE RESTRICT;
       -- a partitioned referencing table: the per-partition clones of its FK are not reported
       CREATE TABLE events (id bigint, order_id bigint REFERENCES orders (id)) PARTITION BY RANGE (id);
       CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);
       INSERT INTO shop.customers VALUES (1, 'eu');
       INSERT INTO orders VALUES (10, 1, 'eu');`,
    );

    const fks = await foreignKeysOf(pg, 'harness');
    assert.deepEqual(fks, [
      {
        name: 'events_order_id_fkey',
        schema: 'public',
        table: 'events',
        columns: ['order_id'],
        refSchema: 'public',
        refTable: 'orders',
        refColumns: ['id'],
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
        match: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        validated: true,
      },
      {
        name: 'notes_customer_id_fkey',
        schema: 'public',
        table: 'notes',
        columns: ['customer_id'],
        refSchema: 'shop',
        refTable: 'customers',
        refColumns: ['id'],
        onDelete: 'RESTRICT',
        onUpdate: 'NO ACTION',
        match: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        validated: true,
      },
      {
        name: 'notes_order_id_fkey',
        schema: 'public',
        table: 'notes',
        columns: ['order_id'],
        refSchema: 'public',
        refTable: 'orders',
        refColumns: ['id'],
        onDelete: 'SET DEFAULT',
        onUpdate: 'NO ACTION',
        match: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        validated: false,
      },
      {
        name: 'orders_customer_fk',
        schema: 'public',
        table: 'orders',
        columns: ['customer_id', 'customer_region'],
        refSchema: 'shop',
        refTable: 'customers',
        refColumns: ['id', 'region'],
        onDelete: 'NO ACTION',
        onUpdate: 'SET NULL',
        match: 'FULL',
        deferrable: true,
        initiallyDeferred: true,
        validated: true,
      },
      {
        name: 'orders_customer_id_fkey',
        schema: 'public',
        table: 'orders',
        columns: ['customer_id'],
        refSchema: 'shop',
        refTable: 'customers',
        refColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
        match: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        validated: true,
      },
    ]);

    // The FK is really enforced, and a failing statement rejects with PostgreSQL's message.
    await assert.rejects(
      pg.exec('harness', 'INSERT INTO orders (id, customer_id) VALUES (11, 999);'),
      /violates foreign key constraint "orders_customer_id_fkey"/,
    );
    // Without ON_ERROR_STOP the script goes on and the error is only reported.
    const r = await pg.exec('harness', 'SELECT 1/0;\nDELETE FROM shop.customers;\n', { onErrorStop: false });
    assert.match(r.stderr, /division by zero/);
    assert.deepEqual(await pg.query('harness', 'SELECT count(*)::int AS n FROM orders'), [{ n: 0 }]);

    const dir = pg.baseDir;
    await pg.stop();
    assert.equal(existsSync(dir), false, 'stop() removes the server directory');
    await pg.stop(); // twice is fine
    pg = undefined;
  } finally {
    await pg?.stop();
  }
});
