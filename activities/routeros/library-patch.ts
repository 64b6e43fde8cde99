import type { Socket } from 'node:net';
import { Channel, Connector, Receiver } from 'node-routeros';

/**
 * Three fixes to node-routeros 1.6.9 (archived), all of throws that escape from its socket handlers and would kill
 * the process:
 * - RouterOS ≥ 7.18 answers a print that matched nothing with `!empty` before `!done`; 1.6.9 throws UNKNOWNREPLY.
 *   Skipping it lets the following `!done` resolve the write with `[]`.
 * - A reply the library cannot route (UNREGISTEREDTAG, any other unknown reply word) leaves its parser half-way: the
 *   connection is destroyed with that error instead, so pending calls fail as a lost connection.
 * - The Connector re-emits each socket error as its own 'error' event, but its destroy() (after an error, the end of
 *   the socket or a timeout) drops every listener, while the socket keeps reporting to it: the next socket error was
 *   an unhandled 'error' (a TLS handshake with a plain API port: the router hangs up, then the handshake fails). A
 *   destroyed Connector keeps one listener that ignores them.
 */

const PATCHED = Symbol.for('pagos-hotspot.node-routeros-patched');

interface ChannelInternals {
  processPacket(packet: string[]): void;
}
interface ReceiverInternals {
  socket: Socket;
  processRawData(data: Buffer): void;
}

/** Applies the fixes once per loaded copy of node-routeros; later calls do nothing. */
export function patchNodeRouterOs(): void {
  const channel = Channel.prototype as unknown as ChannelInternals & { [PATCHED]?: true };
  if (channel[PATCHED]) return;
  channel[PATCHED] = true;

  const processPacket = channel.processPacket;
  channel.processPacket = function (this: ChannelInternals, packet: string[]) {
    if (packet[0] !== '!empty') processPacket.call(this, packet);
  };

  const receiver = Receiver.prototype as unknown as ReceiverInternals;
  const processRawData = receiver.processRawData;
  receiver.processRawData = function (this: ReceiverInternals, data: Buffer) {
    try {
      processRawData.call(this, data);
    } catch (error) {
      this.socket.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const connector = Connector.prototype;
  const destroy = connector.destroy;
  connector.destroy = function (this: Connector) {
    destroy.call(this);
    this.on('error', () => undefined);
  };
}
