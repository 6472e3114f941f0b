import { isLoopbackAddress } from '../../../src/infrastructure/bootstrap/console-assets';

describe('which requests /console/config.json gives the demo tokens to', () => {
  it('this machine: IPv4 loopback, IPv6 loopback, and IPv4 loopback mapped into IPv6', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
  });

  it('no other address, nor an unknown one', () => {
    for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:192.168.1.20', 'fe80::1', '128.0.0.1', '127.0.0.1.example', undefined]) {
      expect(isLoopbackAddress(address)).toBe(false);
    }
  });
});
