import { connect, type Socket } from 'node:net';
import { encodeSentence, SentenceDecoder } from '../../../sandbox/routeros/wire';

/**
 * A bare RouterOS API speaker for testing the simulator's wire behaviour directly (node-routeros hides tags,
 * chunking and `!fatal`). It records every sentence received and how many TCP chunks carried them.
 */
export class RawClient {
  readonly received: string[][] = [];
  chunks = 0;
  closed = false;
  private readonly decoder = new SentenceDecoder();
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks++;
      this.received.push(...this.decoder.push(chunk));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens and logs in (RouterOS ≥ 6.43 style). */
  static async login(port: number, user = 'admin', password = 'admin'): Promise<RawClient> {
    const client = await RawClient.open(port);
    await client.call(['/login', `=name=${user}`, `=password=${password}`]);
    return client;
  }

  send(words: string[]): void {
    this.socket.write(encodeSentence(words));
  }

  /** Sends a tagged command and resolves with its reply sentences, `!done` included (tags stripped). */
  async call(words: string[], tag = Math.random().toString(36).slice(2)): Promise<string[][]> {
    const start = this.received.length;
    this.send([...words, `.tag=${tag}`]);
    const mine = () => this.received.slice(start).filter((s) => s.includes(`.tag=${tag}`));
    await this.until(() => mine().some((s) => s[0] === '!done'));
    return mine().map((s) => s.filter((w) => w !== `.tag=${tag}`));
  }

  /** Resolves once `condition` holds after some input (or the connection closed). */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) resolve();
        else if (this.closed) reject(new Error('connection closed'));
        else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** `[['!re', '=name=a'], ['!done']]` → `[{ name: 'a' }]`. */
export function rows(reply: string[][]): Array<Record<string, string>> {
  const pair = (word: string) => [word.slice(1, word.indexOf('=', 1)), word.slice(word.indexOf('=', 1) + 1)];
  return reply.filter((s) => s[0] === '!re').map((s) => Object.fromEntries(s.slice(1).map(pair)));
}
