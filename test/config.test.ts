import { ConfigError, loadConfig } from '../src/config';

describe('workers', () => {
  it('serves in one process unless asked for more', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).workers).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', REPLICAT_WORKERS: '2' }).workers).toBe(2);
  });

  it('lets the heap grow half past its live data unless told otherwise (0: V8 decides)', () => {
    expect(loadConfig({}).heapGrowthPercent).toBe(50);
    expect(loadConfig({ REPLICAT_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(loadConfig({ REPLICAT_HEAP_GROWTH_PERCENT: '200' }).heapGrowthPercent).toBe(200);
    expect(() => loadConfig({ REPLICAT_HEAP_GROWTH_PERCENT: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ REPLICAT_HEAP_GROWTH_PERCENT: 'lots' })).toThrow(ConfigError);
  });

  it('refuses invisible characters in new names unless REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS says otherwise', () => {
    expect(loadConfig({}).names).toEqual({ allowInvisibleCharacters: false });
    expect(loadConfig({ REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS: 'true' }).names).toEqual({ allowInvisibleCharacters: true });
    expect(() => loadConfig({ REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS: 'maybe' })).toThrow(ConfigError);
  });

  it('refuses several workers on the embedded PGlite, which one process holds', () => {
    expect(() => loadConfig({ REPLICAT_WORKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', REPLICAT_WORKERS: '0' })).toThrow(ConfigError);
  });
});

describe('body limits', () => {
  it('bounds SOAP envelopes apart from other bodies, at 8 MiB unless told otherwise', () => {
    expect(loadConfig({}).limits.maxSoapBodyBytes).toBe(8 * 1024 * 1024);
    expect(loadConfig({ REPLICAT_SOAP_MAX_BODY_BYTES: '65536' }).limits.maxSoapBodyBytes).toBe(65536);
    expect(loadConfig({ REPLICAT_SOAP_MAX_BODY_BYTES: '65536' }).limits.maxBodyBytes).toBe(32 * 1024 * 1024);
    expect(() => loadConfig({ REPLICAT_SOAP_MAX_BODY_BYTES: '10' })).toThrow(ConfigError);
    expect(() => loadConfig({ REPLICAT_SOAP_MAX_BODY_BYTES: '8M' })).toThrow(/REPLICAT_SOAP_MAX_BODY_BYTES must be an integer/);
  });
});
