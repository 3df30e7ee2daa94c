/**
 * The h2 settings of the benchmark's own processes (backends, bare forwarder, clients). A
 * session may carry tens of thousands of streams (the router's one session per endpoint carries
 * every held stream of the 10,000-stream measurement), so neither the stream count nor Node's
 * session memory (10 MB by default, which refuses new streams beyond it) may cap them.
 */
export const MANY_STREAMS = { settings: { maxConcurrentStreams: 100_000 }, maxSessionMemory: 1000 }
