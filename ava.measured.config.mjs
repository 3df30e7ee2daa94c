// The tests under e2e/measured/ assert the latency and memory bounds issue 13 sets (an answer
// within 100 ms, another client's p99 under 50 ms, a fan-out within 2 s). They run after the
// rest, one file at a time, so that no other test's processes are part of what they measure.
export default {
  files: ['dist/e2e/measured/**/*.test.js'],
  concurrency: 1,
  timeout: '120s',
}
