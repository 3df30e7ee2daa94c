#!/usr/bin/env -S node --max-semi-space-size=4 --no-allocation-site-pretenuring
// A 4 MiB young generation (V8's default grows to 16 MiB per semi-space): measured the same
// throughput with ~20 MiB less resident memory under load. No allocation-site pretenuring: V8
// otherwise starts allocating some per-request objects in the old generation, whose dead copies
// then keep young objects alive; young-generation pauses went from 2.7 to 1.6 ms (measured:
// benchmarks/README.md).
import { launch } from './launch.js'

await launch('router')
