import { AcceptedInboundMessage, InboundInbox, laneOf } from '../../../src/application/ports/inbound-inbox.port';

/** The inbox as the mongoose adapter keeps it: entries with their lane order, and lane leases. */
export class InMemoryInboundInbox implements InboundInbox {
  readonly entries = new Map<string, AcceptedInboundMessage & { readonly laneSeq: number }>();
  private readonly lanes = new Map<string, { accepted: number; holder: string | null; leaseUntil: Date | null }>();

  async accept(entry: AcceptedInboundMessage): Promise<boolean> {
    const lane = this.lane(laneOf(entry));
    lane.accepted += 1;
    if (this.entries.has(entry.messageId)) return false;
    this.entries.set(entry.messageId, { ...entry, laneSeq: lane.accepted });
    return true;
  }

  async listUnfiled(acceptedBefore: Date, limit: number): Promise<AcceptedInboundMessage[]> {
    return [...this.entries.values()].filter((e) => e.acceptedAt < acceptedBefore).sort((a, b) => a.acceptedAt.getTime() - b.acceptedAt.getTime()).slice(0, limit);
  }

  async listLane(lane: string, limit: number): Promise<AcceptedInboundMessage[]> {
    return [...this.entries.values()].filter((e) => laneOf(e) === lane).sort((a, b) => a.laneSeq - b.laneSeq).slice(0, limit);
  }

  async hasWaiting(lane: string): Promise<boolean> {
    return [...this.entries.values()].some((e) => laneOf(e) === lane);
  }

  async claimLane(lane: string, holder: string, until: Date, now: Date): Promise<boolean> {
    const state = this.lane(lane);
    if (state.leaseUntil !== null && state.leaseUntil > now && state.holder !== holder) return false;
    state.holder = holder;
    state.leaseUntil = until;
    return true;
  }

  async releaseLane(lane: string, holder: string): Promise<void> {
    const state = this.lane(lane);
    if (state.holder !== holder) return;
    state.holder = null;
    state.leaseUntil = null;
  }

  async remove(messageId: string): Promise<void> {
    this.entries.delete(messageId);
  }

  holderOf(lane: string): string | null {
    return this.lane(lane).holder;
  }

  private lane(lane: string) {
    let state = this.lanes.get(lane);
    if (!state) this.lanes.set(lane, (state = { accepted: 0, holder: null, leaseUntil: null }));
    return state;
  }
}
