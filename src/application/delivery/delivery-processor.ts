import { TwilioIntegration } from '../../domain/integration/twilio-integration';
import { isFailure } from '../../domain/message/delivery-status';
import { Message, MessageError } from '../../domain/message/message';
import { MessageRepository } from '../../domain/message/message.repository';
import { ConcurrencyError } from '../../domain/shared/domain-error';
import { Ticket } from '../../domain/ticket/ticket';
import { credentialsOf, describeTwilioFailure } from '../integration/integration-credentials';
import { notifySenderOfFailedMessage } from '../message/message-failure-alerts';
import { describeMessageError } from '../message/twilio-error-codes';
import { DeliveryCandidate, DeliveryOutbox, isDue } from '../ports/delivery-outbox.port';
import { MediaUrlSigner, attachmentIdOf } from '../ports/media-url-signer.port';
import { SecretCipher } from '../ports/secret-cipher.port';
import { SendMetrics } from '../ports/send-metrics.port';
import { SendRateLimiter } from '../ports/send-rate-limiter.port';
import { ServiceConfig } from '../ports/service-config.port';
import { OutboundMessageRequest, STATUS_CALLBACK_PATH, TwilioCredentials, TwilioGateway, TwilioGatewayError } from '../ports/twilio-gateway.port';
import { FailureDecision, backoffDelayMs, decideAfterFailure } from './delivery-policy';
import { FoundSend, findUnrecordedSend } from './delivery-reconciliation';
import { DeliverySettings } from './delivery-settings';
import { SideEffectDeps, markContactOptedOut, markIntegrationAuthFailed } from './delivery-side-effects';

const MAX_SAVE_ATTEMPTS = 8;

/** Test-only seams: simulate a worker dying at the worst moment. */
export interface DeliveryHooks {
  /** Runs after Twilio accepted a send and before its SID is stored; a throw "kills" the attempt there. */
  readonly afterTwilioAccepted?: (messageId: string) => Promise<void>;
}

export interface DeliveryProcessorDeps extends SideEffectDeps {
  readonly messages: MessageRepository;
  readonly outbox: DeliveryOutbox;
  readonly twilio: TwilioGateway;
  readonly cipher: SecretCipher;
  readonly rateLimiter: SendRateLimiter;
  readonly config: ServiceConfig;
  readonly settings: DeliverySettings;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly hooks?: DeliveryHooks;
  readonly metrics?: SendMetrics;
  /** Signs the public URLs Twilio fetches outbound attachments from. */
  readonly mediaUrls?: MediaUrlSigner;
  readonly warn?: (message: string, context?: Record<string, unknown>) => void;
}

/** Where a message goes: its integration (sender, account, rate) and its ticket's contact. */
interface Route {
  readonly integration: TwilioIntegration;
  readonly ticket: Ticket;
  readonly account: TwilioCredentials;
  readonly from: string;
}

/**
 * The delivery process of outbound messages, run by the workers of every instance.
 *
 * Per message: claim it (`queued → sending`, a versioned write with a lease, so one worker
 * of any instance wins) → wait for a send slot of the sender number → call Twilio → store
 * the SID and `sent`. Failures follow `decideAfterFailure`. A `sending` message whose lease
 * expired (its worker died around the Twilio call) is reconciled against Twilio before any
 * resend. Per ticket, only the earliest queued/sending message may go out (ordering).
 */
/** Slots taken in a row by a worker held up past each one before it sends anyway. */
const MAX_SLOT_TRIES = 5;

export class DeliveryProcessor {
  constructor(private readonly deps: DeliveryProcessorDeps) {}

  /** Due work, at most one candidate per ticket (and none of `busyTickets`), oldest first. */
  async findWork(limit: number, busyTickets: ReadonlySet<string>): Promise<DeliveryCandidate[]> {
    if (limit <= 0) return [];
    return this.deps.outbox.findDue(this.deps.clock.now(), limit, busyTickets);
  }

