// Imported first by each process entry (main.ts, worker.main.ts, scripts/migrate.ts), so it runs before any other
// module: on an older Node the service would otherwise start and fail later inside a library (MikroORM needs
// node:fs globSync), after opening the database. One line says what to run instead.
const REQUIRED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < REQUIRED_MAJOR) {
  console.error(
    `csat-subgraph needs Node.js ${REQUIRED_MAJOR} (package.json "engines"); this is ${process.version} (${process.execPath})`,
  );
  process.exit(1);
}

export {};
