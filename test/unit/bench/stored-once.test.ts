import { checkStoredOnce } from '../../../src/bench/stored-once';

describe('checkStoredOnce', () => {
  it('is correct when every acknowledged sid is stored exactly once', () => {
    const report = checkStoredOnce(['SM1', 'SM2'], [], ['SM2', 'SM1']);
    expect(report).toMatchObject({ acknowledged: 2, stored: 2, missing: [], duplicated: [], unexpected: [], correct: true });
  });

  it('reports an acknowledged message that was not stored', () => {
    const report = checkStoredOnce(['SM1', 'SM2'], [], ['SM1']);
    expect(report.missing).toEqual(['SM2']);
    expect(report.correct).toBe(false);
  });

  it('reports a message stored twice', () => {
    const report = checkStoredOnce(['SM1', 'SM2'], [], ['SM1', 'SM2', 'SM2']);
    expect(report.duplicated).toEqual(['SM2']);
    expect(report.stored).toBe(3);
    expect(report.correct).toBe(false);
  });

  it('allows a refused message that was stored anyway (Twilio would retry and find it) but says so', () => {
    const report = checkStoredOnce(['SM1'], ['SM2', 'SM3'], ['SM1', 'SM2']);
    expect(report.storedUnacknowledged).toEqual(['SM2']);
    expect(report.correct).toBe(true);
  });

  it('flags stored messages this run never sent', () => {
    const report = checkStoredOnce(['SM1'], [], ['SM1', 'SM9']);
    expect(report.unexpected).toEqual(['SM9']);
    expect(report.correct).toBe(false);
  });

  it('a refused message never counts as acknowledged', () => {
    const report = checkStoredOnce([], ['SM1'], []);
    expect(report).toMatchObject({ acknowledged: 0, stored: 0, correct: true });
  });
});
