import type { Socket } from 'node:net';
import { Channel, Receiver } from 'node-routeros';

/**
 * Two fixes to node-routeros 1.6.9 (archived; tech-notes.md §3.4), both of throws that escape from its socket `data`
 * handler and would kill the process:
 * - RouterOS ≥ 7.18 answers a print that matched nothing with `!empty` before `!done`; 1.6.9 throws UNKNOWNREPLY.
 *   Skipping it lets the following `!done` resolve the write with `[]`.
 * - A reply the library cannot route (UNREGISTEREDTAG, any other unknown reply word) leaves its parser half-way: the
 *   connection is destroyed with that error instead, so pending calls fail as a lost connection.
 */

const PATCHED = Symbol.for('pagos-hotspot.node-routeros-patched');

interface ChannelInternals {
  processPacket(packet: string[]): void;
}
interface ReceiverInternals {
  socket: Socket;
  processRawData(data: Buffer): void;
}

/** Applies both fixes once per loaded copy of node-routeros; later calls do nothing. */
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
}
