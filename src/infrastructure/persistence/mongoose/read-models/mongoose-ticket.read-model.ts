import { Connection, mongo } from 'mongoose';
import { MessageView, toMessageView } from '../../../../application/message/message.view';
import { toReplyView } from '../../../../application/message/reply.view';
import { replyPartIds } from '../../../../domain/message/reply';
import { ReadPage, SortKey, TicketReadModel } from '../../../../application/ports/ticket-read-model.port';
import { TicketView, toTicketView } from '../../../../application/ticket/ticket.view';
import { TicketListFilter } from '../../../../domain/ticket/ticket.repository';
import { toMessage } from '../message/message.mapper';
import { findOwned } from '../owned-document';
import { MessageDocument, messageModel } from '../message/message.schema';
import { toTicket } from '../ticket/ticket.mapper';
import { TicketDocument, ticketModel } from '../ticket/ticket.schema';

/**
 * Reads the `tickets` and `messages` collections the repositories write, through the same
 * document mappers (document → aggregate → view), so the read side cannot drift from storage.
 *
 * Keyset pagination over the indexes (companyId, [status | integrationId], lastActivityAt,
 * _id) and (companyId, ticketId, createdAt, _id): a page is "strictly after the last key
 * seen", so a walk never repeats an item, and items created meanwhile do not shift it.
 */
export class MongooseTicketReadModel implements TicketReadModel {
  private readonly tickets: mongo.Collection<TicketDocument>;
  private readonly messages: mongo.Collection<MessageDocument>;

  constructor(connection: Connection) {
    this.tickets = ticketModel(connection).collection as unknown as mongo.Collection<TicketDocument>;
    this.messages = messageModel(connection).collection as unknown as mongo.Collection<MessageDocument>;
  }

  async listTickets(companyId: string, filter: TicketListFilter, after: SortKey | null, limit: number): Promise<ReadPage<TicketView>> {
    const query: mongo.Filter<TicketDocument> = { companyId };
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.integrationId !== undefined) query.integrationId = filter.integrationId;
    if (after) query.$or = [{ lastActivityAt: { $lt: after.at } }, { lastActivityAt: after.at, _id: { $lt: after.id } }];
    const docs = await this.tickets.find(query).sort({ lastActivityAt: -1, _id: -1 }).limit(limit + 1).toArray();
    return pageOf(docs, limit, (doc) => toTicketView(toTicket(doc)), (doc) => ({ at: new Date(doc.lastActivityAt), id: doc._id }));
  }

  async getTicket(companyId: string, ticketId: string): Promise<TicketView | null> {
    const doc = await findOwned(this.tickets, companyId, ticketId);
    return doc ? toTicketView(toTicket(doc)) : null;
  }

  async listMessages(companyId: string, ticketId: string, after: SortKey | null, limit: number): Promise<ReadPage<MessageView>> {
    // A reply of several messages is one item: its first part stands for it, the others join it below.
    const query: mongo.Filter<MessageDocument> = { companyId, ticketId, $nor: [{ 'reply.part': { $gt: 1 } }] };
    if (after) query.$or = [{ createdAt: { $gt: after.at } }, { createdAt: after.at, _id: { $gt: after.id } }];
    const docs = await this.messages.find(query).sort({ createdAt: 1, _id: 1 }).limit(limit + 1).toArray();
    const laterParts = await this.laterPartsOf(companyId, docs.slice(0, limit));
    return pageOf(
      docs,
      limit,
      (doc) => (doc.reply ? toReplyView([doc, ...(laterParts.get(doc._id) ?? [])].map(toMessage)) : toMessageView(toMessage(doc))),
      (doc) => ({ at: new Date(doc.createdAt), id: doc._id }),
    );
  }

  /** The parts after the first of the page's replies, by `_id` (their ids derive from the reply's), in order. */
  private async laterPartsOf(companyId: string, firstParts: readonly MessageDocument[]): Promise<Map<string, MessageDocument[]>> {
    const ids = firstParts.flatMap((doc) => (doc.reply ? replyPartIds(doc.reply.replyId, doc.reply.parts).slice(1) : []));
    const byReply = new Map<string, MessageDocument[]>();
    if (ids.length === 0) return byReply;
    const docs = await this.messages.find({ _id: { $in: ids }, companyId }).sort({ _id: 1 }).toArray();
    for (const doc of docs) {
      const replyId = doc.reply?.replyId;
      if (replyId) byReply.set(replyId, [...(byReply.get(replyId) ?? []), doc]);
    }
    return byReply;
  }
}

/** Asked for one more than the page size: its presence says whether another page follows. */
function pageOf<D, V>(docs: readonly D[], limit: number, view: (doc: D) => V, keyOf: (doc: D) => SortKey): ReadPage<V> {
  const items = docs.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), next: docs.length > limit && last !== undefined ? keyOf(last) : null };
}
