import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from '../../src/config.js';

const load = (environment: Record<string, string>) => loadConfig(environment, { baseDir: '/tmp', loadDotenv: false });
const problems = (environment: Record<string, string>): readonly string[] => {
  try {
    load(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('dashboard settings', () => {
  it('are off by default, on 127.0.0.1 without a token', () => {
    expect(load({}).dashboard).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(load({ DASHBOARD_PORT: '8080', DASHBOARD_TOKEN: 'x'.repeat(16) }).dashboard).toEqual({
      port: 8080,
      host: '127.0.0.1',
      token: 'x'.repeat(16),
    });
    expect(load({ DASHBOARD_PORT: '0' }).dashboard.port).toBe(0);
  });

  it('refuse a bad port, a short token (never echoed) and a host with a path', () => {
    expect(problems({ DASHBOARD_PORT: '70000' })).toEqual(['DASHBOARD_PORT: must be from 0 to 65535 (0: any free port) (got "70000")']);
    expect(problems({ DASHBOARD_PORT: 'http' })[0]).toMatch(/^DASHBOARD_PORT: must be a port number/);
    expect(problems({ DASHBOARD_TOKEN: 'short-secret' })).toEqual([
      'DASHBOARD_TOKEN: must be at least 16 characters (for example: openssl rand -hex 24)',
    ]);
    expect(problems({ DASHBOARD_HOST: 'example.com/x' })[0]).toMatch(/^DASHBOARD_HOST: must be a host name or an IP address/);
  });

  it('refuse to serve beyond this machine without a token, naming the settings', () => {
    const [problem, ...rest] = problems({ DASHBOARD_PORT: '8080', DASHBOARD_HOST: '0.0.0.0' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^DASHBOARD_TOKEN: must be set when DASHBOARD_HOST is not a loopback address \(DASHBOARD_HOST=0\.0\.0\.0, DASHBOARD_PORT=8080\)/,
    );
    expect(load({ DASHBOARD_PORT: '8080', DASHBOARD_HOST: '0.0.0.0', DASHBOARD_TOKEN: 't'.repeat(20) }).dashboard.host).toBe('0.0.0.0');
    // No port: no dashboard, so nothing to refuse.
    expect(problems({ DASHBOARD_HOST: '0.0.0.0' })).toEqual([]);
  });

  it('know the loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
  });
});