  /**
   * Delivers the candidate and then, back to back, the next due messages of its ticket, while
   * `keepGoing` says so (a draining worker finishes the message under way and stops).
   */
  async deliverTicket(first: DeliveryCandidate, keepGoing: () => boolean = () => true): Promise<number> {
    let candidate: DeliveryCandidate | null = first;
    let handled = 0;
    // The first candidate comes from the due list; the next ones are the ticket's head already.
    let knownHead = false;
    while (candidate && handled < this.deps.settings.maxChain) {
      if (handled > 0 && !keepGoing()) break;
      if (!(await this.deliverOne(candidate, knownHead))) return handled;
      knownHead = true;
      handled += 1;
      candidate = await this.deps.outbox.findTicketHead(first.companyId, first.ticketId);
      if (candidate && !isDue(candidate, this.deps.clock.now())) break;
    }
    // Leaving work behind (backoff, chain limit): the head may have been parked while it was
    // not the head yet; unpark it so any worker finds it when it is due.
    if (candidate?.parkedUntil && candidate.parkedUntil.getTime() > this.deps.clock.now().getTime()) await this.unpark(candidate);
    return handled;
  }

  private async unpark(candidate: DeliveryCandidate): Promise<void> {
    const message = await this.deps.messages.findById(candidate.companyId, candidate.id);
    if (!message || message.version !== candidate.version) return;
    await this.ignoringConcurrency(() => this.deps.outbox.unpark(message));
  }

  /** One step for one message; false when it was not ours to take (changed, not head, not due). */
  async deliverOne(candidate: DeliveryCandidate, knownHead = false): Promise<boolean> {
    const now = this.deps.clock.now();
    if (!isDue(candidate, now)) return false;
    const message = await this.deps.messages.findById(candidate.companyId, candidate.id);
    // Any change since the candidate was read (another worker's claim, a callback) means it is not ours.
    if (!message || message.version !== candidate.version || message.status !== candidate.status) return false;
    const head = knownHead ? candidate : await this.deps.outbox.findTicketHead(candidate.companyId, candidate.ticketId);
    if (!head || head.id !== candidate.id) {
      if (candidate.status === 'queued') {
        await this.ignoringConcurrency(() => this.deps.outbox.park(message, new Date(now.getTime() + this.deps.settings.parkMs)));
      }
      return false;
    }
    const route = await this.routeOf(message);
    if (typeof route === 'string') {
      await this.fail(message, { code: null, message: route });
      return true;
    }
    return message.status === 'queued' ? this.attempt(message, route) : this.reconcile(message, route);
  }

  private async attempt(message: Message, route: Route): Promise<boolean> {
    const { clock, settings } = this.deps;
    message.startSending(clock.now());
    const leaseUntil = clock.now().getTime() + settings.leaseMs;
    if (!(await this.tryClaim(message, new Date(leaseUntil)))) return false;
    await this.deps.events.publishAll(message.pullDomainEvents());

    await this.waitForSendSlot(route);
    if (clock.now().getTime() > leaseUntil - settings.sendDeadlineMarginMs) {
      // Too late to be sure the call ends inside the lease: leave it to reconciliation.
      this.deps.warn?.('delivery slot came too late in the lease; the attempt is left to reconciliation', { messageId: message.id });
      return true;
    }
    let sid: string;
    try {
      sid = (await this.deps.twilio.sendMessage(route.account, this.requestFor(message, route))).sid;
    } catch (error) {
      const decision = decideAfterFailure(error, message.attempts, settings, this.deps.random);
      this.deps.metrics?.sendFinished(decision.kind === 'fail' ? 'failed' : decision.kind, message.attempts);
      await this.handleFailure(message, route, decision, error);
      return true;
    }
    this.deps.metrics?.sendFinished('accepted', message.attempts);
    await this.deps.hooks?.afterTwilioAccepted?.(message.id);
    await this.recordFound(message, { sid, status: 'sent', errorCode: null });
    return true;
  }

