/**
 * Which `.prisma` files form one Prisma schema, and which Prisma migration set (if any) holds the database
 * that schema describes. Pure: paths in, histories out.
 *
 * - The `.prisma` files of one folder form one schema (a single `schema.prisma`, or a `prismaSchemaFolder`
 *   of several files). Files in sub-folders of a folder named `schema` join it (Prisma reads a schema
 *   folder recursively).
 * - Prisma keeps `migrations/` next to the schema file (or, for a schema folder `prisma/schema/`, in
 *   `prisma/schema/migrations` or `prisma/migrations`). When that set exists, the migrations are the
 *   database and the schema is its companion: it is compared with them, not counted as a database of its own.
 */
import type { History } from './discovery';

export function isPrismaSchemaPath(path: string): boolean {
  return /\.prisma$/i.test(path);
}

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const join = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

/** `prismaMigrationRoots`: the folders of the Prisma migration sets found among the other files. */
export function planPrismaSchemas(paths: string[], prismaMigrationRoots: ReadonlySet<string>): History[] {
  const byFolder = new Map<string, string[]>();
  for (const path of paths) {
    const folder = parentOf(path);
    const list = byFolder.get(folder);
    if (list) list.push(path);
    else byFolder.set(folder, [path]);
  }
  // A schema folder reads its sub-folders too.
  for (const folder of [...byFolder.keys()]) {
    let above = parentOf(folder);
    while (folder && above !== folder) {
      if (baseOf(above) === 'schema' && byFolder.has(above)) {
        byFolder.get(above)!.push(...byFolder.get(folder)!);
        byFolder.delete(folder);
        break;
      }
      if (!above) break;
      above = parentOf(above);
    }
  }
  const histories: History[] = [];
  for (const [folder, files] of byFolder) {
    const candidates = [join(folder, 'migrations')];
    if (baseOf(folder) === 'schema') candidates.push(join(parentOf(folder), 'migrations'));
    const companionOf = candidates.find((c) => prismaMigrationRoots.has(c));
    histories.push({ id: `${folder}#prisma`, tool: 'prisma-schema', files: files.sort(), ...(companionOf !== undefined ? { companionOf } : {}) });
  }
  return histories;
}
