import { buildConsole } from '../../scripts/build-console';
import { TestService, startTestService } from '../support/e2e/test-service';

/** The service serves the built agent console and its config, to anyone (the console signs in itself). */

let t: TestService;
const consoleConfig = { simulatorUrl: 'http://127.0.0.1:4999/_simulator', demo: { adminToken: 'a.b.c', agentToken: 'd.e.f' } };

beforeAll(async () => {
  await buildConsole({ quiet: true });
  t = await startTestService({ service: { consoleConfig } });
});
afterAll(() => t?.close());

describe('agent console assets', () => {
  it('redirects /console to /console/ and serves the page with a strict content security policy', async () => {
    const redirect = await t.http.get('/console');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/console/');
    const page = await t.http.get('/console/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="app.js" defer></script>');
    const policy = page.headers['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    // The simulator's origin only: the console calls nothing else outside the service.
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:4999;");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('serves the bundle and styles from the build, not from a CDN', async () => {
    const script = await t.http.get('/console/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i);
    const styles = await t.http.get('/console/app.css');
    expect(styles.status).toBe(200);
    expect(styles.headers['content-type']).toMatch(/css/);
  });

  it('answers /console/config.json without a token, never cached', async () => {
    const config = await t.http.get('/console/config.json');
    expect(config.status).toBe(200);
    expect(config.headers['cache-control']).toBe('no-store');
    expect(config.body).toEqual(consoleConfig);
  });

  it('leaves the API as it was: unknown console files are 404, API routes still need a token', async () => {
    expect((await t.http.get('/console/nothing-here.js')).status).toBe(404);
    expect((await t.http.get('/tickets')).status).toBe(401);
  });
});