  /** Waits for a send slot of the sender number, taking a later one if this worker was held up past it. */
  private async waitForSendSlot(route: Route): Promise<void> {
    const { clock, settings } = this.deps;
    const perSecond = route.integration.toSnapshot().sendRatePerSecond;
    for (let tries = 1; ; tries += 1) {
      const slot = (await this.deps.rateLimiter.reserve(route.from, perSecond)).getTime();
      const wait = slot - clock.now().getTime();
      if (wait > 0) await this.deps.sleep(wait);
      const late = clock.now().getTime() - slot;
      if (late <= settings.sendSlotToleranceMs) return;
      if (tries >= MAX_SLOT_TRIES) {
        this.deps.warn?.('delivery: every send slot came too late; sending anyway', { number: route.from, lateMs: late });
        return;
      }
    }
  }

  /** A `sending` message whose worker's lease expired: find out whether Twilio got it before sending again. */
  private async reconcile(message: Message, route: Route): Promise<boolean> {
    const { clock, settings } = this.deps;
    if (!(await this.tryClaim(message, new Date(clock.now().getTime() + settings.leaseMs)))) return false;
    let found;
    try {
      found = await findUnrecordedSend({ ...this.deps, account: route.account, message, from: route.from, to: route.ticket.contact.whatsappNumber, skewMs: settings.reconcileSkewMs });
    } catch (error) {
      if (error instanceof TwilioGatewayError && error.kind === 'auth') {
        await this.handleFailure(message, route, decideAfterFailure(error, message.attempts, settings, this.deps.random), error);
        return true;
      }
      // Twilio cannot tell us now: keep it `sending` and look again after a backoff.
      const delay = backoffDelayMs(message.attempts, settings, this.deps.random);
      await this.tryClaim(message, new Date(clock.now().getTime() + delay));
      return true;
    }
    if (found) {
      await this.recordFound(message, found);
      return true;
    }
    if (message.attempts >= settings.maxAttempts) {
      await this.fail(message, message.toSnapshot().error ?? { code: null, message: `Twilio did not confirm the message after ${message.attempts} attempts` });
      return true;
    }
    message.releaseUnconfirmedAttempt(clock.now());
    await this.save(message);
    return true;
  }

  private async handleFailure(message: Message, route: Route, decision: FailureDecision, cause: unknown): Promise<void> {
    const now = this.deps.clock.now();
    if (decision.kind === 'unconfirmed') {
      this.deps.warn?.('Twilio did not answer a send; it will be reconciled before any resend', { messageId: message.id, reason: describeTwilioFailure(cause) });
      await this.tryClaim(message, new Date(now.getTime() + decision.delayMs));
      return;
    }
    if (decision.kind === 'retry') {
      message.requeueAfterTransientFailure(decision.error, now, new Date(now.getTime() + decision.delayMs));
      await this.save(message);
      return;
    }
    // Contact and integration first: whoever sees the failed message sees their new state too.
    if (decision.optedOut) await markContactOptedOut(this.deps, message.companyId, message.ticketId);
    if (decision.authFailed) await markIntegrationAuthFailed(this.deps, message.companyId, route.integration.id, describeTwilioFailure(cause));
    await this.fail(message, decision.error);
  }

  /** Final failure: stored with its error, published, and the sending agent told. */
  private async fail(message: Message, error: MessageError): Promise<void> {
    if (!message.recordDelivery('failed', this.deps.clock.now(), error)) return;
    await this.deps.messages.save(message);
    await this.deps.events.publishAll(message.pullDomainEvents());
    await notifySenderOfFailedMessage(this.deps.notifications, message);
    await this.deps.outbox.saved(message);
  }

