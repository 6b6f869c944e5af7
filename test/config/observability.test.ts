import { loadSettings, type SettingsSource } from '../../src/config';
import { configErrorFrom, removeTempDirs, tempDir, writeFile } from './helpers';

let cwd: string;

beforeEach(() => {
  cwd = tempDir();
  writeFile(cwd, 'empty-config.json', {});
});

afterEach(removeTempDirs);

function load(env: SettingsSource = {}) {
  return loadSettings({ PARLEY_CONFIG_FILE: 'empty-config.json', ...env }, cwd);
}

describe('logging and metrics settings', () => {
  it('default to info, a format chosen by where the lines go, and no metrics listener', () => {
    expect(load().observability).toEqual({ logLevel: 'info', logFormat: undefined, metricsPort: undefined, metricsHost: '127.0.0.1' });
  });

  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])('accept PARLEY_LOG_LEVEL=%s', (level) => {
    expect(load({ PARLEY_LOG_LEVEL: level }).observability.logLevel).toBe(level);
  });

  it('read PARLEY_LOG_LEVEL in any case', () => {
    expect(load({ PARLEY_LOG_LEVEL: 'WARN' }).observability.logLevel).toBe('warn');
  });

  it('refuse an unknown level, naming the setting and the levels', () => {
    const error = configErrorFrom(() => load({ PARLEY_LOG_LEVEL: 'verbose' }));
    expect(error.setting).toBe('PARLEY_LOG_LEVEL');
    expect(error.message).toContain('trace, debug, info, warn, error, fatal, silent');
  });

  it.each(['json', 'pretty'])('accept PARLEY_LOG_FORMAT=%s', (format) => {
    expect(load({ PARLEY_LOG_FORMAT: format }).observability.logFormat).toBe(format);
  });

  it('refuse another format', () => {
    expect(configErrorFrom(() => load({ PARLEY_LOG_FORMAT: 'logfmt' })).setting).toBe('PARLEY_LOG_FORMAT');
  });

  it('turn the metrics listener on with PARLEY_METRICS_PORT, 0 for any free port, on loopback unless told otherwise', () => {
    expect(load({ PARLEY_METRICS_PORT: '9464' }).observability).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
    expect(load({ PARLEY_METRICS_PORT: '0' }).observability.metricsPort).toBe(0);
    expect(load({ PARLEY_METRICS_PORT: '9464', PARLEY_METRICS_HOST: '0.0.0.0' }).observability.metricsHost).toBe('0.0.0.0');
    expect(load({ PARLEY_METRICS_HOST: '::1' }).observability.metricsHost).toBe('::1');
  });

  it('treat a blank PARLEY_METRICS_PORT as unset (off)', () => {
    expect(load({ PARLEY_METRICS_PORT: '  ' }).observability.metricsPort).toBeUndefined();
  });

  it.each(['65536', '-1', '9464x', 'http'])('refuse PARLEY_METRICS_PORT=%s', (value) => {
    expect(configErrorFrom(() => load({ PARLEY_METRICS_PORT: value })).setting).toBe('PARLEY_METRICS_PORT');
  });

  it.each(['http://0.0.0.0', '0.0.0.0:9464', 'a host', 'host/path'])('refuse PARLEY_METRICS_HOST=%s', (value) => {
    expect(configErrorFrom(() => load({ PARLEY_METRICS_HOST: value })).setting).toBe('PARLEY_METRICS_HOST');
  });

  it('come from the config file as well', () => {
    writeFile(cwd, 'parley.json', { PARLEY_LOG_LEVEL: 'debug', PARLEY_METRICS_PORT: 9100 });
    expect(load({ PARLEY_CONFIG_FILE: 'parley.json' }).observability).toMatchObject({ logLevel: 'debug', metricsPort: 9100 });
  });
});
