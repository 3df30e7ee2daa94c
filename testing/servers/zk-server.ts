import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { Service, freePort, serviceDir, startWithRetry } from './services.js'

const JAR = '/usr/share/java/zookeeper.jar'

/** A standalone ZooKeeper on loopback (Debian `zookeeper`, run by its main class), for tests. */
export class ZkServer extends Service {
  constructor(
    readonly port: number,
    dir: string,
  ) {
    writeFileSync(
      join(dir, 'zoo.cfg'),
      [
        'tickTime=500',
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'maxClientCnxns=0',
        'admin.enableServer=false',
        '4lw.commands.whitelist=ruok,srvr,stat,mntr,cons',
        'minSessionTimeout=1000',
        'maxSessionTimeout=60000',
        'preAllocSize=4096',
        'forceSync=no',
      ].join('\n'),
    )
    super(
      {
        name: 'zookeeper',
        requires: JAR,
        argv: [
          'java',
          ...['-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
          '-Dzookeeper.jmx.log4j.disable=true',
          ...['-cp', JAR, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(dir, 'zoo.cfg')],
        ],
        ready: async () => (await fourLetter(port, 'ruok')) === 'imok',
      },
      dir,
    )
  }

  /** `127.0.0.1:PORT`, for `zkAddrs`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`
  }
}

/** Sends a four-letter command and returns the answer. */
export function fourLetter(port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const s = connect(port, '127.0.0.1', () => s.end(cmd))
    s.setTimeout(2000, () => s.destroy(new Error('4lw timeout')))
    s.on('data', (b) => (out += b.toString()))
    s.on('error', reject)
    s.on('close', () => resolve(out))
  })
}

/** Starts ZooKeeper on a free port (retrying with a new port if it was taken meanwhile). */
export function startZooKeeper(): Promise<ZkServer> {
  return startWithRetry(async () => new ZkServer(await freePort(), serviceDir('zk')))
}