  /**
   * Stores what Twilio has (SID and status). A status callback may have stored it first and
   * moved the version on: reload and apply again (the aggregate is forward-only).
   */
  private async recordFound(message: Message, found: FoundSend): Promise<void> {
    const { status } = found;
    let current: Message | null = message;
    for (let attempt = 1; current; attempt += 1) {
      if (current.twilioSid !== null && current.twilioSid !== found.sid) {
        this.deps.warn?.('a different Twilio SID is already stored for this message', { messageId: current.id });
        return;
      }
      const now = this.deps.clock.now();
      current.recordAccepted(found.sid, now);
      const error = isFailure(status) ? { code: found.errorCode, message: describeMessageError(found.errorCode) } : undefined;
      if (status !== 'sent') current.recordDelivery(status, now, error);
      try {
        await this.deps.messages.save(current);
        await this.deps.events.publishAll(current.pullDomainEvents());
        if (isFailure(current.status)) await notifySenderOfFailedMessage(this.deps.notifications, current);
        await this.deps.outbox.saved(current);
        return;
      } catch (saveError) {
        if (!(saveError instanceof ConcurrencyError) || attempt >= MAX_SAVE_ATTEMPTS) throw saveError;
        current = await this.deps.messages.findById(message.companyId, message.id);
      }
    }
  }

  private async routeOf(message: Message): Promise<Route | string> {
    const integration = await this.deps.integrations.findById(message.companyId, message.integrationId);
    if (!integration) return 'The WhatsApp integration of this ticket was removed';
    if (integration.status !== 'active' || !integration.whatsappNumber) {
      const reason = integration.toSnapshot().config.lastError;
      return `The WhatsApp integration is ${integration.status}${reason ? ` (${reason})` : ''}; the message was not sent`;
    }
    const ticket = await this.deps.tickets.findById(message.companyId, message.ticketId);
    if (!ticket) return 'The ticket of this message no longer exists';
    let account: TwilioCredentials;
    try {
      account = credentialsOf(integration, this.deps.cipher);
    } catch {
      return 'The credentials of the WhatsApp integration cannot be read; an admin must check the integration';
    }
    return { integration, ticket, account, from: integration.whatsappNumber };
  }

  private requestFor(message: Message, route: Route): OutboundMessageRequest {
    // `attempt` names this send: a late callback of an earlier attempt (before a retry) must
    // not attach that attempt's SID to the message.
    const attempt = message.lastAttemptAt ? `&attempt=${message.lastAttemptAt.getTime()}` : '';
    const statusCallback = `${this.deps.config.apiUrl}${STATUS_CALLBACK_PATH}?messageId=${encodeURIComponent(message.id)}${attempt}`;
    const common = { from: route.from, to: route.ticket.contact.whatsappNumber, statusCallback };
    const template = message.template;
    if (template) return { ...common, contentSid: template.contentSid, contentVariables: { ...template.contentVariables } };
    const mediaUrl = message.media.map((item) => {
      const attachmentId = attachmentIdOf(item.url);
      if (attachmentId === null || !this.deps.mediaUrls) throw new Error('an outbound media item must be a stored attachment');
      // Signed at each attempt: a retry days later still hands Twilio a valid URL.
      return this.deps.mediaUrls.publicUrl(attachmentId);
    });
    return mediaUrl.length > 0 ? { ...common, body: message.body, mediaUrl } : { ...common, body: message.body };
  }

  private async ignoringConcurrency(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  /** Versioned save with the lease; false when another writer moved the message on first. */
  private async tryClaim(message: Message, leaseUntil: Date): Promise<boolean> {
    try {
      await this.deps.outbox.claim(message, leaseUntil);
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
  }

  /** Saved, published, then the queue entry follows (a hint: the message is what counts). */
  private async save(message: Message): Promise<void> {
    await this.deps.messages.save(message);
    await this.deps.events.publishAll(message.pullDomainEvents());
    await this.deps.outbox.saved(message);
  }
}
