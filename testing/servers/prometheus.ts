/**
 * A real Prometheus server for tests (Debian `prometheus`), on a free loopback port with its
 * data in a temp dir, scraping the given routers' admin metrics every second with `?buckets=1`
 * (the clients' cumulative latency buckets). Whoever starts it calls `cleanup()`.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Service, freePort, serviceDir, startWithRetry } from './services.js'

/** A Prometheus server scraping `targets` (`127.0.0.1:9990`, admin host:port). */
export class PrometheusServer extends Service {
  constructor(
    readonly port: number,
    dir: string,
    targets: readonly string[],
  ) {
    const config = join(dir, 'prometheus.yml')
    writeFileSync(config, scrapeConfig(targets))
    super(
      {
        name: 'prometheus',
        requires: '/usr/bin/prometheus',
        argv: [
          '/usr/bin/prometheus',
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        ready: async () => (await fetch(`${this.url}/-/ready`)).ok,
      },
      dir,
    )
  }

  /** The base URL of its HTTP API. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }
}

/** A config scraping `targets` every second, with the `buckets=1` parameter. */
function scrapeConfig(targets: readonly string[]): string {
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: routers',
    '    metrics_path: /admin/metrics/prometheus',
    '    params:',
    "      buckets: ['1']",
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n')
}

/** Starts Prometheus scraping `targets` on a free port (retrying with a new one if taken). */
export function startPrometheus(targets: readonly string[]): Promise<PrometheusServer> {
  return startWithRetry(
    async () => new PrometheusServer(await freePort(), serviceDir('prometheus'), targets),
  )
}
