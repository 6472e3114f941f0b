import { NumberInUseError } from '../../../src/domain/integration/integration-errors';
import { IntegrationRepository } from '../../../src/domain/integration/integration.repository';
import { TwilioIntegration, TwilioIntegrationSnapshot } from '../../../src/domain/integration/twilio-integration';
import { ConcurrencyError } from '../../../src/domain/shared/domain-error';

/** Same contract as the mongoose adapter (see test/contract), kept in a Map of snapshots. */
export class InMemoryIntegrationRepository implements IntegrationRepository {
  private readonly rows = new Map<string, TwilioIntegrationSnapshot>();
  private readonly leases = new Map<string, Date>();

  async save(integration: TwilioIntegration): Promise<void> {
    const snapshot = integration.toSnapshot();
    const stored = this.rows.get(snapshot.id);
    if ((stored?.version ?? 0) !== snapshot.version || (!stored && snapshot.version !== 0)) throw new ConcurrencyError('integration', snapshot.id);
    if (stored && stored.companyId !== snapshot.companyId) throw new ConcurrencyError('integration', snapshot.id);
    const number = snapshot.whatsappNumber;
    if (number && [...this.rows.values()].some((row) => row.id !== snapshot.id && row.whatsappNumber === number)) {
      throw new NumberInUseError(number);
    }
    this.rows.set(snapshot.id, { ...snapshot, version: snapshot.version + 1 });
    integration.markSaved();
  }

  async findById(companyId: string, id: string): Promise<TwilioIntegration | null> {
    const row = this.rows.get(id);
    return row && row.companyId === companyId ? TwilioIntegration.restore(row) : null;
  }

  async listByCompany(companyId: string): Promise<TwilioIntegration[]> {
    return [...this.rows.values()]
      .filter((row) => row.companyId === companyId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((row) => TwilioIntegration.restore(row));
  }

  async delete(companyId: string, id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.companyId !== companyId) return false;
    return this.rows.delete(id);
  }

  async isNumberTaken(whatsappNumber: string, exceptId: string): Promise<boolean> {
    return [...this.rows.values()].some((row) => row.id !== exceptId && row.whatsappNumber === whatsappNumber);
  }

  async findByAccountAndNumber(accountSid: string, whatsappNumber: string): Promise<TwilioIntegration | null> {
    const row = [...this.rows.values()].find((r) => r.accountSid === accountSid && r.whatsappNumber === whatsappNumber);
    return row ? TwilioIntegration.restore(row) : null;
  }

  async findProvisioningDue(now: Date, limit: number): Promise<TwilioIntegration[]> {
    return [...this.rows.values()]
      .filter((r) => r.status === 'pending' && r.mode === 'provision' && r.provisioning?.nextCheckAt && r.provisioning.nextCheckAt <= now)
      .slice(0, limit)
      .map((row) => TwilioIntegration.restore(row));
  }

  async acquireProvisioningLease(id: string, until: Date, now: Date): Promise<boolean> {
    if (!this.rows.has(id)) return false;
    const held = this.leases.get(id);
    if (held && held > now) return false;
    this.leases.set(id, until);
    return true;
  }

  async releaseProvisioningLease(id: string): Promise<void> {
    this.leases.delete(id);
  }
}
