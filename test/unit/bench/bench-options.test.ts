import { flagOption, integerListOption, integerOption } from '../../../src/bench/bench-options';

const count = { name: 'count', defaultValue: 3000, min: 1, max: 10_000 };

describe('bench options', () => {
  it('takes --name=value over BENCH_NAME over the default', () => {
    expect(integerOption([], {}, count)).toBe(3000);
    expect(integerOption([], { BENCH_COUNT: '500' }, count)).toBe(500);
    expect(integerOption(['--count=700'], { BENCH_COUNT: '500' }, count)).toBe(700);
    expect(integerOption(['--count=700', '--count=800'], {}, count)).toBe(800);
  });

  it('reads dashed names from BENCH_ with underscores and ignores blank variables', () => {
    const option = { name: 'warm-up', defaultValue: 10, min: 0, max: 100 };
    expect(integerOption([], { BENCH_WARM_UP: '20' }, option)).toBe(20);
    expect(integerOption([], { BENCH_WARM_UP: ' ' }, option)).toBe(10);
  });

  it('refuses values that are not integers within the range, naming the option', () => {
    expect(() => integerOption(['--count=abc'], {}, count)).toThrow(/--count must be an integer within 1\.\.10000, got "abc"/);
    expect(() => integerOption(['--count=0'], {}, count)).toThrow(/--count/);
    expect(() => integerOption(['--count=2.5'], {}, count)).toThrow(/--count/);
    expect(() => integerOption([], { BENCH_COUNT: '99999' }, count)).toThrow(/--count/);
  });

  it('turns a flag on with --name, --name=true or BENCH_NAME=1', () => {
    expect(flagOption([], {}, 'profile')).toBe(false);
    expect(flagOption(['--profile'], {}, 'profile')).toBe(true);
    expect(flagOption(['--profile=yes'], {}, 'profile')).toBe(true);
    expect(flagOption(['--profile=0'], {}, 'profile')).toBe(false);
    expect(flagOption([], { BENCH_PROFILE: '1' }, 'profile')).toBe(true);
  });

  it('reads a comma-separated list of integers, refusing any outside the range', () => {
    const levels = { name: 'concurrency', defaultValue: [10, 50, 200], min: 1, max: 1000 };
    expect(integerListOption([], {}, levels)).toEqual([10, 50, 200]);
    expect(integerListOption(['--concurrency=50'], {}, levels)).toEqual([50]);
    expect(integerListOption([], { BENCH_CONCURRENCY: '5, 20' }, levels)).toEqual([5, 20]);
    expect(() => integerListOption(['--concurrency=10,0'], {}, levels)).toThrow(/--concurrency must be integers within 1\.\.1000/);
    expect(() => integerListOption(['--concurrency=10,,20'], {}, levels)).toThrow(/--concurrency/);
  });
});
