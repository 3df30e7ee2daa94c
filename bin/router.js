#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MiB young generation (V8's default grows to 16 MiB per semi-space): measured the same
// throughput with ~20 MiB less resident memory under load (benchmarks/README.md).
import { main } from '../dist/router/main.js'

await main(process.argv.slice(2))
