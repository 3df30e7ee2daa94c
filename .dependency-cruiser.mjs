/**
 * The dependency rules of the repository, checked by `npm run lint` (dependency-cruiser on the
 * TypeScript sources, type-only imports included). Each rule's `comment` is the message a
 * violation shows. The layers, lowest first: lib → dtabs → namers → the programs (router,
 * namerd, namerctl), which never import each other. testing/ holds all test support; e2e/ the
 * tests that run several programs. lib/dependency-rules.test.ts shows that breaking a rule fails.
 */

/** A unit test: beside its code, under any folder but e2e/. */
const TEST = '\\.test\\.ts$'
const PROGRAMS = '^(router|namerd|namerctl)/'

/**
 * The targets every "imports only" rule leaves to others: packages (node_modules), test support
 * (the testing rules below decide who may use testing/ and e2e/), `dist/` (compiled output) and
 * the given folders.
 */
function besides(...folders) {
  return [`^(${folders.join('|')})/`, '^(testing|e2e|node_modules|dist)/']
}

/** A dependency on a file of this repository other than `folders` (not a package or built-in). */
function outside(...folders) {
  return { pathNot: besides(...folders), dependencyTypesNot: ['core'], couldNotResolve: false }
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'lib-imports-nothing',
      comment:
        'lib/ is the shared plumbing every layer uses: it imports nothing else from the repository (its tests may use testing/). Move what lib needs into lib/, or the code that needs a higher layer out of lib/.',
      severity: 'error',
      from: { path: '^lib/' },
      to: outside('lib'),
    },
    {
      name: 'dtabs-imports-only-lib',
      comment:
        'dtabs/ is the pure naming core: it imports only lib/ and itself, no other folder of the repository and no package (its tests may also use testing/ and their test packages).',
      severity: 'error',
      from: { path: '^dtabs/', pathNot: TEST },
      to: {
        pathNot: besides('dtabs', 'lib'),
        dependencyTypesNot: ['core'],
        couldNotResolve: false,
      },
    },
    {
      name: 'dtabs-tests-import-only-lib',
      comment:
        'A dtabs/ test tests the pure core: it imports dtabs/, lib/, testing/ and packages, no other folder of the repository (a test that needs namers or a program belongs beside that code).',
      severity: 'error',
      from: { path: `^dtabs/.+${TEST}` },
      to: outside('dtabs', 'lib'),
    },
    {
      name: 'dtabs-no-node-builtins',
      comment:
        'dtabs/ is the pure naming core and runs wherever JavaScript runs: no Node built-in (node:fs, node:events, ...). Take what it needs as a parameter, or put the Node-bound part in namers/ or a program.',
      severity: 'error',
      from: { path: '^dtabs/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'namers-import-only-dtabs-and-lib',
      comment:
        'namers/ is shared by router, namerd and namerctl: it imports only dtabs/, lib/ and itself (its tests may also use testing/).',
      severity: 'error',
      from: { path: '^namers/' },
      to: outside('namers', 'dtabs', 'lib'),
    },
    {
      name: 'programs-never-import-each-other',
      comment:
        'router, namerd and namerctl are separate programs that talk over HTTP: none imports another. Move what both need down into namers/, dtabs/ or lib/; a test that needs two programs is an e2e test (e2e/).',
      severity: 'error',
      from: { path: PROGRAMS },
      to: { path: PROGRAMS, pathNot: '^$1/' },
    },
    {
      name: 'programs-import-only-lower-layers',
      comment:
        'A program (router, namerd, namerctl) imports only itself and the layers below it: namers/, dtabs/, lib/ (and packages). Not benchmarks/, scripts/ or other folders.',
      severity: 'error',
      from: { path: PROGRAMS },
      to: outside('router', 'namerd', 'namerctl', 'namers', 'dtabs', 'lib'),
    },
    {
      name: 'ui-imports-only-the-core',
      comment:
        'ui/ is the admin pages, bundled for the browser: it imports only ui/, the pure core (dtabs/) and lib/ code without Node built-ins, no program (the programs serve the built files; the JSON they read is declared in ui/).',
      severity: 'error',
      from: { path: '^ui/' },
      to: outside('ui', 'dtabs', 'lib'),
    },
    {
      name: 'ui-no-node-builtins',
      comment: 'ui/ runs in browsers: no Node built-in, and nothing that imports one.',
      severity: 'error',
      from: { path: '^ui/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nothing-imports-ui',
      comment:
        'ui/ is served as files built into dist/ui/ (lib/admin/pages.ts reads them), never imported by the programs.',
      severity: 'error',
      from: { pathNot: '^ui/' },
      to: { path: '^ui/' },
    },
    {
      name: 'product-never-imports-testing',
      comment:
        'Product code never imports test support: testing/ is for tests (*.test.ts), e2e/ and benchmarks/. Move a shared test suite or helper into testing/, and anything the product needs out of it.',
      severity: 'error',
      from: { pathNot: [TEST, '^(testing|e2e|benchmarks)/'] },
      to: { path: '^testing/' },
    },
    {
      name: 'product-not-to-dev-dependency',
      comment:
        'Product code must run with production dependencies only (npm ci --omit=dev): it may import a devDependency (ava, undici, ...) only as `import type`. Move the code to testing/ or make the package a dependency.',
      severity: 'error',
      from: { path: '^(lib|dtabs|namers|router|namerd|namerctl)/', pathNot: TEST },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-e2e-imports-e2e',
      comment:
        'e2e/ holds end-to-end tests, which nothing imports: shared support for them lives in testing/.',
      severity: 'error',
      from: { pathNot: '^e2e/' },
      to: { path: '^e2e/' },
    },
    {
      name: 'unit-tests-use-one-program',
      comment:
        "A unit test of one program does not use another program's test support (testing/router, testing/namerd, testing/namerctl): a test that needs two programs is an end-to-end test and belongs in e2e/.",
      severity: 'error',
      from: { path: `^(router|namerd|namerctl)/.+${TEST}` },
      to: { path: '^testing/(router|namerd|namerctl)/', pathNot: '^testing/$1/' },
    },
    {
      name: 'scripts-use-dist',
      comment:
        'scripts/ and bin/ are plain JavaScript run by node: they use the TypeScript sources only through their compiled form in dist/ (or by spawning bin/).',
      severity: 'error',
      from: { path: '^(scripts|bin)/' },
      to: outside('scripts', 'bin'),
    },
    {
      name: 'no-circular',
      comment:
        'A cycle of runtime imports makes load order matter (a module may see another half-initialised): break it by moving what both need into a third file.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['pre-compilation-only'] } },
    },
    {
      name: 'no-type-cycle-outside-a-family',
      comment:
        "A type-only import cycle is allowed only through a family's index.ts (its plug-ins import the family's types from the index.ts that lists them); anywhere else, move the shared types into a file of their own.",
      severity: 'error',
      from: {},
      to: {
        circular: true,
        via: { dependencyTypes: ['pre-compilation-only'] },
        viaOnly: { pathNot: '(^|/)index\\.ts$' },
      },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'This import names a file or package that does not exist (a typo, a moved file, or a package missing from package.json). Imports of dist/ are exempt: it exists only after a build.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '(^|/)dist/' },
    },
    {
      name: 'not-to-unlisted-package',
      comment:
        'This package is not in package.json (it is only there as some other package\'s dependency): add it to "dependencies" or "devDependencies", or stop importing it.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-orphans',
      comment:
        'This file imports nothing and nothing imports it: dead code, or a file that lost its importer in a move. Delete it, or import it where it is used.',
      severity: 'error',
      // The pages' entry points are bundled by scripts/build.mjs, which nothing imports.
      from: {
        orphan: true,
        pathNot: [
          '\\.d\\.ts$',
          '^[^/]+$',
          '^(scripts|bin|\\.ci)/',
          '^ui/(router/dashboard|router/playground|namerd/namespaces)\\.ts$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: ['^node_modules/', '^dist/'] },
    exclude: { path: '^dist/' },
    // Type-only imports count (a type is a dependency too); 'specify' also marks the imports the
    // compiler erases as `pre-compilation-only`, which the cycle rules tell apart.
    tsPreCompilationDeps: 'specify',
    // The compiler's options; like tsc, dependency-cruiser resolves `./x.js` to `./x.ts`.
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages resolve as Node resolves them (their `exports`), or to their types.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
}
