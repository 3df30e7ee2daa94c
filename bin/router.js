#!/usr/bin/env -S node --max-semi-space-size=32 --no-allocation-site-pretenuring
// A young generation of up to 32 MiB per semi-space (V8's default: 16). HTTP/2 streams are
// allocation-heavy in Node and much of each scavenge survives (the streams in flight): fewer,
// larger scavenges cut the h2 router's CPU per request by about a fifth against 4 MiB; HTTP/1.1
// spends the same CPU either way and holds about 45 MiB more under full load (measured:
// benchmarks/README.md). No allocation-site pretenuring: V8 otherwise starts allocating some
// per-request objects in the old generation, whose dead copies then keep young objects alive.
import { launch } from './launch.js'

await launch('router')
