import { ConfigError, loadConfig } from '../src/config';

describe('workers', () => {
  it('serves in one process unless asked for more', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).workers).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', REPLICAT_WORKERS: '2' }).workers).toBe(2);
  });

  it('refuses several workers on the embedded PGlite, which one process holds', () => {
    expect(() => loadConfig({ REPLICAT_WORKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', REPLICAT_WORKERS: '0' })).toThrow(ConfigError);
  });
});
